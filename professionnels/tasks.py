"""Thin task wrappers: e-mails that leave after commit."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import RevendicationRpps


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=6,
)
def revendication_rpps_prevenir(revendication_id: int) -> bool:
    """Tell whoever claimed an RPPS another account holds to contact support (no account was
    created for them, so this is a plain e-mail to the address they typed)."""
    revendication = RevendicationRpps.objects.filter(pk=revendication_id).first()
    if revendication is None:
        return False
    contexte = {"revendication": revendication, "support": settings.SUPPORT_EMAIL}
    send_mail(
        subject="Espace Santé — Votre demande d'inscription professionnelle",
        message=render_to_string("professionnels/email_revendication_rpps.txt", contexte),
        from_email=None,
        recipient_list=[revendication.email],
    )
    return True
