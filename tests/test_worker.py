"""A real Celery worker, consuming from Redis, runs the notification job (DESIGN.md §7)."""

from __future__ import annotations

import os
import time
import uuid

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from espace_sante.celery import app
from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.comptes.services import notification_programmer
from espace_sante.comptes.tasks import notification_envoyer

from .conftest import en_ci
from .factories import UtilisateurFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker() -> str:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if en_ci():
            pytest.fail(f"Redis is required in CI and is not reachable at {url}")
        pytest.skip(f"no Redis at {url}: the real-worker test needs one")
    return url


@pytest.fixture
def worker(broker: str):  # type: ignore[no-untyped-def]
    anciens = {
        cle: app.conf[cle]
        for cle in ("broker_url", "task_always_eager", "task_default_queue", "result_backend")
    }
    file = f"test-{uuid.uuid4().hex}"
    app.conf.update(
        broker_url=broker,
        task_always_eager=False,
        task_default_queue=file,
        result_backend=None,
    )
    app.close()
    app.__dict__.pop("amqp", None)  # an earlier eager call cached the old default queue
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=[file], loglevel="WARNING"
        ):
            yield
    finally:
        app.conf.update(anciens)
        app.close()
        app.__dict__.pop("amqp", None)


def _attendre(condition, secondes: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    limite = time.monotonic() + secondes
    while time.monotonic() < limite:
        if condition():
            return True
        time.sleep(0.1)
    return False


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
    assert _attendre(lambda: Notification.objects.get(pk=notification.pk).envoyee_le is not None)
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
