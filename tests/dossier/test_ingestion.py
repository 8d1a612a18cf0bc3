"""From upload to preview: the deposit, the ingestion job, and bad input."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dossier import ingestion, services
from dossier.models import Apercu, Document, Source, Statut
from espace_sante.coffre.models import Blob
from espace_sante.journal.models import Action, Evenement
from profil.models import Espace

from ..coffre.conftest import objets_stockes
from . import fabrique

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _stockage_propre(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "blobs")},
        },
    }


def _deposer(client: Client, espace: Espace, contenu: bytes, nom: str, **champs: str):  # type: ignore[no-untyped-def]
    donnees = {
        "fichiers": SimpleUploadedFile(nom, contenu, content_type="application/octet-stream"),
        "titre": champs.pop("titre", "Mon document"),
        "date_acte": champs.pop("date_acte", "2026-01-15"),
        "type_code": champs.pop("type_code", "DOCPAT05"),
        **champs,
    }
    return client.post(reverse("dossier:deposer", args=[espace.uuid]), donnees)


@pytest.mark.parametrize(
    ("nom", "contenu", "nature", "images"),
    [
        ("cr.pdf", fabrique.pdf(3), "pdf", 0),
        ("photo.jpg", fabrique.jpeg(), "jpeg", 1),
        ("scan.png", fabrique.png(), "png", 1),
        ("irm.dcm", fabrique.dicom(images=3), "dicom", 3),
        ("note.txt", "Rendez-vous le 3 février à 9 h.\n".encode(), "texte", 0),
    ],
)
def test_an_upload_becomes_an_available_document_with_previews(
    titulaire: Espace,
    client_titulaire: Client,
    django_capture_on_commit_callbacks,
    nom: str,
    contenu: bytes,
    nature: str,
    images: int,
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _deposer(client_titulaire, titulaire, contenu, nom)
    document = Document.objects.get()
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("dossier:document", args=[titulaire.uuid, document.uuid])
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    assert document.nature == nature and document.source == "patient"
    assert document.apercus.filter(genre=Apercu.Genre.IMAGE).count() == images
    page = client_titulaire.get(reponse["Location"]).content.decode()
    assert "Ajouté par vous" in page
    if images:
        image = client_titulaire.get(
            reverse("dossier:apercu", args=[titulaire.uuid, document.uuid, "image", 0])
        )
        assert b"".join(image.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    telecharge = client_titulaire.get(
        reverse("dossier:contenu", args=[titulaire.uuid, document.uuid])
    )
    assert b"".join(telecharge.streaming_content) == contenu
    assert Evenement.objects.filter(
        action=Action.DOCUMENT_DEPOSE, objet_id=str(document.uuid)
    ).exists()


def test_dicom_facts_are_shown(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, fabrique.dicom(), "ct.dcm")
    document = Document.objects.get()
    faits = json.loads(document.faits)
    assert faits["modalite"] == "CT" and faits["region"] == "CHEST"
    page = client_titulaire.get(reverse("dossier:document", args=[titulaire.uuid, document.uuid]))
    assert "Modalité : CT" in page.content.decode()


def test_a_cda_for_this_person_is_read_and_rendered_safely(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, fabrique.cda(ins=titulaire.ins), "cr.xml")
    document = Document.objects.get()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    page = client_titulaire.get(reverse("dossier:document", args=[titulaire.uuid, document.uuid]))
    contenu = page.content.decode()
    assert "TSH : 2,1 mUI/L normal" in contenu
    assert "<script>alert(1)</script>" not in contenu and "&lt;script&gt;" in contenu


def test_a_level_1_cda_shows_its_embedded_pdf(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    integre = fabrique.pdf(1)
    xml = fabrique.cda(ins=titulaire.ins, pdf_b64=base64.b64encode(integre).decode())
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, xml, "n1.xml")
    document = Document.objects.get()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    apercu = client_titulaire.get(
        reverse("dossier:apercu", args=[titulaire.uuid, document.uuid, "pdf", 0])
    )
    assert b"".join(apercu.streaming_content) == integre


def test_a_cda_about_someone_else_is_refused_and_its_content_not_kept(
    titulaire: Espace,
    autre_titulaire: Espace,
    client_titulaire: Client,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, fabrique.cda(ins=autre_titulaire.ins), "cr.xml")
    document = Document.objects.get()
    assert document.statut == Statut.EN_ERREUR
    assert "autre personne" in document.motif_erreur
    assert document.blob is None and not Blob.objects.exists()
    # The page that followed the upload now leads to the notice, on the documents page.
    page = client_titulaire.get(
        reverse("dossier:document", args=[titulaire.uuid, document.uuid]), follow=True
    )
    assert page.redirect_chain[-1][0].endswith("#fichiers-refuses")
    assert "autre personne" in page.content.decode()


@pytest.mark.parametrize(
    ("nom", "contenu", "message"),
    [
        ("facture.pdf", b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"\x00" * 200, ""),
        ("page.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", ""),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 100, ""),
        ("vide.pdf", b"", "vide"),
    ],
)
def test_refused_files_get_a_clear_message_and_nothing_is_stored(
    titulaire: Espace, client_titulaire: Client, nom: str, contenu: bytes, message: str
) -> None:
    reponse = _deposer(client_titulaire, titulaire, contenu, nom)
    assert reponse.status_code == 400
    texte = reponse.content.decode()
    assert "fr-error-text" in texte or "fr-input-group--error" in texte
    if message:
        assert message in texte
    assert not Document.objects.exists() and not Blob.objects.exists()
    assert objets_stockes() == {}


def test_a_corrupt_pdf_ends_in_error_with_its_reason(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, fabrique.pdf(2)[:200], "casse.pdf")
    document = Document.objects.get()
    assert document.statut == Statut.EN_ERREUR and document.motif_erreur
    assert document.blob is None
    assert Evenement.objects.filter(action=Action.DOCUMENT_REFUSE).exists()


def test_bad_metadata_is_refused(titulaire: Espace, client_titulaire: Client) -> None:
    futur = (timezone.localdate() + timedelta(days=3)).isoformat()
    for champs in ({"date_acte": futur}, {"type_code": "11502-2"}, {"titre": "   "}):
        reponse = _deposer(client_titulaire, titulaire, fabrique.pdf(), "a.pdf", **champs)
        assert reponse.status_code == 400
    assert not Document.objects.exists() and objets_stockes() == {}


def test_ingestion_is_idempotent_and_a_killed_run_is_finished_by_the_next(
    titulaire: Espace, client_titulaire: Client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from dossier import tasks

    monkeypatch.setattr(tasks.document_ingerer, "delay", lambda *a, **k: None)  # no worker yet
    _deposer(client_titulaire, titulaire, fabrique.png(), "a.png")
    document = Document.objects.get()
    assert document.statut == Statut.EN_TRAITEMENT

    def tue(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise SystemExit("worker killed")

    monkeypatch.setattr(ingestion, "_apercus_creer", tue)
    with pytest.raises(SystemExit):
        ingestion.document_ingerer(document_id=document.pk)
    monkeypatch.undo()
    document.refresh_from_db()
    assert document.statut == Statut.EN_TRAITEMENT and not document.apercus.exists()
    assert Blob.objects.count() == 1  # the previews' rows rolled back: their objects are orphans
    assert len(objets_stockes()) == 3
    assert ingestion.document_ingerer(document_id=document.pk) == "disponible"
    assert ingestion.document_ingerer(document_id=document.pk) == "ignoré"
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE and document.apercus.count() == 2


def test_stuck_documents_are_queued_again(
    titulaire: Espace, client_titulaire: Client, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from dossier import tasks

    appels: list[int] = []
    monkeypatch.setattr(tasks.document_ingerer, "delay", lambda pk: appels.append(pk))
    _deposer(client_titulaire, titulaire, fabrique.png(), "a.png")
    with django_capture_on_commit_callbacks(execute=True):  # through the outbox
        assert ingestion.documents_relancer_en_suspens() == 0
        Document.objects.update(cree_le=timezone.now() - timedelta(minutes=30))
        assert ingestion.documents_relancer_en_suspens() == 1
    assert appels == [Document.objects.get().pk]


def test_purge_after_thirty_days_removes_blobs_and_previews(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, fabrique.png(), "a.png")
    document = Document.objects.get()
    assert Blob.objects.count() == 3  # original, thumbnail, preview
    client_titulaire.post(
        reverse("dossier:action", args=[titulaire.uuid, document.uuid, "supprimer"])
    )
    assert services.documents_purger_echus() == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.documents_purger_echus(maintenant=timezone.now() + timedelta(days=31)) == 1
    assert not Document.objects.exists() and not Blob.objects.exists()
    assert objets_stockes() == {}


def test_new_documents_follow_the_default_visibility(
    titulaire: Espace, client_titulaire: Client
) -> None:
    client_titulaire.post(
        reverse("dossier:reglages", args=[titulaire.uuid]), {"masquer_nouveaux": "on"}
    )
    _deposer(client_titulaire, titulaire, fabrique.png(), "a.png")
    assert Document.objects.get().masque_ps


def test_a_new_version_keeps_the_old_one_readable(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, fabrique.png(), "v1.png", titre="Ordonnance")
    ancien = Document.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_titulaire.post(
            reverse("dossier:remplacer", args=[titulaire.uuid, ancien.uuid]),
            {"fichier": SimpleUploadedFile("v2.png", fabrique.png(20, 20))},
        )
    nouveau = Document.objects.exclude(pk=ancien.pk).get()
    ancien.refresh_from_db()
    assert reponse["Location"] == reverse("dossier:document", args=[titulaire.uuid, nouveau.uuid])
    assert ancien.statut == Statut.ARCHIVE and nouveau.version_precedente == ancien
    page = client_titulaire.get(reverse("dossier:document", args=[titulaire.uuid, ancien.uuid]))
    assert "Ancienne version" in page.content.decode()
    liste = client_titulaire.get(
        reverse("dossier:documents", args=[titulaire.uuid])
    ).content.decode()
    assert liste.count("document-ligne__titre") == 1


def test_purging_a_space_takes_its_documents(titulaire: Espace) -> None:
    from ..factories import document

    document(titulaire)
    from espace_sante.journal.services import Acteur
    from profil.services import espace_cloturer, espaces_purger_echus

    espace_cloturer(espace=titulaire, acteur=Acteur.systeme(), demande_suppression=True)
    Espace.objects.filter(pk=titulaire.pk).update(suppression_avant=timezone.localdate())
    assert espaces_purger_echus() == 1
    assert not Document.objects.exists() and not Blob.objects.exists()


def test_the_holder_is_notified_of_a_professional_document_but_not_of_their_own(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    from espace_sante.journal.services import Acteur

    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, fabrique.png(), "a.png")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.document_creer(
            espace=titulaire,
            contenu=fabrique.pdf(1),
            nom_fichier="cr.pdf",
            titre="Compte rendu de consultation",
            date_acte=fabrique_date(),
            type_code="11488-4",
            auteur=Acteur(type="professionnel", id="810000336601", nom="Dr Paul DURAND"),
            source=Source.PROFESSIONNEL,
            media_type="application/pdf",
        )
    assert [m.to for m in mail.outbox] == [[titulaire.titulaire.email]]
    assert "Compte rendu" not in mail.outbox[0].body


def fabrique_date():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(2026, 1, 5)


def _document_pro(espace: Espace, contenu: bytes, nom: str = "cr.pdf") -> Document:
    from espace_sante.journal.services import Acteur

    return services.document_creer(
        espace=espace,
        contenu=contenu,
        nom_fichier=nom,
        titre="Compte rendu de consultation",
        date_acte=fabrique_date(),
        type_code="11488-4",
        auteur=Acteur(type="professionnel", id="810000336601", nom="Dr Paul DURAND"),
        source=Source.PROFESSIONNEL,
        media_type="application/pdf",
    )


def test_a_pdf_gets_a_jpeg_thumbnail_served_as_such(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        document = _document_pro(titulaire, fabrique.pdf(2))
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE and json.loads(document.faits)["pages"] == 2
    miniature = document.apercus.select_related("blob").get()
    assert miniature.genre == Apercu.Genre.MINIATURE and miniature.blob.media_type == "image/jpeg"
    reponse = client_titulaire.get(
        reverse("dossier:apercu", args=[titulaire.uuid, document.uuid, "miniature", 0])
    )
    assert reponse["Content-Type"] == "image/jpeg"
    assert b"".join(reponse.streaming_content)[:3] == b"\xff\xd8\xff"


def test_the_job_takes_a_pinned_number_of_queries(django_assert_num_queries, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dossier import tasks

    from ..factories import EspaceFactory

    monkeypatch.setattr(tasks.document_ingerer, "delay", lambda *a, **k: None)
    sans_compte = EspaceFactory(titulaire=None)  # nobody to notify: the job's own queries
    document = _document_pro(sans_compte, fabrique.pdf(1))
    # attempt counted and document + space + blob read (one statement on PostgreSQL); then one
    # transaction (a savepoint here, the test's being open): status, thumbnail's blob, preview
    with django_assert_num_queries(6 if connection.vendor == "postgresql" else 7):
        assert ingestion.document_ingerer(document_id=document.pk) == "disponible"
    with django_assert_num_queries(1):  # attempt not counted: nothing to do
        assert ingestion.document_ingerer(document_id=document.pk) == "ignoré"
    document.refresh_from_db()
    assert document.tentatives == 1 and document.traite_le is not None


def test_the_representatives_of_a_minor_are_notified_unless_it_is_the_minor_s_secret(
    enfant_represente: Espace, representant: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        _document_pro(enfant_represente, fabrique.pdf(1))
    assert [m.to for m in mail.outbox] == [[representant.titulaire.email]]
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        secret = _document_pro(enfant_represente, fabrique.pdf(1), "secret.pdf")
        Document.objects.filter(pk=secret.pk).update(invisible_representants=True)
    assert Document.objects.get(pk=secret.pk).statut == Statut.DISPONIBLE
    assert mail.outbox == []


def test_a_document_deleted_before_its_job_is_left_alone(titulaire: Espace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from dossier import tasks

    monkeypatch.setattr(tasks.document_ingerer, "delay", lambda *a, **k: None)
    document = _document_pro(titulaire, fabrique.pdf(1))
    services.document_purger(document)
    assert ingestion.document_ingerer(document_id=document.pk) == "ignoré"
