"""A DMP import whose worker process is killed (SIGKILL) in the middle of the archive: the
message is given back to the queue (late acknowledgement, ``reject_on_worker_lost``), a new
pool process resumes the import, and every document ends stored once.

A real Celery worker runs as a separate process (prefork, one pool process) on Redis and on the
test database: PostgreSQL, which another process can reach (the SQLite test database lives in
this process's memory)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from dossier import import_dmp
from dossier.models import Document, ImportDMP
from ensemble import demo
from espace_sante.coffre import services as coffre
from espace_sante.journal.services import Acteur

from ..conftest import attendre, en_ci
from ..factories import EspaceFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RACINE = Path(__file__).resolve().parents[2]
DOCUMENTS = 150


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        if en_ci():
            pytest.fail("CI runs the suite on PostgreSQL")
        pytest.skip("a worker process needs a database it can reach: PostgreSQL")


def _url_base() -> str:
    reglages = connection.settings_dict
    hote = reglages["HOST"] or "127.0.0.1"
    port = reglages["PORT"] or "5432"
    return f"postgres://{reglages['USER']}@{hote}:{port}/{reglages['NAME']}"


def _enfants(pid: int) -> list[int]:
    sortie = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(ligne) for ligne in sortie.stdout.split()]


def test_a_worker_killed_midway_through_an_import_is_replaced_and_the_import_finishes(
    postgresql, file_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    broker, file = file_redis
    espace = EspaceFactory()
    archive = demo.archive_xdm(
        ins=espace.ins,
        documents=[
            demo.DocumentXDM(
                contenu=demo.cda(ins=espace.ins, titre=f"Compte rendu {rang}"),
                identifiant_unique=f"1.2.250.1.999.8.{rang}",
            )
            for rang in range(DOCUMENTS)
        ],
    )
    env = {
        **os.environ,
        "DATABASE_URL": _url_base(),
        "REDIS_URL": broker,
        "VAR_DIR": str(settings.VAR_DIR),
        # the objects where this test stores them (tests/conftest.py: _stockage_isole)
        "BLOBS_DIR": settings.STORAGES["default"]["OPTIONS"]["location"],
        "CONN_MAX_AGE": "0",
        "CELERY_TASK_DEFAULT_QUEUE": file,  # the ingestion jobs it queues come back to it
    }
    journal = tmp_path / "worker.log"
    with open(journal, "wb") as sortie:
        travailleur = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                *("-A", "espace_sante", "worker", "--pool", "prefork", "--concurrency", "1"),
                *("-Q", file, "--loglevel", "WARNING"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=RACINE,
            env=env,
            stdout=sortie,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        demande = import_dmp.import_demander(
            espace=espace,
            attente=coffre.blob_stocker(source=[archive], media_type="application/zip"),
            acteur=Acteur.systeme(),
        )  # committed: the task is on the queue now

        def au_milieu() -> bool:
            traites = ImportDMP.objects.get(pk=demande.pk).traites
            return 10 <= traites < DOCUMENTS

        assert attendre(au_milieu, 90), journal.read_text()
        tues = _enfants(travailleur.pid)
        assert tues, "the worker has no pool process"
        for pid in tues:
            os.kill(pid, signal.SIGKILL)
        avant = ImportDMP.objects.get(pk=demande.pk).traites
        assert avant < DOCUMENTS

        def fini() -> bool:
            return ImportDMP.objects.get(pk=demande.pk).etat == ImportDMP.Etat.TERMINE

        assert attendre(fini, 120), journal.read_text()
        assert set(_enfants(travailleur.pid)).isdisjoint(tues)  # a new pool process did it
    finally:
        travailleur.send_signal(signal.SIGTERM)
        try:
            travailleur.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(travailleur.pid, signal.SIGKILL)
            travailleur.wait(timeout=10)
    demande.refresh_from_db()
    assert demande.traites == demande.total == DOCUMENTS
    assert len(demande.rapport["importes"]) == DOCUMENTS
    assert demande.rapport["deja_presents"] == [] and demande.rapport["refuses"] == []
    documents = Document.objects.filter(espace=espace)
    assert documents.count() == DOCUMENTS
    assert documents.values("identifiant_unique").distinct().count() == DOCUMENTS
    assert demande.blob is None
