"""A real Celery worker, consuming from Redis, runs the reimbursement sync end to end: queued
on commit by the beat job, a 503 retried by the worker after its backoff, every line once."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError

from dossier.assurance.simulateur import Simulateur
from dossier.models import LigneRemboursement, SynchroRemboursements
from dossier.tasks import remboursements_synchroniser_tous
from espace_sante.journal.models import Action, Evenement

from ..conftest import attendre
from ..factories import EspaceFactory

pytest_plugins = ["tests.dossier.test_remboursements_outils"]  # the simulator's fixtures
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_beat_job_and_a_worker_sync_every_space_retrying_a_503(
    assurance: Simulateur, worker
) -> None:  # type: ignore[no-untyped-def]
    espaces = [EspaceFactory() for _ in range(3)]
    assurance.echouer(503)  # the first request of the first space
    remboursements_synchroniser_tous.delay()  # queued to the worker too: it queues the spaces
    attendu = {e.pk: assurance.total(e.ins) for e in espaces}

    def fini() -> bool:
        try:
            return all(
                LigneRemboursement.objects.filter(espace_id=pk).count() == n
                for pk, n in attendu.items()
            )
        except OperationalError:  # SQLite's in-memory test database: a table locked by the
            return False  # worker's thread while it writes; asked again 0.1 s later

    assert attendre(fini)
    assert [r.statut for r in assurance.journal].count(503) == 1
    for espace in espaces:
        etat = SynchroRemboursements.objects.get(espace=espace)
        assert etat.derniere_reussite is not None and etat.echecs_consecutifs == 0
        assert Evenement.objects.filter(
            espace_uuid=espace.uuid, action=Action.REMBOURSEMENTS_SYNCHRONISES
        ).exists()
    # The worker ran them again (a redelivery): nothing more.
    from dossier.tasks import remboursements_synchroniser

    for espace in espaces:
        remboursements_synchroniser.delay(espace.pk)
    assert attendre(
        lambda: len(assurance.journal) >= sum((n + 24) // 25 for n in attendu.values()) + 1 + 3
    )
    assert attendre(fini)
    time.sleep(0.5)
    assert LigneRemboursement.objects.count() == sum(attendu.values())
