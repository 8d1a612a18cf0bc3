from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from espace_sante.lib.taches import PANNES

from .services import notification_envoyer_maintenant


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, *PANNES),
    retry_backoff=True,
    max_retries=6,
)
def notification_envoyer(notification_id: int) -> bool:
    return notification_envoyer_maintenant(notification_id=notification_id)
