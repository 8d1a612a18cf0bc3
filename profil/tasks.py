"""Periodic jobs of the space's life: thin wrappers around one service each."""

from __future__ import annotations

from celery import shared_task

from espace_sante.lib.taches import PANNES, REPRISE

from . import export, representations, services


@shared_task(acks_late=True, autoretry_for=PANNES, **REPRISE)
def representations_terminer_majorite() -> int:
    return representations.representations_terminer_majorite()


@shared_task(acks_late=True, autoretry_for=PANNES, **REPRISE)
def espaces_purger_echus() -> int:
    return services.espaces_purger_echus()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=PANNES,
    **REPRISE,
)
def export_construire(export_id: int) -> str:
    return export.export_construire(export_id=export_id)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=PANNES, **REPRISE)
def exports_purger() -> int:
    return export.exports_purger()
