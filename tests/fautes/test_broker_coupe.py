"""Broker outages degrade, never lie (issue 14, point 2): with Redis cut between the application
and the broker, an upload, a DMP import and an export request are accepted with their job
recorded (the outbox), the person is told "en attente", and the job runs exactly once when the
broker is back — against the real PostgreSQL (in CI), Redis and a real worker."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dossier.models import Document, ImportDMP, Statut
from dossier.tasks import import_dmp_executer
from ensemble import demo
from espace_sante.coffre.services import blob_lire
from espace_sante.taches.models import TacheEnAttente
from espace_sante.taches.services import taches_envoyer
from profil.models import Espace, ExportDonnees

from ..conftest import attendre
from ..dossier import fabrique
from .broker import base_sur_fichier, broker_coupable  # noqa: F401  (fixtures)
from .proxy import ProxyTCP

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _en_attente(objet_type: str, objet_id: int) -> TacheEnAttente:
    return TacheEnAttente.objects.get(objet_type=objet_type, objet_id=objet_id)


def _jamais_renvoyee(objet_type: str, objet_id: int) -> None:
    """The sweep, run again, leaves this job alone: it has left, once.

    Not ``taches_envoyer() == 0``: the worker may still be recording jobs of its own (the
    notification of each imported document it ingests, of the export it made ready) and sends
    each right after its commit; a sweep that comes in between sends it instead, once all the
    same (docs/TACHES.md)."""
    avant = _en_attente(objet_type, objet_id)
    assert avant.envoyee_le is not None
    taches_envoyer()
    apres = _en_attente(objet_type, objet_id)
    assert (apres.envoyee_le, apres.essais) == (avant.envoyee_le, avant.essais)


def test_an_upload_while_the_broker_is_down_is_kept_shown_waiting_and_ingested_once_it_is_back(
    broker_coupable: ProxyTCP,  # noqa: F811
    titulaire: Espace,
    client_titulaire: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    contenu = fabrique.pdf(2)
    broker_coupable.couper()
    reponse = client_titulaire.post(
        reverse("dossier:deposer", args=[titulaire.uuid]),
        {
            "fichiers": SimpleUploadedFile("cr.pdf", contenu, "application/pdf"),
            "titre": "Compte rendu",
            "date_acte": "2026-01-15",
            "type_code": "DOCPAT05",
        },
    )
    assert reponse.status_code == 302  # accepted, not a 500
    document = Document.objects.get()
    tache = _en_attente("document", document.pk)
    assert tache.envoyee_le is None and tache.essais == 1 and tache.derniere_erreur
    assert "Broker injoignable" in caplog.text

    page = client_titulaire.get(reponse["Location"]).content.decode()
    assert "en attente" in page and "ajouté" not in page
    assert "inutile de l&#x27;envoyer à nouveau" in page or "inutile de les envoyer" in page
    liste = client_titulaire.get(reverse("dossier:documents", args=[titulaire.uuid]))
    assert "En attente" in liste.content.decode()
    etat = client_titulaire.get(reverse("dossier:statut", args=[titulaire.uuid, document.uuid]))
    assert etat.json()["en_attente"] is True and etat.json()["libelle"] == "En attente"

    assert taches_envoyer() == 0  # the sweep, while the broker is still away: nothing leaves
    time.sleep(0.5)
    document.refresh_from_db()
    assert document.statut == Statut.EN_TRAITEMENT and document.tentatives == 0

    broker_coupable.retablir()
    assert taches_envoyer() == 1  # the broker is back: the sweep sends it
    assert attendre(lambda: Document.objects.get().statut == Statut.DISPONIBLE, 30)
    assert taches_envoyer() == 0  # and never again
    time.sleep(1.0)
    document.refresh_from_db()
    assert document.tentatives == 1  # ingested exactly once
    assert Document.objects.count() == 1
    assert b"".join(blob_lire(document.blob)) == contenu  # nothing lost
    page = client_titulaire.get(reponse["Location"]).content.decode()
    assert "en attente" not in page


def test_a_dmp_import_while_the_broker_is_down_waits_then_imports_each_document_once(
    broker_coupable: ProxyTCP,  # noqa: F811
    titulaire: Espace,
    client_titulaire: Client,
) -> None:
    archive = demo.archive_xdm(
        ins=titulaire.ins,
        documents=[
            demo.DocumentXDM(
                contenu=demo.cda(ins=titulaire.ins, titre=f"Compte rendu {rang}"),
                identifiant_unique=f"1.2.250.1.999.14.{rang}",
            )
            for rang in range(3)
        ],
    )
    broker_coupable.couper()
    reponse = client_titulaire.post(
        reverse("dossier:import_dmp", args=[titulaire.uuid]),
        {"archive": SimpleUploadedFile("dmp.zip", archive, "application/zip")},
    )
    assert reponse.status_code == 302
    demande = ImportDMP.objects.get()
    assert demande.etat == ImportDMP.Etat.EN_ATTENTE
    assert _en_attente("import_dmp", demande.pk).envoyee_le is None
    page = client_titulaire.get(reponse["Location"]).content.decode()
    assert "L'import est en attente" in page

    broker_coupable.retablir()
    assert taches_envoyer() == 1
    assert attendre(lambda: ImportDMP.objects.get().etat == ImportDMP.Etat.TERMINE, 60)
    assert Document.objects.filter(espace=titulaire).count() == 3
    _jamais_renvoyee("import_dmp", demande.pk)
    import_dmp_executer.delay(demande.pk)  # delivered again: nothing more
    time.sleep(1.0)
    assert Document.objects.filter(espace=titulaire).count() == 3


def test_an_export_asked_while_the_broker_is_down_waits_then_is_built_once(
    broker_coupable: ProxyTCP,  # noqa: F811
    titulaire: Espace,
    client_titulaire: Client,
) -> None:
    broker_coupable.couper()
    reponse = client_titulaire.post(reverse("ensemble:export_demander", args=[titulaire.uuid]))
    assert reponse.status_code == 302
    export = ExportDonnees.objects.get()
    assert export.etat == ExportDonnees.Etat.EN_ATTENTE
    page = client_titulaire.get(reponse["Location"]).content.decode()
    assert "Sa préparation est en attente" in page
    assert "En attente : la préparation commencera automatiquement" in page
    # asking again while it waits queues nothing more
    client_titulaire.post(reverse("ensemble:export_demander", args=[titulaire.uuid]))
    assert TacheEnAttente.objects.filter(objet_type="export").count() == 1

    broker_coupable.retablir()
    assert taches_envoyer() >= 1
    assert attendre(lambda: ExportDonnees.objects.get().etat == ExportDonnees.Etat.PRET, 60)
    _jamais_renvoyee("export", export.pk)
    time.sleep(1.0)
    assert ExportDonnees.objects.get().tentatives == 1
