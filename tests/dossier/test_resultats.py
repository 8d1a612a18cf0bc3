"""Lab results read at ingestion (dossier/resultats/lecture.py): from a professional's deposit,
from the national example, from a DMP archive; encrypted at rest; bad observations skipped and
reported on the document's page; idempotent."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from dossier import ingestion, services
from dossier.import_dmp import archive_importer
from dossier.models import Document, LectureResultats, Resultat, Source, Statut
from dossier.resultats.lecture import document_relire
from espace_sante.journal.services import Acteur
from profil.models import Espace

from ..conftest import SHARED_DATA
from ..factories import EspaceFactory
from .resultats_cda import Obs, cr_bio, fichier_partage

pytestmark = pytest.mark.django_db

INS_TSH = "279035121518989"  # the CI-SIS TSH example's patient
INS_EXEMPLE = "277076322082910"  # the national XDM examples' patient


def _deposer(espace: Espace, contenu: bytes, capture) -> Document:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        document = services.document_creer(
            espace=espace,
            contenu=contenu,
            nom_fichier="cr-bio.xml",
            titre="Bilan",
            date_acte=date(2024, 1, 15),
            type_code="11502-2",
            auteur=Acteur(type="professionnel", id="810000336601", nom="Laboratoire"),
            source=Source.PROFESSIONNEL,
            media_type="text/xml",
        )
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    return document


def test_a_deposited_lab_report_s_results_are_stored_encrypted(
    titulaire: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    contenu = cr_bio(
        ins=titulaire.ins,
        observations=[
            Obs(),
            Obs(
                code="2345-7",
                libelle="Glucose",
                valeur="1.27",
                unite="g/L",
                bas="0.7",
                haut="1.1",
                interpretation="H",
            ),
        ],
    )
    document = _deposer(titulaire, contenu, django_capture_on_commit_callbacks)
    resultats = list(Resultat.objects.filter(document=document).order_by("rang"))
    assert [r.code for r in resultats] == ["3016-3", "2345-7"]
    assert json.loads(resultats[1].contenu) == {
        "libelle": "Glucose",
        "genre": "nombre",
        "valeur": "1.27",
        "unite": "g/L",
        "bas": "0.7",
        "haut": "1.1",
        "interpretation": "H",
    }
    assert resultats[0].date_observation == date(2024, 1, 15)
    nom = connection.ops.quote_name  # "analyse" is a reserved word of PostgreSQL
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT code, contenu, {nom('analyse')} FROM {nom('dossier_resultat')}")
        lignes = curseur.fetchall()
    for code, contenu_brut, analyse in lignes:
        assert code.startswith("esc1$") and contenu_brut.startswith("esc1$")
        assert "Glucose" not in contenu_brut and "2345-7" not in analyse
    lecture = LectureResultats.objects.get(document=document)
    assert (lecture.lus, lecture.ignores) == (2, 0)


def test_the_national_tsh_report_gives_its_results(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    donnees = fichier_partage(SHARED_DATA / "cda" / "BIO-CR-BIO_2024.01_TSH_1.xml")
    espace = EspaceFactory(ins=INS_TSH)
    document = _deposer(espace, donnees, django_capture_on_commit_callbacks)
    assert sorted(document.resultats.values_list("date_observation", flat=True)) == [
        date(2014, 4, 2),
        date(2014, 4, 2),
    ]


def test_a_lab_report_imported_from_a_dmp_archive_gives_its_results(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    archive = fichier_partage(SHARED_DATA / "xdm" / "CR-BIO_2021.01_PDF.zip")
    espace = EspaceFactory(ins=INS_EXEMPLE)
    with django_capture_on_commit_callbacks(execute=True):
        rapport = archive_importer(espace=espace, contenu=archive)
    assert len(rapport.importes) == 1
    document = Document.objects.get(espace=espace)
    assert document.source == Source.IMPORT_DMP and document.statut == Statut.DISPONIBLE
    (inr,) = document.resultats.all()
    assert inr.code == "6301-6" and json.loads(inr.contenu)["valeur"] == "2.0"


def test_a_document_that_is_not_a_lab_report_has_no_results(
    titulaire: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from . import fabrique

    document = _deposer(
        titulaire, fabrique.cda(ins=titulaire.ins), django_capture_on_commit_callbacks
    )
    assert not document.resultats.exists()
    assert not LectureResultats.objects.filter(document=document).exists()


def test_bad_observations_are_skipped_and_reported_on_the_document_s_page(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    contenu = cr_bio(
        ins=titulaire.ins,
        observations=[
            Obs(code="1", libelle="Sodium", valeur="140", unite="mmol/L", bas="135", haut="145"),
            Obs(code="2", libelle="Potassium", valeur=None),
            Obs(code="3", libelle="Chlore", valeur="101", unite="mmol/L", bas="98", haut="107"),
            Obs(code="4", libelle="Urée", valeur="5", unite="mmol/L", le="20241399"),
            Obs(code="5", libelle="Calcium", valeur="2.4", unite="mmol/L", bas="2.2", haut="2.6"),
        ],
    )
    document = _deposer(titulaire, contenu, django_capture_on_commit_callbacks)
    assert document.resultats.count() == 3
    page = client_titulaire.get(reverse("dossier:document", args=[titulaire.uuid, document.uuid]))
    texte = " ".join(page.content.decode().split())
    assert (
        "3 résultats de biologie lus, 2 ignorés : valeur absente (Potassium) ; "
        "date impossible « 20241399 » (Urée)." in texte
    )
    assert reverse("dossier:resultats:liste", args=[titulaire.uuid]) in texte


def test_running_the_job_again_or_reading_the_document_again_doubles_nothing(
    titulaire: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    contenu = cr_bio(ins=titulaire.ins, observations=[Obs(), Obs(code="2345-7", valeur="1")])
    document = _deposer(titulaire, contenu, django_capture_on_commit_callbacks)
    assert ingestion.document_ingerer(document_id=document.pk) == "ignoré"
    # Even a document put back "en traitement" by hand and ingested again gets nothing twice.
    Document.objects.filter(pk=document.pk).update(statut=Statut.EN_TRAITEMENT)
    with django_capture_on_commit_callbacks(execute=True):
        assert ingestion.document_ingerer(document_id=document.pk) == "disponible"
    assert Resultat.objects.filter(document=document).count() == 2
    assert LectureResultats.objects.filter(document=document).count() == 1
    document_relire(document=document)
    document_relire(document=document)
    assert Resultat.objects.filter(document=document).count() == 2
    assert LectureResultats.objects.filter(document=document).count() == 1


@pytest.fixture
def bilan(titulaire: Espace, django_capture_on_commit_callbacks) -> Document:  # type: ignore[no-untyped-def]
    """A lab report with one result, ingested."""
    contenu = cr_bio(ins=titulaire.ins, observations=[Obs()])
    return _deposer(titulaire, contenu, django_capture_on_commit_callbacks)


def test_the_command_reads_documents_ingested_before_results_were_read(bilan: Document) -> None:
    Resultat.objects.all().delete()
    LectureResultats.objects.all().delete()
    sortie = io.StringIO()
    call_command("resultats_lire", stdout=sortie)
    assert "1 document(s) relu(s) : 1 résultat(s) lu(s), 0 ignoré(s)." in sortie.getvalue()
    call_command("resultats_lire", stdout=sortie)
    assert bilan.resultats.count() == 1


def test_deleting_the_space_s_document_for_good_takes_its_results(bilan: Document) -> None:
    services.document_purger(bilan)
    assert not Resultat.objects.exists() and not LectureResultats.objects.exists()


def test_the_ingestion_parses_a_lab_report_once(
    titulaire: Espace, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The header, vaccinations and results readers share one parsed tree (a report was parsed
    up to three times, each parse costing as much as the rest of the job)."""
    from dossier.formats.cda import analyse

    appels: list[int] = []
    parseur = analyse._parseur
    monkeypatch.setattr(analyse, "_parseur", lambda: appels.append(1) or parseur())
    document = _deposer(
        titulaire,
        cr_bio(ins=titulaire.ins, observations=[Obs()]),
        django_capture_on_commit_callbacks,
    )
    assert Resultat.objects.filter(document=document).count() == 1
    assert len(appels) == 1
