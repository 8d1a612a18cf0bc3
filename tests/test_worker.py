"""A real Celery worker, consuming from Redis, runs the notification job (DESIGN.md §7)."""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.db import transaction

from espace_sante.celery import app
from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.comptes.services import notification_programmer
from espace_sante.comptes.tasks import notification_envoyer

from .conftest import attendre
from .factories import UtilisateurFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_task_is_queued_on_commit_and_run_by_a_worker(worker, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    destinataire = UtilisateurFactory(email="worker@exemple.test")
    with transaction.atomic():
        notification = notification_programmer(
            destinataire=destinataire, type=TypeNotification.ESPACE_ACTIVE, cle="w1"
        )
        time.sleep(0.5)
        assert Notification.objects.get(pk=notification.pk).envoyee_le is None  # not before commit
    assert attendre(lambda: Notification.objects.get(pk=notification.pk).envoyee_le is not None)
    assert [m.to for m in mail.outbox] == [["worker@exemple.test"]]

    # idempotent: running it again (a redelivery) sends nothing more
    notification_envoyer.delay(notification.pk)
    doublon = notification_programmer(
        destinataire=destinataire, type=TypeNotification.ESPACE_ACTIVE, cle="w1"
    )
    assert doublon.pk == notification.pk
    time.sleep(1.5)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).tentatives == 1


def test_a_rolled_back_transaction_queues_nothing(worker) -> None:  # type: ignore[no-untyped-def]
    destinataire = UtilisateurFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_programmer(
            destinataire=destinataire, type=TypeNotification.ESPACE_ACTIVE, cle="annule"
        )
        raise RuntimeError("rollback")
    time.sleep(1.0)
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_tasks_are_acknowledged_late_and_retried() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert notification_envoyer.max_retries == 6 and notification_envoyer.retry_backoff
