"""Notifications: recorded in the transaction that causes them, sent after commit by a task."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from espace_sante.taches.services import tache_programmer

from .models import NOTIFICATIONS_FACULTATIVES, Notification, TypeNotification, Utilisateur


def notification_voulue(*, destinataire: Utilisateur, type: TypeNotification | str) -> bool:
    """Whether the person wants this e-mail: those of ``NOTIFICATIONS_FACULTATIVES`` can be
    turned off in Paramètres, every other one is always sent."""
    return type not in NOTIFICATIONS_FACULTATIVES or type not in (
        destinataire.notifications_refusees or []
    )


def notification_programmer(
    *, destinataire: Utilisateur, type: TypeNotification, cle: str
) -> Notification | None:
    """Record a notification (once per ``cle``) and queue its sending on commit; nothing when
    the person turned this kind of e-mail off."""
    if not notification_voulue(destinataire=destinataire, type=type):
        return None
    notification, cree = Notification.objects.get_or_create(
        cle=f"{type}:{cle}", defaults={"destinataire": destinataire, "type": type}
    )
    if cree:
        tache_programmer(
            "espace_sante.comptes.tasks.notification_envoyer",
            notification.pk,
            objet_type="notification",
            objet_id=notification.pk,
        )
    return notification


def notification_envoyer_maintenant(*, notification_id: int) -> bool:
    """Send it if it has not been sent. Returns whether an e-mail left now."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("destinataire")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.envoyee_le is not None:
            return False
        notification.tentatives += 1
        notification.save(update_fields=["tentatives"])
    contexte = {
        "notification": notification,
        "destinataire": notification.destinataire,
        "site_url": settings.SITE_URL,
    }
    send_mail(
        subject=f"Espace Santé — {notification.get_type_display()}",
        message=render_to_string("comptes/email_notification.txt", contexte),
        from_email=None,
        recipient_list=[notification.destinataire.email],
    )
    Notification.objects.filter(pk=notification.pk, envoyee_le__isnull=True).update(
        envoyee_le=timezone.now()
    )
    return True
