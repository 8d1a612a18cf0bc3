"""The outbox itself (docs/TACHES.md): a job exists exactly when its rows do, is run at once in
the embedded default, and is published once even if two dispatchers race for it."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings as reglages
from django.db import connection, transaction

from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.comptes.services import notification_programmer
from espace_sante.taches import services
from espace_sante.taches.models import TacheEnAttente

from ..factories import UtilisateurFactory


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_job() -> None:
    destinataire = UtilisateurFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notification_programmer(
            destinataire=destinataire, type=TypeNotification.ESPACE_ACTIVE, cle="annulee"
        )
        raise RuntimeError("rollback")
    assert not TacheEnAttente.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_default_the_job_runs_right_after_commit_and_is_marked_sent() -> None:
    destinataire = UtilisateurFactory()
    with transaction.atomic():
        notification = notification_programmer(
            destinataire=destinataire, type=TypeNotification.ESPACE_ACTIVE, cle="en-ligne"
        )
        assert TacheEnAttente.objects.get().envoyee_le is None
    assert Notification.objects.get(pk=notification.pk).envoyee_le is not None
    tache = TacheEnAttente.objects.get()
    assert tache.envoyee_le is not None and tache.essais == 1
    assert services.taches_envoyer() == 0  # nothing is sent twice


@pytest.mark.django_db(transaction=True)
def test_a_job_another_dispatcher_holds_is_skipped_then_sent_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) need PostgreSQL, as in CI")
    from espace_sante.celery import app

    app.conf.task_always_eager = False  # restored by the autouse fixture of conftest
    publies: list[str] = []
    monkeypatch.setattr(app, "send_task", lambda nom, args: publies.append(nom))
    ligne = TacheEnAttente.objects.create(tache="dossier.tasks.document_ingerer", arguments=[1])
    pris, relache = threading.Event(), threading.Event()

    def autre_dispatcher() -> None:
        with transaction.atomic():
            TacheEnAttente.objects.select_for_update().get(pk=ligne.pk)
            pris.set()
            relache.wait(10)
        connection.close()

    fil = threading.Thread(target=autre_dispatcher)
    fil.start()
    assert pris.wait(10)
    assert services.taches_envoyer() == 0  # held by the other: skipped, not waited for
    relache.set()
    fil.join()
    assert services.taches_envoyer() == 1
    assert services.taches_envoyer() == 0
    assert publies == ["dossier.tasks.document_ingerer"]


def test_beat_sends_waiting_jobs_every_few_seconds() -> None:
    planifiee = reglages.CELERY_BEAT_SCHEDULE["taches-en-attente"]
    assert planifiee["task"] == "espace_sante.taches.tasks.taches_envoyer_en_attente"
    assert planifiee["schedule"].total_seconds() <= 60


@pytest.mark.django_db
def test_a_job_is_named_and_an_unknown_name_writes_nothing() -> None:
    """Services name their jobs (no import of the tasks module, so no import circle); a name
    Celery does not know is refused before any row is written."""
    with pytest.raises(LookupError):
        services.tache_programmer("dossier.tasks.n_existe_pas", 1)
    assert not TacheEnAttente.objects.exists()
    ligne = services.tache_programmer("dossier.tasks.document_ingerer", 1)
    assert ligne.tache == "dossier.tasks.document_ingerer"
