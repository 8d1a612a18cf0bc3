from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from espace_sante.lib.taches import PANNES

from .services import accuse_reception_envoyer_maintenant


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, *PANNES),
    retry_backoff=True,
    max_retries=6,
)
def accuse_reception_envoyer(demande_id: int) -> bool:
    return accuse_reception_envoyer_maintenant(demande_id=demande_id)
