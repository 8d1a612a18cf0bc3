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


# The names these jobs had in profil until 2026-12 (issue 15): a message already handed to the
# broker under an old name when the new code starts is still run, not dropped as unknown. The
# outbox's own waiting rows are renamed by migration 0001. Remove after one release.
export_construire_ancien_nom = shared_task(
    name="profil.tasks.export_construire",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=PANNES,
    **REPRISE,
)(export_construire.run)
exports_purger_ancien_nom = shared_task(
    name="profil.tasks.exports_purger", acks_late=True, ignore_result=True
)(exports_purger.run)
