"""The database restarting under a real worker (issue 14, points 1 and 5): a prefork worker
reusing its connections (``CELERY_DB_REUSE_MAX``, persistent connections, as in production)
reaches PostgreSQL through the loopback proxy, which is cut while documents are being ingested.
Its tasks are retried with backoff, and every acknowledged document ends "disponible", once.

Found in production: one pool process failed all of its tasks with "the connection is closed"
for 19 minutes, and 86 acknowledged uploads stayed "en traitement"."""

from __future__ import annotations

import time
from datetime import date

import pytest
from django.db import connection

from dossier.models import Document, Source, Statut
from dossier.services import document_creer
from ensemble import demo
from espace_sante.comptes.models import Notification
from espace_sante.journal.services import Acteur

from ..conftest import attendre
from ..factories import EspaceFactory
from .proxy import ProxyTCP
from .reprise import (
    commande_worker,
    environnement,
    postgresql,
    processus,
    url_base,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
__all__ = ["postgresql"]


def _deposer(espace, rang: int) -> Document:  # type: ignore[no-untyped-def]
    return document_creer(
        espace=espace,
        contenu=demo.cda(ins=espace.ins, titre=f"Compte rendu {rang}"),
        nom_fichier=f"cr-{rang}.xml",
        titre=f"Compte rendu {rang}",
        date_acte=date(2026, 1, 10),
        type_code="11502-2",
        auteur=Acteur.systeme(),
        source=Source.IMPORT_DMP,
    )  # committed: its ingestion is on the queue


def test_a_worker_whose_database_restarts_retries_and_every_document_ends_available_once(
    postgresql, file_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    broker, file = file_redis
    reglages = connection.settings_dict
    espace = EspaceFactory()
    with ProxyTCP(reglages["HOST"] or "127.0.0.1", int(reglages["PORT"] or 5432)) as proxy:
        env = environnement(
            DATABASE_URL=url_base(proxy.port),
            REDIS_URL=broker,
            CONN_MAX_AGE="600",
            CELERY_TASK_DEFAULT_QUEUE=file,
        )
        journal = tmp_path / "worker.log"
        with processus(commande_worker(file, concurrence=2), env, journal):
            deposes = [_deposer(espace, rang) for rang in range(10)]

            def disponibles() -> int:
                return Document.objects.filter(espace=espace, statut=Statut.DISPONIBLE).count()

            assert attendre(lambda: disponibles() >= 5, 60), journal.read_text()
            proxy.couper()  # the database "restarts": open connections reset, new ones refused
            deposes += [_deposer(espace, rang) for rang in range(10, 20)]  # acknowledged
            time.sleep(1.5)
            proxy.retablir()
            assert attendre(lambda: disponibles() == 20, 60), journal.read_text()

    documents = Document.objects.filter(espace=espace)
    assert sorted(documents.values_list("pk", flat=True)) == sorted(d.pk for d in deposes)
    assert set(documents.values_list("statut", flat=True)) == {Statut.DISPONIBLE}
    # processed once each: the holder is told once per document, no more
    assert Notification.objects.filter(destinataire=espace.titulaire).count() == 20
