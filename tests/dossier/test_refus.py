"""A refused file is a notice, not a document: told once, in plain words, with what to do;
never listed, counted, searched or shown to a professional; messages never contradict."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dossier import import_dmp
from dossier.models import Document, Source, Statut
from dossier.selectors import Filtres, documents_filtres, sommaire_documents
from espace_sante.acces import (
    acces_professionnel,
    documents_lisibles,
    espace_pour_acteur,
    refus_a_signaler,
)
from espace_sante.journal.models import Action, Evenement
from profil.models import Espace

from ..conftest import client_pour
from ..factories import document
from . import fabrique

pytestmark = pytest.mark.django_db

TITRE = "Compte rendu de Mme Autre"


@pytest.fixture(autouse=True)
def _stockage_propre(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "blobs")},
        },
    }


def _patient(espace: Espace):  # type: ignore[no-untyped-def]
    return espace_pour_acteur(utilisateur=espace.titulaire, espace_uuid=espace.uuid)


def _deposer(client: Client, espace: Espace, *fichiers: tuple[str, bytes]):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("dossier:deposer", args=[espace.uuid]),
        {
            "fichiers": [
                SimpleUploadedFile(nom, contenu, content_type="application/octet-stream")
                for nom, contenu in fichiers
            ],
            "titre": TITRE,
            "date_acte": "2026-01-15",
            "type_code": "DOCPAT05",
        },
    )


def _texte(reponse) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", reponse.content.decode())))


def _refuser_apres_depot(client, espace, capture) -> Document:  # type: ignore[no-untyped-def]
    """A patient's upload the ingestion job refuses (a CDA about another person)."""
    autre = Espace.objects.exclude(pk=espace.pk).first()
    with capture(execute=True):
        _deposer(client, espace, ("cr.xml", fabrique.cda(ins=autre.ins)))
    refuse = Document.objects.get(source=Source.PATIENT)
    assert refuse.statut == Statut.EN_ERREUR
    return refuse


