"""The export's jobs (docs/EXPORT.md): thin wrappers around one service each."""

from __future__ import annotations

from celery import shared_task

from espace_sante.lib.taches import PANNES, REPRISE

from . import export


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
