"""Reminders sent by real Celery workers (issue 19, point 2): a worker killed outright
(SIGKILL of the whole group) in the middle of a run, and queued batch tasks lost by the broker:
every due reminder still goes, late, and once — counted by the e-mails' Message-ID in the
files the workers wrote (Django's file backend, one file per connection and process).

The worker is stopped before it hands the next e-mail to the mail backend
(``FichiersBloquants``): the window after the server took an e-mail and before the row is
marked (docs/AGENDA.md) is not what this test measures."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from agenda import rappels
from agenda.models import EnvoiRappel, Rappel
from agenda.tasks import rappels_envoyer, rappels_planifier

from ..conftest import attendre
from ..factories import EspaceFactory
from ..fautes.reprise import commande_worker, environnement, postgresql, processus, tuer, url_base
from .outils import dans, message_ids, rdv_creer

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
__all__ = ["postgresql"]

RAPPELS = 120


def _rappels_dus() -> set[int]:
    """``RAPPELS`` reminders of 40 spaces falling due now."""
    for _rang in range(RAPPELS // 3):
        rdv_creer(
            EspaceFactory(), dans(60), rappels=[(10, "minutes"), (20, "minutes"), (30, "minutes")]
        )
    Rappel.objects.update(echeance=timezone.now() - timedelta(seconds=1))
    return set(Rappel.objects.values_list("pk", flat=True))


def _env(broker: str, file: str, courriels: Path, **autres: str) -> dict[str, str]:
    courriels.mkdir(exist_ok=True)
    return environnement(
        DATABASE_URL=url_base(),
        REDIS_URL=broker,
        CELERY_TASK_DEFAULT_QUEUE=file,
        TACHES_VISIBILITE_SECONDES="3",
        EMAIL_URL=f"filemail:///{courriels}",  # environ drops one leading slash
        AGENDA_EMAIL_BACKEND="tests.agenda.outils.FichiersBloquants",
        AGENDA_LOT="10",
        AGENDA_BAIL_SECONDES="3",
        **autres,
    )


def _tous_envoyes() -> bool:
    return EnvoiRappel.objects.filter(statut=EnvoiRappel.Statut.ENVOYE).count() == RAPPELS


def _jusqu_au_bout(secondes: float = 60) -> bool:
    """The beat's ticks (every 2 s here) until every sending is marked sent."""
    limite = time.monotonic() + secondes
    while time.monotonic() < limite:
        rappels_planifier.delay()
        if attendre(_tous_envoyes, 2):
            return True
    return False


def _verifier(courriels: Path) -> None:
    envois = set(EnvoiRappel.objects.values_list("pk", flat=True))
    assert len(envois) == RAPPELS  # one holder per space
    vus = Counter(message_ids(courriels))
    assert set(vus) == envois, "every due reminder was sent"
    assert max(vus.values()) == 1, f"none twice: {[k for k, n in vus.items() if n > 1]}"


def test_a_worker_killed_mid_run_delivers_late_never_twice_never_loses_one(
    postgresql, file_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    broker, file = file_redis
    courriels = tmp_path / "courriels"
    _rappels_dus()
    journal = tmp_path / "worker.log"
    env = _env(broker, file, courriels, AGENDA_TEST_BLOQUER_A="25")
    with processus(commande_worker(file, concurrence=2), env, journal) as premier:
        rappels_planifier.delay()
        assert attendre((courriels / "bloque").exists, 30), (
            Counter(EnvoiRappel.objects.values_list("statut", flat=True)),
            Rappel.objects.filter(envois_crees=True).count(),
        )
        time.sleep(0.5)  # the other pool process stops at its next e-mail too
        tuer(premier)
    statuts = Counter(EnvoiRappel.objects.values_list("statut", flat=True))
    assert statuts["envoye"] >= 24 and statuts["en_cours"] >= 1, statuts  # killed mid-run
    (courriels / "bloque").unlink()

    with processus(commande_worker(file, concurrence=2), _env(broker, file, courriels), journal):
        assert _jusqu_au_bout(), (
            Counter(EnvoiRappel.objects.values_list("statut", flat=True)),
            journal.read_text(),
        )
    _verifier(courriels)


def test_batch_tasks_lost_by_the_broker_cost_nothing(postgresql, file_redis, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import redis

    broker, file = file_redis
    courriels = tmp_path / "courriels"
    _rappels_dus()
    rappels.envois_creer()  # the tick ran, its batch tasks are queued…
    for _rang in range(3):
        rappels_envoyer.delay()
    redis.Redis.from_url(broker).delete(file)  # …and the broker restarted empty: lost
    journal = tmp_path / "worker.log"
    with processus(commande_worker(file, concurrence=2), _env(broker, file, courriels), journal):
        assert _jusqu_au_bout(), journal.read_text()
    _verifier(courriels)
