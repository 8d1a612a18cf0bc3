"""The outbox's sweep: a thin wrapper around its service, scheduled by beat every few seconds."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, ignore_result=True)
def taches_envoyer_en_attente() -> int:
    """Send the jobs that could not leave after their commit (the broker was away).
    Two runs at once share the rows (each one skips what the other holds)."""
    return services.taches_envoyer()
