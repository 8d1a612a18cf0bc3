"""A worker killed outright (SIGKILL of the whole worker, main process included, as the OOM
killer or a lost machine would) in the middle of a DMP import (issue 14, points 3 and 5): the
message it held comes back to the queue once its visibility timeout passes (a few seconds here,
``TACHES_VISIBILITE_SECONDES``), a new worker resumes the import from its progress, and every
document ends stored once and "disponible", with a true report. Before: the message stayed
invisible for an hour and the periodic sweep took it up after 10 to 15 minutes.

And a worker that lives keeps what it holds: a task running longer than the visibility timeout
is never handed to another process meanwhile (``VisibiliteEntretenue``)."""

from __future__ import annotations

import os
import time

import pytest

from dossier import import_dmp
from dossier.models import Document, ImportDMP, Statut
from ensemble import demo
from espace_sante.coffre import services as coffre
from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur

from ..conftest import attendre
from ..factories import EspaceFactory
from .reprise import (
    commande_worker,
    environnement,
    postgresql,
    processus,
    tuer,
    url_base,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
__all__ = ["postgresql"]

# seconds: 3 for the suite; FAUTES_VISIBILITE_SECONDES=60 measures the production default
VISIBILITE = int(os.environ.get("FAUTES_VISIBILITE_SECONDES", "3"))


def _import(documents: int) -> ImportDMP:
    espace = EspaceFactory()
    archive = demo.archive_xdm(
        ins=espace.ins,
        documents=[
            demo.DocumentXDM(
                contenu=demo.cda(ins=espace.ins, titre=f"Compte rendu {rang}"),
                identifiant_unique=f"1.2.250.1.999.14.{rang}",
            )
            for rang in range(documents)
        ],
    )
    return import_dmp.import_demander(
        espace=espace,
        attente=coffre.blob_stocker(source=[archive], media_type="application/zip"),
        acteur=Acteur.systeme(),
    )  # committed: the task is on the queue now


def _fini(demande: ImportDMP) -> bool:
    """The import is over and so is the ingestion of every document it stored."""
    return (
        ImportDMP.objects.get(pk=demande.pk).etat == ImportDMP.Etat.TERMINE
        and not Document.objects.filter(
            espace=demande.espace_id, statut=Statut.EN_TRAITEMENT
        ).exists()
    )


def _verifier(demande: ImportDMP, documents: int) -> None:
    demande.refresh_from_db()
    assert demande.etat == ImportDMP.Etat.TERMINE
    assert demande.traites == demande.total == documents
    assert len(demande.rapport["importes"]) == documents  # what the person reads is true
    assert demande.rapport["deja_presents"] == [] and demande.rapport["refuses"] == []
    stockes = Document.objects.filter(espace=demande.espace)
    assert stockes.count() == documents
    assert stockes.values("identifiant_unique").distinct().count() == documents
    assert set(stockes.values_list("statut", flat=True)) == {Statut.DISPONIBLE}
    fins = Evenement.objects.filter(action=Action.IMPORT_DMP_TERMINE, objet_id=str(demande.uuid))
    assert fins.count() == 1


def test_an_import_held_by_a_killed_worker_is_resumed_by_the_next_worker(
    postgresql, file_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    broker, file = file_redis
    env = environnement(
        DATABASE_URL=url_base(),
        REDIS_URL=broker,
        CONN_MAX_AGE="600",
        CELERY_TASK_DEFAULT_QUEUE=file,
        TACHES_VISIBILITE_SECONDES=str(VISIBILITE),
    )
    journal = tmp_path / "worker.log"
    documents = 150
    with processus(commande_worker(file), env, journal) as premier:
        demande = _import(documents)

        def au_milieu() -> bool:
            return 10 <= ImportDMP.objects.get(pk=demande.pk).traites < documents

        assert attendre(au_milieu, 90), journal.read_text()
        tuer(premier)
    tue_le = time.monotonic()
    assert ImportDMP.objects.get(pk=demande.pk).etat == ImportDMP.Etat.EN_COURS

    with processus(commande_worker(file), env, journal):
        assert attendre(lambda: _fini(demande), VISIBILITE + 60), journal.read_text()
    reprise = time.monotonic() - tue_le
    print(f"\nreprise après SIGKILL : {reprise:.1f} s (visibilité {VISIBILITE} s)")
    _verifier(demande, documents)


def test_a_live_worker_keeps_a_task_longer_than_the_visibility_timeout_to_itself(
    postgresql, file_redis, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    broker, file = file_redis
    env = environnement(
        DATABASE_URL=url_base(),
        REDIS_URL=broker,
        CONN_MAX_AGE="600",
        CELERY_TASK_DEFAULT_QUEUE=file,
        TACHES_VISIBILITE_SECONDES="1",
    )
    journal = tmp_path / "worker.log"
    documents = 200
    with processus(commande_worker(file, concurrence=2), env, journal):
        debut = time.monotonic()
        demande = _import(documents)
        assert attendre(lambda: _fini(demande), 90), journal.read_text()
        duree = time.monotonic() - debut
        time.sleep(1.5)  # a copy handed out meanwhile would have run by now
    assert duree > 2, "the import must outlast the visibility timeout for the test to mean it"
    _verifier(demande, documents)