def test_a_file_refused_after_its_upload_is_a_notice_not_a_document(
    titulaire, autre_titulaire, client_titulaire, pro_autorise, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    document(titulaire, titre="Bilan déjà là")
    comptes_avant = sommaire_documents(acces=_patient(titulaire)).comptes
    refuse = _refuser_apres_depot(client_titulaire, titulaire, django_capture_on_commit_callbacks)

    liste = client_titulaire.get(reverse("dossier:documents", args=[titulaire.uuid]))
    texte = _texte(liste)
    assert "Fichiers refusés" in texte and "autre personne" in texte
    assert "Si vous avez besoin de ce document" in texte  # what to do next
    rangees = liste.content.decode().split('id="liste-documents"', 1)[1].split("</ul>", 1)[0]
    assert "Bilan déjà là" in rangees and TITRE not in rangees  # a notice, not a row
    assert "En erreur" not in texte
    assert sommaire_documents(acces=_patient(titulaire)).comptes == comptes_avant
    assert not documents_filtres(acces=_patient(titulaire), filtres=Filtres(recherche="Autre"))
    chrono = client_titulaire.get(reverse("dossier:chronologie", args=[titulaire.uuid]))
    assert TITRE not in _texte(chrono)
    # Nor a document for a professional, at the query level.
    pro = acces_professionnel(professionnel=pro_autorise, espace_uuid=titulaire.uuid)
    assert not documents_lisibles(acces=pro).filter(pk=refuse.pk).exists()
    # The journal keeps the refusal.
    assert Evenement.objects.filter(action=Action.DOCUMENT_REFUSE, objet_id=str(refuse.uuid))


def test_the_notice_is_dismissed_once_read_and_the_row_and_its_event_stay(
    titulaire, autre_titulaire, client_titulaire, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    refuse = _refuser_apres_depot(client_titulaire, titulaire, django_capture_on_commit_callbacks)
    url = reverse("dossier:action", args=[titulaire.uuid, refuse.uuid, "ecarter"])
    assert client_pour(autre_titulaire.titulaire).post(url).status_code == 404
    assert client_titulaire.post(url).status_code == 302
    liste = client_titulaire.get(reverse("dossier:documents", args=[titulaire.uuid]))
    assert "Fichiers refusés" not in _texte(liste)
    refuse.refresh_from_db()
    assert refuse.refus_vu_le is not None and refuse.statut == Statut.EN_ERREUR
    assert Evenement.objects.filter(action=Action.DOCUMENT_REFUSE, objet_id=str(refuse.uuid))
    assert client_titulaire.post(url).status_code == 404  # once only


def test_the_status_of_a_refused_upload_says_so_and_its_page_leads_to_the_notice(
    titulaire, autre_titulaire, client_titulaire, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    refuse = _refuser_apres_depot(client_titulaire, titulaire, django_capture_on_commit_callbacks)
    etat = client_titulaire.get(reverse("dossier:statut", args=[titulaire.uuid, refuse.uuid]))
    assert etat.json()["statut"] == "en_erreur"
    page = client_titulaire.get(reverse("dossier:document", args=[titulaire.uuid, refuse.uuid]))
    assert page.status_code == 302 and page["Location"].endswith("#fichiers-refuses")
    autre = client_pour(autre_titulaire.titulaire)
    assert (
        autre.get(reverse("dossier:statut", args=[titulaire.uuid, refuse.uuid])).status_code == 404
    )


def test_a_minor_s_secret_refused_is_no_notice_for_a_representative(
    representant, enfant_represente
) -> None:  # type: ignore[no-untyped-def]
    document(
        enfant_represente,
        source=Source.PATIENT,
        statut=Statut.EN_ERREUR,
        invisible_representants=True,
        motif_erreur="Fichier illisible.",
    )
    acces = espace_pour_acteur(
        utilisateur=representant.titulaire, espace_uuid=enfant_represente.uuid
    )
    assert not refus_a_signaler(acces=acces).exists()


def test_one_good_and_one_refused_file_never_says_success_and_counts_only_the_good(
    titulaire, client_titulaire
) -> None:  # type: ignore[no-untyped-def]
    reponse = _deposer(
        client_titulaire,
        titulaire,
        ("bon.pdf", fabrique.pdf(1)),
        ("outil.exe", b"MZ\x90\x00" + b"\x00" * 200),
    )
    assert reponse.status_code == 400
    texte = _texte(reponse)
    assert "Le fichier « outil.exe » n'a pas été ajouté" in texte
    assert "Vous pouvez" in texte  # what to do next
    niveaux = {m.level_tag: str(m) for m in get_messages(reponse.wsgi_request)}
    assert "success" not in niveaux
    assert niveaux["info"].startswith("1 fichier reçu")
    assert "(s)" not in texte and not any("(s)" in m for m in niveaux.values())
    assert Document.objects.filter(espace=titulaire).count() == 1


def test_an_import_line_s_refusal_names_no_technical_identifier() -> None:
    for technique in (
        "Métadonnées incomplètes : uniqueId absent.",
        "Métadonnées incomplètes : patientId absent.",
        "Le fichier est abîmé ou a été modifié : son empreinte (SHA-1) n'est pas celle "
        "que l'archive annonce.",
        "Fichier du document absent de l'archive : 'DOC1.xml'.",
        "Chemin de document invalide dans les métadonnées : '../x'.",
    ):
        clair = import_dmp.motif_en_clair(technique)
        assert not re.search(r"uniqueId|patientId|SHA-1|Métadonnées|DOC1|\.\./", clair), clair
    assert (
        import_dmp.motif_archive_en_clair(
            "Archive XDM invalide : aucun fichier IHE_XDM/<lot>/METADATA.XML."
        )
        == import_dmp.ARCHIVE_ILLISIBLE
    )
    plain = "Le fichier n'est pas une archive zip lisible."
    assert import_dmp.motif_archive_en_clair(plain) == plain
