"""The ingestion pipeline and the document housekeeping: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    retry_backoff=True,
    max_retries=8,
)
def document_ingerer(document_id: int) -> str:
    return services.document_ingerer(document_id=document_id)


@shared_task(acks_late=True)
def documents_relancer_en_suspens() -> int:
    return services.documents_relancer_en_suspens()


@shared_task(acks_late=True)
def documents_purger_echus() -> int:
    return services.documents_purger_echus()
