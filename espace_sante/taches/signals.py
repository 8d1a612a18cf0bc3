"""A worker that starts sends at once what waited while the broker was away."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import worker_ready

from .tasks import taches_envoyer_en_attente

logger = logging.getLogger(__name__)


@worker_ready.connect
def _envoyer_au_demarrage(sender: Any = None, **kwargs: Any) -> None:
    try:
        taches_envoyer_en_attente.delay()
    except Exception as erreur:
        logger.warning("Envoi des tâches en attente au démarrage impossible (%s).", erreur)
