"""The reminders' periodic task (Celery beat, every minute) and the batch task it queues.
Thin wrappers: the work and its guarantees are in ``agenda.rappels``."""

from __future__ import annotations

import math

from celery import shared_task
from django.conf import settings

from . import rappels


@shared_task(acks_late=True)
def rappels_planifier() -> int:
    """Create the sendings due soon, then queue enough batch tasks for what is due now (a
    lost or duplicated batch task costs nothing: a batch claims its rows)."""
    rappels.envois_creer()
    dus = rappels.envois_en_attente()
    taches = min(settings.AGENDA_TACHES_MAX, math.ceil(dus / settings.AGENDA_LOT))
    for _rang in range(taches):
        rappels_envoyer.delay()
    return taches


@shared_task(acks_late=True)
def rappels_envoyer() -> int:
    return rappels.lots_envoyer()
