"""The journal's beat job: a thin wrapper around its service."""

from __future__ import annotations

from celery import shared_task

from . import points


@shared_task(acks_late=True, ignore_result=True)
def point_de_controle_ecrire() -> str:
    """Write a sealed checkpoint of every chain head to the storage (a new object each time)."""
    return points.point_de_controle_ecrire()
