"""Periodic jobs of the space's life: thin wrappers around one service each."""

from __future__ import annotations

from celery import shared_task

from espace_sante.lib.taches import PANNES, REPRISE

from . import representations, services


@shared_task(acks_late=True, autoretry_for=PANNES, **REPRISE)
def representations_terminer_majorite() -> int:
    return representations.representations_terminer_majorite()


@shared_task(acks_late=True, autoretry_for=PANNES, **REPRISE)
def espaces_purger_echus() -> int:
    return services.espaces_purger_echus()
