"""The ingestion pipeline and the document housekeeping: thin wrappers around services.

Their outcome is in the database (the document's status): no result is stored, whatever the
result backend. Messages are acknowledged after the run and requeued if the worker dies
(DESIGN.md §7)."""

from __future__ import annotations

import time
from typing import Any

from celery import current_app, shared_task
from django.conf import settings

from espace_sante.lib.taches import PANNES, REPRISE, messages_en_file

from . import import_dmp, ingestion, services
from .assurance import synchro
from .assurance.connecteur import ServiceIndisponible
from .assurance.debit import DebitDepasse


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(*PANNES, OSError),
    **REPRISE,
)
def document_ingerer(document_id: int) -> str:
    return ingestion.document_ingerer(document_id=document_id)


@shared_task(acks_late=True, ignore_result=True, autoretry_for=PANNES, **REPRISE)
def documents_relancer_en_suspens() -> int:
    """Every minute (beat): cheap (one indexed query) and never piling up, as nothing is queued
    again while the queue still holds a backlog."""
    if messages_en_file(current_app):
        return 0
    return ingestion.documents_relancer_en_suspens()


@shared_task(acks_late=True, ignore_result=True, autoretry_for=PANNES, **REPRISE)
def documents_purger_echus() -> int:
    return services.documents_purger_echus()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(*PANNES, OSError),
    **REPRISE,
)
def import_dmp_executer(demande_id: int) -> str:
    return import_dmp.import_executer(demande_id=demande_id)


# --- Reimbursement history (docs/REMBOURSEMENTS.md) ----------------------------------------------


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=PANNES,
    **REPRISE,
)
def remboursements_synchroniser(self: Any, espace_id: int) -> str:
    """One space's sync. A transient failure (service down, timeout) is retried
    with exponential backoff and jitter (``ASSURANCE_BACKOFF_*``, ``ASSURANCE_ESSAIS_MAX``);
    what was written before it stays (the cursor moved with it)."""
    while True:
        try:
            return synchro.espace_synchroniser(espace_id=espace_id).etat
        except DebitDepasse as attente:
            # Not a failure of the service. In a worker: queued again, as a new task, for when
            # a token is due (no retry counted, no backoff). In-process: wait here.
            if not self.request.is_eager:
                remboursements_synchroniser.apply_async((espace_id,), countdown=attente.attente)
                return "differe"
            time.sleep(attente.attente)
        except ServiceIndisponible as erreur:
            raise self.retry(
                exc=erreur,
                countdown=synchro.delai_nouvel_essai(self.request.retries),
                max_retries=settings.ASSURANCE_ESSAIS_MAX,
            ) from erreur


@shared_task(acks_late=True, ignore_result=True, autoretry_for=PANNES, **REPRISE)
def remboursements_synchroniser_tous() -> int:
    return synchro.espaces_synchroniser_tous()
