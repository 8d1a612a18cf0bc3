"""A document is classified by its own type (docs/TYPES.md): a structured document's code wins
over the form's choice whoever deposits it, an unknown code keeps its code and label under
"Autres documents", and the pages show the real type."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from dossier import services
from dossier.import_dmp import archive_importer
from dossier.models import Document, Source, Statut
from dossier.types import OID_LOINC, Categorie
from ensemble import demo
from espace_sante.coffre.champs import PREFIXE
from espace_sante.journal.services import Acteur
from profil.models import Espace

from ..conftest import client_pour
from . import fabrique

pytestmark = pytest.mark.django_db

TROD = "96173-0"
LIBELLE_TROD = "Test rapide d'orientation diagnostique"


def _cda(espace: Espace, *, code: str, libelle: str = "", systeme: str = OID_LOINC) -> bytes:
    contenu = demo.cda(ins=espace.ins, code=code, titre=libelle or "Compte rendu")
    return contenu.replace(
        f'codeSystem="{OID_LOINC}"'.encode(), f'codeSystem="{systeme}"'.encode(), 1
    )


def _sans_code(espace: Espace) -> bytes:
    contenu = demo.cda(ins=espace.ins, code="11502-2", titre="Bilan")
    return re.sub(rb"<code [^>]*/>", b"", contenu, count=1)


def _deposer_patient(client: Client, espace: Espace, contenu: bytes, type_code: str) -> Document:
    reponse = client.post(
        reverse("dossier:deposer", args=[espace.uuid]),
        {
            "fichiers": SimpleUploadedFile("document.xml", contenu, "text/xml"),
            "titre": "Mon document",
            "date_acte": "2026-01-15",
            "type_code": type_code,
        },
    )
    assert reponse.status_code == 302, reponse.content.decode()[:500]
    return Document.objects.latest("cree_le")


def _deposer_pro(
    client: Client, espace: Espace, contenu: bytes, type_code: str, titre: str = "Compte rendu"
) -> Document:
    reponse = client.post(
        reverse("professionnels:deposer", args=[espace.uuid]),
        {
            "fichier": SimpleUploadedFile("cr.xml", contenu, "text/xml"),
            "titre": titre,
            "date_acte": "2026-03-03",
            "type_code": type_code,
        },
    )
    assert reponse.status_code == 302, reponse.content.decode()[:500]
    return Document.objects.latest("cree_le")


def _note_maison(client: Client, espace: Espace) -> Document:
    """The patient deposits a CDA whose type is a code of its author's own system."""
    contenu = _cda(espace, code="CR-MAISON", libelle="Note maison", systeme="1.2.3.4.5")
    return _deposer_patient(client, espace, contenu, "DOCPAT03")


def _pdf_d_un_logiciel(espace: Espace, type_code: str, **type_declare: str) -> Document:
    """A PDF sent by a professional's software, with the type its metadata give."""
    return services.document_creer(
        espace=espace,
        contenu=fabrique.pdf(1),
        nom_fichier="cr.pdf",
        titre="Compte rendu",
        date_acte=date(2026, 1, 5),
        type_code=type_code,
        auteur=Acteur(type="professionnel", id="810000336601", nom="Dr Paul DURAND"),
        source=Source.PROFESSIONNEL,
        media_type="application/pdf",
        **type_declare,
    )


def _page(client: Client, document: Document) -> str:
    url = reverse("dossier:document", args=[document.espace.uuid, document.uuid])
    return client.get(url).content.decode()


# --- Whoever deposits it, a structured document says its own type --------------------------------


