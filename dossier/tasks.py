"""The ingestion pipeline and the document housekeeping: thin wrappers around services.

Their outcome is in the database (the document's status): no result is stored, whatever the
result backend. Messages are acknowledged after the run and requeued if the worker dies
(DESIGN.md §7)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=8,
)
def document_ingerer(document_id: int) -> str:
    return services.document_ingerer(document_id=document_id)


@shared_task(acks_late=True, ignore_result=True)
def documents_relancer_en_suspens() -> int:
    return services.documents_relancer_en_suspens()


@shared_task(acks_late=True, ignore_result=True)
def documents_purger_echus() -> int:
    return services.documents_purger_echus()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=8,
)
def import_dmp_executer(demande_id: int) -> str:
    from .import_dmp import import_executer

    return import_executer(demande_id=demande_id)
