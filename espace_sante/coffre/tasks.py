"""The vault's housekeeping: a thin wrapper around its service, scheduled by Celery beat."""

from __future__ import annotations

from celery import shared_task

from espace_sante.lib.taches import PANNES, REPRISE

from . import services


@shared_task(acks_late=True, ignore_result=True, autoretry_for=PANNES, **REPRISE)
def orphelins_supprimer() -> int:
    """Delete the objects no row references, older than ``VAULT_GC_GRACE`` (interrupted writes,
    crashed uploads). Idempotent: two runs at once delete the same names, harmlessly."""
    return len(services.orphelins_supprimer())
