"""Periodic jobs of the space's life: thin wrappers around one service each."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def representations_terminer_majorite() -> int:
    return services.representations_terminer_majorite()


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def espaces_purger_echus() -> int:
    return services.espaces_purger_echus()