def test_a_rapid_test_report_deposited_by_a_professional_goes_under_biology(
    titulaire: Espace, pro_autorise, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    pro = client_pour(pro_autorise.utilisateur)
    with django_capture_on_commit_callbacks(execute=True):
        document = _deposer_pro(pro, titulaire, _cda(titulaire, code=TROD), "11488-4")
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    assert (document.type_code, document.categorie) == (TROD, Categorie.BIOLOGIE)
    assert f"<dd>{escape(LIBELLE_TROD)}</dd>" in _page(client_pour(titulaire.titulaire), document)


def test_a_structured_document_deposited_by_the_patient_is_classified_by_its_own_code(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        document = _deposer_patient(
            client_titulaire, titulaire, _cda(titulaire, code=TROD), "DOCPAT03"
        )
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    assert (document.type_code, document.categorie) == (TROD, Categorie.BIOLOGIE)
    assert document.source == Source.PATIENT
    page = _page(client_titulaire, document)
    assert f"<dd>{escape(LIBELLE_TROD)}</dd>" in page and "<dd>Biologie</dd>" in page


def test_while_it_is_processed_the_document_keeps_the_forms_choice(
    titulaire: Espace, client_titulaire: Client
) -> None:
    # No on-commit callbacks run here: the job never starts.
    document = _deposer_patient(client_titulaire, titulaire, _cda(titulaire, code=TROD), "DOCPAT03")
    assert (document.statut, document.type_code) == (Statut.EN_TRAITEMENT, "DOCPAT03")


def test_the_forms_choice_stays_when_the_document_states_no_type(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        document = _deposer_patient(client_titulaire, titulaire, _sans_code(titulaire), "DOCPAT05")
        pdf = _pdf_d_un_logiciel(titulaire, "11488-4")
    for doc, code, categorie in (
        (document, "DOCPAT05", Categorie.BIOLOGIE),
        (pdf, "11488-4", Categorie.COMPTES_RENDUS),
    ):
        doc.refresh_from_db()
        assert doc.statut == Statut.DISPONIBLE, doc.motif_erreur
        assert (doc.type_code, doc.categorie, doc.type_libelle) == (code, categorie, "")


# --- A code the national value set does not know ------------------------------------------------


def test_an_unknown_code_keeps_its_code_and_label_and_lands_in_other_documents(
    titulaire: Espace, pro_autorise, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    contenu = _cda(titulaire, code="94500-6", libelle="Dépistage SARS-CoV-2", systeme=OID_LOINC)
    with django_capture_on_commit_callbacks(execute=True):
        document = _deposer_pro(
            client_pour(pro_autorise.utilisateur), titulaire, contenu, "11488-4", "Dépistage du 3"
        )
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    assert (document.type_code, document.categorie) == ("94500-6", Categorie.AUTRES)
    assert (document.type_libelle, document.type_systeme) == ("Dépistage SARS-CoV-2", OID_LOINC)
    with connection.cursor() as curseur:  # free text: encrypted at rest, like the title
        curseur.execute("SELECT type_libelle FROM dossier_document WHERE id = %s", [document.pk])
        brut = curseur.fetchone()[0]
    assert brut.startswith(PREFIXE) and "SARS" not in brut

    patient = client_pour(titulaire.titulaire)
    page = _page(patient, document)
    assert (
        '<dd>Dépistage SARS-CoV-2 <span class="fr-hint-text">'
        "code 94500-6, hors nomenclature nationale</span></dd>"
    ) in page
    assert "<dd>Autres documents</dd>" in page
    liste = patient.get(reverse("dossier:documents", args=[titulaire.uuid])).content.decode()
    assert "Autres documents (1)" in liste and "Comptes rendus &amp; hospitalisation (0)" in liste
    filtree = patient.get(
        reverse("dossier:documents", args=[titulaire.uuid]), {"categorie": "autres_documents"}
    ).content.decode()
    assert "Dépistage du 3" in filtree  # listed under its category
    autre = patient.get(
        reverse("dossier:documents", args=[titulaire.uuid]), {"categorie": "comptes_rendus"}
    ).content.decode()
    assert "Aucun document ne correspond." in autre and "Dépistage du 3" not in autre


def test_an_unknown_code_from_another_code_system_is_kept_with_its_system(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        document = _note_maison(client_titulaire, titulaire)
    document.refresh_from_db()
    assert (document.type_code, document.type_systeme, document.categorie) == (
        "CR-MAISON",
        "1.2.3.4.5",
        Categorie.AUTRES,
    )
    assert document.type_document.libelle == "Note maison"


def test_a_document_from_software_with_an_unknown_type_keeps_its_metadatas_label(
    titulaire: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        document = _pdf_d_un_logiciel(
            titulaire,
            "ZZZ-1",
            type_libelle="Compte rendu de   télésurveillance",
            type_systeme="1.2.250.9",
        )
    document.refresh_from_db()
    assert document.categorie == Categorie.AUTRES
    assert document.type_document.libelle == "Compte rendu de télésurveillance"


# --- A DMP import --------------------------------------------------------------------------------


def test_an_import_shows_the_label_of_a_national_type_the_old_table_lacked(
    titulaire: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    archive = demo.archive_xdm(
        ins=titulaire.ins,
        documents=[
            demo.DocumentXDM(
                contenu=fabrique.pdf(1),
                identifiant_unique="1.2.3.4.96173",
                type_code=TROD,
                titre="",
                type_mime="application/pdf",
            )
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        rapport = archive_importer(espace=titulaire, contenu=archive)
    assert rapport.importes == ["1.2.3.4.96173"], rapport
    document = Document.objects.get()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    assert (document.titre, document.type_code, document.categorie) == (
        LIBELLE_TROD,
        TROD,
        Categorie.BIOLOGIE,
    )
    assert f"<dd>{escape(LIBELLE_TROD)}</dd>" in _page(client_pour(titulaire.titulaire), document)


# --- A new version keeps the type of the one it replaces -----------------------------------------


def test_the_patient_replaces_a_document_whose_content_gave_it_a_professional_type(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        ancien = _note_maison(client_titulaire, titulaire)
    ancien.refresh_from_db()
    assert ancien.type_code == "CR-MAISON"
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_titulaire.post(
            reverse("dossier:remplacer", args=[titulaire.uuid, ancien.uuid]),
            {"fichier": SimpleUploadedFile("v2.pdf", fabrique.pdf(1), "application/pdf")},
        )
    assert reponse.status_code == 302
    nouveau = Document.objects.get(version_precedente=ancien)
    assert nouveau.statut == Statut.DISPONIBLE, nouveau.motif_erreur
    assert (nouveau.type_code, nouveau.categorie, nouveau.type_document.libelle) == (
        "CR-MAISON",
        Categorie.AUTRES,
        "Note maison",
    )


# --- Documents stored before: put in their type's category again --------------------------------

AVANT = [("dossier", "0008_version_documents")]
APRES = [("dossier", "0009_types_j07")]


def test_stored_documents_move_to_their_types_category(avant_migration) -> None:  # type: ignore[no-untyped-def]
    anciens = avant_migration.loader.project_state(AVANT).apps
    espace = anciens.get_model("profil", "Espace").objects.create(
        ins="280057500000841",
        nom_naissance="MARTIN",
        prenoms="Camille",
        date_naissance="1980-05-01",
        sexe="F",
        statut="actif",
    )
    Document = anciens.get_model("dossier", "Document")
    commun = {
        "espace": espace,
        "titre": "x",
        "date_acte": "2026-01-01",
        "auteur_type": "professionnel",
        "source": "import_dmp",
    }
    trod = Document.objects.create(type_code=TROD, categorie="comptes_rendus", **commun)
    inconnu = Document.objects.create(type_code="ZZZ-1", categorie="mes_documents", **commun)
    connu = Document.objects.create(type_code="18748-4", categorie="imagerie", **commun)

    avant_migration.loader.build_graph()
    avant_migration.migrate(APRES)
    nouveaux = avant_migration.loader.project_state(APRES).apps.get_model("dossier", "Document")
    categories = dict(nouveaux.objects.values_list("pk", "categorie"))
    assert categories == {
        trod.pk: "biologie",
        inconnu.pk: "autres_documents",
        connu.pk: "imagerie",
    }
