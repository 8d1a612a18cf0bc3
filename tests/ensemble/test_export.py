"""“Télécharger toutes mes données” (issue 7 §3): asking, the job, the archive, downloading,
expiry and purge, per persona."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import tracemalloc
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle as BundleR4B
from fhirclient.models.bundle import Bundle as BundleR4
from fhirclient.models.fhirabstractbase import FHIRValidationError
from pypdf import PdfReader

from dossier.models import Statut as StatutDocument
from ensemble import export as service
from ensemble import tasks
from ensemble.archive import Entree, flux_zip
from espace_sante.acces import espace_pour_acteur
from espace_sante.coffre import stockage
from espace_sante.coffre.models import Blob
from espace_sante.coffre.services import BlobIllisible, blob_lire
from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.journal.models import Action, Evenement
from espace_sante.lib.identifiants import OID_INS_NIR_PRODUCTION
from professionnels.models import AccesProfessionnel
from profil.models import (
    Allergie,
    Antecedent,
    DirectivesAnticipees,
    DonOrganes,
    Espace,
    ExportDonnees,
    HabitudesDeVie,
    Mesure,
    PersonneAPrevenir,
    PersonneConfiance,
    Traitement,
    Vaccination,
)

from ..conftest import client_pour
from ..factories import EspaceFactory, ProfessionnelFactory, document
from ..professionnels.test_vues import reauthentifie

pytestmark = pytest.mark.django_db

MARQUEUR = "marqueurclair4207"  # in a document's title: the zip names its file after it
GRAND = os.urandom(3 * 1024 * 1024 + 12345)  # several vault segments and zip chunks
Etat = ExportDonnees.Etat


@pytest.fixture(autouse=True)
def _stockage_a_part(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Each test its own storage: what it stores, and leaves behind, is all there is."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "blobs")},
        },
    }


def _objets() -> set[str]:
    return set(stockage.lister("coffre"))


def _acces(espace: Espace, utilisateur: Any = None):  # type: ignore[no-untyped-def]
    return espace_pour_acteur(utilisateur=utilisateur or espace.titulaire, espace_uuid=espace.uuid)


@pytest.fixture
def riche(titulaire, pro_autorise, pro_bloque) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A space with something of every kind, and what must stay out of its export."""
    e = titulaire
    traitant = ProfessionnelFactory(utilisateur__nom="ROUX", utilisateur__prenom="Anne")
    AccesProfessionnel.objects.create(
        espace=e,
        professionnel=traitant,
        medecin_traitant=True,
        medecin_traitant_depuis=timezone.now(),
    )
    ancien = ProfessionnelFactory(utilisateur__nom="ANCIEN")
    AccesProfessionnel.objects.create(
        espace=e,
        professionnel=ancien,
        autorise=True,
        autorise_le=timezone.now(),
        expire_le=timezone.now() - timedelta(days=1),
    )
    originaux = {
        "bilan": b"%PDF-1.4\n% bilan sanguin\n" + os.urandom(2000),
        "grand": GRAND,
        "patient": b"\x89PNG\r\n\x1a\n" + os.urandom(500),
        "masque": b"%PDF-1.4\n% masque aux professionnels\n",
        "v1": b"%PDF-1.4\n% version 1\n",
        "v2": b"%PDF-1.4\n% version 2\n",
    }
    docs = {
        "bilan": document(
            e, contenu=originaux["bilan"], titre=f"Bilan {MARQUEUR}", nom_fichier="bilan.pdf"
        ),
        "grand": document(
            e,
            contenu=originaux["grand"],
            titre="Scanner thoracique",
            type_code="18748-4",
            media_type="application/dicom",
            nom_fichier="scanner.dcm",
            date_acte=date(2025, 1, 2),
        ),
        "patient": document(
            e,
            contenu=originaux["patient"],
            titre="Photo d'ordonnance",
            type_code="DOCPAT02",
            source="patient",
            auteur_type="titulaire",
            auteur_nom="Camille MARTIN",
            media_type="image/png",
            nom_fichier="ordonnance.png",
        ),
        "masque": document(
            e,
            contenu=originaux["masque"],
            titre="Consultation psychiatrie",
            type_code="68599-0",
            masque_ps=True,
        ),
        "v1": document(
            e,
            contenu=originaux["v1"],
            titre="Compte rendu v1",
            type_code="11488-4",
            statut=StatutDocument.ARCHIVE,
        ),
    }
    docs["v2"] = document(
        e,
        contenu=originaux["v2"],
        titre="Compte rendu v2",
        type_code="11488-4",
        version_precedente=docs["v1"],
    )
    absents = {
        "invisible": document(
            e,
            contenu=b"%PDF-1.4\n% SECRET-ANNONCE\n",
            titre="Annonce diagnostic cachee",
            invisible_patient=True,
        ),
        "supprime": document(
            e,
            contenu=b"%PDF-1.4\n% corbeille\n",
            titre="Dans la corbeille",
            supprime_le=timezone.now(),
        ),
    }
    Allergie.objects.create(
        espace=e,
        substance="Pénicilline",
        reaction="Urticaire",
        severite="severe",
        depuis=date(2001, 4, 1),
    )
    Traitement.objects.create(
        espace=e,
        medicament="Lévothyroxine 75 µg",
        dose="1 le matin",
        depuis=date(2020, 1, 1),
        prescripteur="Dr ROUX",
    )
    Antecedent.objects.create(espace=e, nature="medical", libelle="Hypothyroïdie")
    Antecedent.objects.create(
        espace=e, nature="chirurgical", libelle="Appendicectomie", date=date(1995, 6, 1)
    )
    Antecedent.objects.create(espace=e, nature="familial", libelle="Diabète de type 2 (père)")
    Vaccination.objects.create(espace=e, famille="DTP", date=date(2019, 3, 4), lot="AB123")
    Mesure.objects.create(espace=e, type="poids", valeur=Decimal("64.5"), date=date(2026, 1, 5))
    Mesure.objects.create(
        espace=e,
        type="tension",
        valeur=Decimal("125"),
        valeur_basse=Decimal("80"),
        date=date(2026, 1, 5),
    )
    DirectivesAnticipees.objects.create(
        espace=e, situation="bonne_sante", reanimation="Pas d'acharnement", fait_le=date(2025, 5, 1)
    )
    PersonneConfiance.objects.create(
        espace=e, nom="Jeanne MARTIN", lien="sœur", telephone="0601020304"
    )
    PersonneAPrevenir.objects.create(espace=e, nom="Paul MARTIN", telephone="0605060708")
    HabitudesDeVie.objects.create(espace=e, tabac="Jamais")
    DonOrganes.objects.create(espace=e, position="accepte")
    return {"espace": e, "docs": docs, "originaux": originaux, "absents": absents}


def _sur_commit():  # type: ignore[no-untyped-def]
    """Run what is queued on commit (the job, then its e-mail) when the block ends, as a real
    commit would: the tests' own transaction never commits."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def _construire(espace: Espace, utilisateur: Any = None) -> ExportDonnees:
    """Ask, as the view does; the job runs on commit (in-process: tasks are eager in tests)."""
    with _sur_commit():
        export, _nouveau = service.export_demander(acces=_acces(espace, utilisateur))
    export.refresh_from_db()
    return export


def _zip(export: ExportDonnees) -> zipfile.ZipFile:
    assert export.blob is not None
    return zipfile.ZipFile(io.BytesIO(b"".join(blob_lire(export.blob))))


def _telecharger_url(export: ExportDonnees) -> str:
    return reverse("ensemble:export_telecharger", args=[export.espace.uuid, export.uuid])


# --- The journey ----------------------------------------------------------------------------------


def test_the_holder_asks_from_parametres_gets_an_email_and_downloads_the_archive(
    titulaire,
) -> None:  # type: ignore[no-untyped-def]
    contenu = b"%PDF-1.4\n% mon document\n"
    document(titulaire, contenu=contenu, nom_fichier="doc.pdf")
    client = Client(enforce_csrf_checks=True)
    client.force_login(titulaire.titulaire)
    parametres = client.get(reverse("profil:parametres", args=[titulaire.uuid]))
    demander = reverse("ensemble:export_demander", args=[titulaire.uuid])
    assert f'action="{demander}"' in parametres.content.decode()
    assert client.post(demander).status_code == 403  # no CSRF token: refused
    assert not ExportDonnees.objects.exists()

    jeton = client.cookies["csrftoken"].value
    with _sur_commit():
        reponse = client.post(demander, {"csrfmiddlewaretoken": jeton})
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("ensemble:exports", args=[titulaire.uuid])
    export = ExportDonnees.objects.get()  # the job ran on commit (in-process in tests)
    assert export.etat == Etat.PRET and export.demande_par == titulaire.titulaire
    assert export.expire_le == export.pret_le + timedelta(days=7)
    assert [m.to for m in mail.outbox] == [[titulaire.titulaire.email]]
    assert "L'export de vos données est prêt" in mail.outbox[0].subject
    assert "doc.pdf" not in mail.outbox[0].body

    page = client.get(reponse["Location"]).content.decode()
    assert "Prêt à télécharger" in page and _telecharger_url(export) in page

    url = _telecharger_url(export)
    exige = client.get(url)
    assert exige.status_code == 302 and "reauthenticate" in exige["Location"]
    reauthentifie(client, titulaire.titulaire)
    telechargement = client.get(url)
    assert telechargement.status_code == 200
    assert telechargement["Content-Type"] == "application/zip"
    assert telechargement["Content-Disposition"].startswith("attachment;")
    assert telechargement["X-Content-Type-Options"] == "nosniff"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(telechargement.streaming_content)))
    assert archive.testzip() is None
    originaux = [n for n in archive.namelist() if n.startswith("documents/")]
    assert [archive.read(n) for n in originaux] == [contenu]
    export.refresh_from_db()
    assert export.telecharge_le is not None


def test_the_archive_holds_the_originals_a_valid_fhir_bundle_and_a_readable_summary(
    riche,
) -> None:  # type: ignore[no-untyped-def]
    espace, docs, originaux = riche["espace"], riche["docs"], riche["originaux"]
    export = _construire(espace)
    archive = _zip(export)
    assert archive.testzip() is None
    noms = archive.namelist()
    assert {"LISEZMOI.txt", "fhir/bundle.json", "synthese.pdf"} <= set(noms)
    assert "profil/directives-anticipees.pdf" in noms
    fichiers = [n for n in noms if n.startswith("documents/")]
    assert len(fichiers) == len(docs) == export.nb_documents == 6
    assert sorted(archive.read(n) for n in fichiers) == sorted(originaux.values())

    donnees = json.loads(archive.read("fhir/bundle.json"))
    BundleR4(donnees, strict=True)  # FHIR R4 (4.0.1): raises FHIRValidationError
    BundleR4B.model_validate(donnees)  # and the stricter primitives of R4B's models
    ressources = [entree["resource"] for entree in donnees["entry"]]
    par_type: dict[str, list[dict[str, Any]]] = {}
    for ressource in ressources:
        par_type.setdefault(ressource["resourceType"], []).append(ressource)
    assert {t: len(r) for t, r in par_type.items()} == {
        "Patient": 1,
        "DocumentReference": 6,
        "AllergyIntolerance": 1,
        "MedicationStatement": 1,
        "Condition": 2,
        "FamilyMemberHistory": 1,
        "Immunization": 1,
        "Observation": 2,
        "Consent": 5,  # directives + authorised, blocked, médecin traitant, expired grant
        "Practitioner": 4,
    }
    patient = par_type["Patient"][0]
    assert patient["identifier"][0]["system"] == f"urn:oid:{espace.ins_oid}"
    assert patient["identifier"][0]["value"] == espace.ins
    assert patient["identifier"][0]["type"]["coding"][0]["code"] == "INS-NIR"
    assert patient["birthDate"] == "1980-05-17" and patient["gender"] == "female"

    urls = {entree["fullUrl"] for entree in donnees["entry"]}
    references = re.findall(r'"reference": "([^"]+)"', json.dumps(donnees))
    assert references and set(references) <= urls  # every reference resolves in the Bundle

    for reference in par_type["DocumentReference"]:
        piece = reference["content"][0]["attachment"]
        contenu = archive.read(piece["url"])
        assert piece["size"] == len(contenu)
        assert base64.b64decode(piece["hash"]) == hashlib.sha1(contenu).digest()  # noqa: S324
        assert piece["extension"][0]["valueString"] == hashlib.sha256(contenu).hexdigest()
    statuts = {r["description"]: r for r in par_type["DocumentReference"]}
    assert statuts["Compte rendu v1"]["status"] == "superseded"
    assert statuts["Compte rendu v2"]["relatesTo"][0]["target"]["reference"] == (
        f"urn:uuid:{docs['v1'].uuid}"
    )
    assert statuts["Bilan sanguin".replace("sanguin", MARQUEUR)]["type"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "11502-2",
        "display": "CR d'examens biologiques",  # the label as J07 writes it (docs/TYPES.md)
    }
    tension = next(
        o for o in par_type["Observation"] if o["code"]["coding"][0]["code"] == "85354-9"
    )
    assert [c["valueQuantity"]["code"] for c in tension["component"]] == ["mm[Hg]", "mm[Hg]"]
    poids = next(o for o in par_type["Observation"] if o["code"]["coding"][0]["code"] == "29463-7")
    assert poids["valueQuantity"] == {
        "value": 64.5,
        "unit": "kg",
        "system": "http://unitsofmeasure.org",
        "code": "kg",
    }
    portees = sorted(c["scope"]["coding"][0]["code"] for c in par_type["Consent"])
    assert portees == [
        "adr",
        "patient-privacy",
        "patient-privacy",
        "patient-privacy",
        "patient-privacy",
    ]
    refus = [c for c in par_type["Consent"] if c.get("provision", {}).get("type") == "deny"]
    assert len(refus) == 1
    directives = next(c for c in par_type["Consent"] if c["scope"]["coding"][0]["code"] == "adr")
    assert directives["sourceAttachment"]["url"] in noms

    texte = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(archive.read("synthese.pdf"))).pages
    )
    assert "Allergies et intolérances" in texte and "Pénicilline" in texte
    assert "Scanner thoracique" in texte and "Documents (6)" in texte


def test_a_bundle_that_breaks_r4_is_refused_by_the_validator(riche) -> None:  # type: ignore[no-untyped-def]
    """The validation above can fail: an unknown element or a missing required one is refused."""
    donnees = json.loads(_zip(_construire(riche["espace"])).read("fhir/bundle.json"))
    allergie = next(
        e["resource"]
        for e in donnees["entry"]
        if e["resource"]["resourceType"] == "AllergyIntolerance"
    )
    del allergie["patient"]
    with pytest.raises(FHIRValidationError):
        BundleR4(donnees, strict=True)
    with pytest.raises(ValueError, match="patient"):  # pydantic's ValidationError
        BundleR4B.model_validate(donnees)


def test_documents_invisible_to_the_patient_and_the_bin_stay_out_of_the_archive(riche) -> None:  # type: ignore[no-untyped-def]
    archive = _zip(_construire(riche["espace"]))
    tout = b"".join(archive.read(n) for n in archive.namelist())
    assert b"SECRET-ANNONCE" not in tout and b"corbeille" not in tout
    assert "Annonce diagnostic" not in tout.decode("latin-1")
    identifiants = {str(d.uuid) for d in riche["absents"].values()}
    assert not any(i in tout.decode("latin-1") for i in identifiants)


def test_the_stored_archive_is_ciphertext(riche) -> None:  # type: ignore[no-untyped-def]
    export = _construire(riche["espace"])
    assert export.blob is not None
    with stockage.ouvrir(export.blob.nom) as objet:
        brut = objet.read()
    assert len(brut) > export.taille  # header and tags
    assert MARQUEUR.encode() in b"".join(n.encode() for n in _zip(export).namelist())
    for clair in [MARQUEUR.encode(), b"PK\x03\x04", b"fhir/bundle.json", b"LISEZMOI", GRAND[:64]]:
        assert clair not in brut


def test_the_archive_is_written_in_bounded_memory(titulaire) -> None:  # type: ignore[no-untyped-def]
    grand = os.urandom(24 * 1024 * 1024)
    document(titulaire, contenu=grand, media_type="application/octet-stream")
    del grand
    export, _ = service.export_demander(acces=_acces(titulaire))
    tracemalloc.start()
    try:
        service.export_construire(export_id=export.pk)
        _courant, pic = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert pic < 16 * 1024 * 1024  # far less than the 24 MiB file, whole or compressed
    export.refresh_from_db()
    assert export.etat == Etat.PRET and export.taille > 24 * 1024 * 1024


def test_the_zip_stream_is_a_valid_zip_whatever_the_entries() -> None:
    entrees = [Entree(f"f{i}.bin", lambda i=i: [bytes([i]) * 70_000] * 20) for i in range(30)]
    entrees.append(Entree("vide.txt", lambda: []))
    morceaux = list(flux_zip(entrees))
    assert len(morceaux) > 30
    archive = zipfile.ZipFile(io.BytesIO(b"".join(morceaux)))
    assert archive.testzip() is None
    assert archive.read("f7.bin") == bytes([7]) * 1_400_000 and archive.read("vide.txt") == b""


def test_the_production_ins_is_exported_under_the_production_oid(db) -> None:  # type: ignore[no-untyped-def]
    espace = EspaceFactory(ins_oid=OID_INS_NIR_PRODUCTION)
    donnees = json.loads(_zip(_construire(espace)).read("fhir/bundle.json"))
    identifiant = donnees["entry"][0]["resource"]["identifier"][0]
    assert identifiant["system"] == "urn:oid:1.2.250.1.213.1.4.8"


# --- Representatives ------------------------------------------------------------------------------


def test_a_representative_exports_the_minors_space_without_the_minors_secrets(
    representant, enfant_represente
) -> None:  # type: ignore[no-untyped-def]
    enfant = enfant_represente
    document(
        enfant, contenu=b"%PDF-1.4\n% carnet\n", titre="Carnet de vaccination", type_code="87273-9"
    )
    document(
        enfant,
        contenu=b"%PDF-1.4\n% CONTRACEPTION\n",
        titre="Consultation secrete",
        invisible_representants=True,
    )
    Allergie.objects.create(espace=enfant, substance="Arachide")
    Allergie.objects.create(espace=enfant, substance="SECRETMINEUR", secret_mineur=True)
    client = client_pour(representant.titulaire)
    parametres = client.get(reverse("profil:parametres", args=[enfant.uuid])).content.decode()
    assert reverse("ensemble:export_demander", args=[enfant.uuid]) in parametres
    with _sur_commit():
        reponse = client.post(reverse("ensemble:export_demander", args=[enfant.uuid]))
    assert reponse.status_code == 302
    export = ExportDonnees.objects.get(espace=enfant)
    assert export.etat == Etat.PRET and export.role == "representant"
    archive = _zip(export)
    tout = b"".join(archive.read(n) for n in archive.namelist())
    assert b"CONTRACEPTION" not in tout and b"SECRETMINEUR" not in tout
    synthese = PdfReader(io.BytesIO(archive.read("synthese.pdf"))).pages[0].extract_text()
    assert "Arachide" in synthese and "SECRETMINEUR" not in synthese
    BundleR4(json.loads(archive.read("fhir/bundle.json")), strict=True)
    reauthentifie(client, representant.titulaire)
    assert client.get(_telecharger_url(export)).status_code == 200


# --- Who may --------------------------------------------------------------------------------------


def test_someone_elses_export_answers_404(titulaire, autre_titulaire) -> None:  # type: ignore[no-untyped-def]
    export = _construire(titulaire)
    client = reauthentifie(client_pour(autre_titulaire.titulaire), autre_titulaire.titulaire)
    assert client.get(_telecharger_url(export)).status_code == 404
    forge = reverse("ensemble:export_telecharger", args=[autre_titulaire.uuid, export.uuid])
    assert client.get(forge).status_code == 404
    assert client.get(reverse("ensemble:exports", args=[titulaire.uuid])).status_code == 404
    assert (
        client.post(reverse("ensemble:export_demander", args=[titulaire.uuid])).status_code == 404
    )
    assert ExportDonnees.objects.count() == 1
    assert not Evenement.objects.filter(action=Action.EXPORT_TELECHARGE).exists()


def test_a_professional_reaches_no_export_page(titulaire, pro_autorise) -> None:  # type: ignore[no-untyped-def]
    export = _construire(titulaire)
    client = reauthentifie(client_pour(pro_autorise.utilisateur), pro_autorise.utilisateur)
    assert client.get(_telecharger_url(export)).status_code == 404
    assert client.get(reverse("ensemble:exports", args=[titulaire.uuid])).status_code == 404
    assert (
        client.post(reverse("ensemble:export_demander", args=[titulaire.uuid])).status_code == 404
    )
    assert ExportDonnees.objects.count() == 1


def test_a_co_representative_cannot_download_the_other_representatives_export(
    representant, enfant_represente
) -> None:  # type: ignore[no-untyped-def]
    from profil.models import Representation

    autre_parent = EspaceFactory()
    Representation.objects.create(espace=enfant_represente, representant=autre_parent)
    export = _construire(enfant_represente, representant.titulaire)
    client = reauthentifie(client_pour(autre_parent.titulaire), autre_parent.titulaire)
    assert client.get(_telecharger_url(export)).status_code == 404
    page = client.get(reverse("ensemble:exports", args=[enfant_represente.uuid])).content.decode()
    assert str(export.uuid) not in page


def test_a_minor_holding_their_own_account_is_told_no(db) -> None:  # type: ignore[no-untyped-def]
    mineur = EspaceFactory(date_naissance=date(2014, 2, 3), sexe="M")
    client = client_pour(mineur.titulaire)
    reponse = client.post(reverse("ensemble:export_demander", args=[mineur.uuid]), follow=True)
    assert "Seul le titulaire majeur" in reponse.content.decode()
    assert not ExportDonnees.objects.exists()


def test_asking_needs_a_post(client_titulaire, titulaire) -> None:  # type: ignore[no-untyped-def]
    url = reverse("ensemble:export_demander", args=[titulaire.uuid])
    assert client_titulaire.get(url).status_code == 405
    assert not ExportDonnees.objects.exists()


# --- The job --------------------------------------------------------------------------------------


def test_asking_twice_while_one_is_pending_queues_once(titulaire, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    files: list[int] = []
    monkeypatch.setattr(tasks.export_construire, "delay", files.append)
    client = client_pour(titulaire.titulaire)
    url = reverse("ensemble:export_demander", args=[titulaire.uuid])
    for _ in range(2):
        with _sur_commit():
            assert client.post(url).status_code == 302
    export = ExportDonnees.objects.get()
    assert files == [export.pk]
    assert export.etat == Etat.EN_ATTENTE
    page = client.get(reverse("ensemble:exports", args=[titulaire.uuid])).content.decode()
    assert "En attente" in page and "Actualiser" in page
    assert Evenement.objects.filter(action=Action.EXPORT_DEMANDE).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ExportDonnees.objects.create(
            espace=titulaire, demande_par=titulaire.titulaire, role="titulaire"
        )


def test_asking_again_once_ready_makes_a_new_export(titulaire) -> None:  # type: ignore[no-untyped-def]
    premier = _construire(titulaire)
    second = _construire(titulaire)
    assert premier.pk != second.pk and second.etat == Etat.PRET


def test_running_a_finished_export_again_does_nothing(titulaire) -> None:  # type: ignore[no-untyped-def]
    document(titulaire)
    export = _construire(titulaire)
    blobs, objets = set(Blob.objects.values_list("pk", flat=True)), _objets()
    with _sur_commit():
        assert service.export_construire(export_id=export.pk) == "rien à faire"
    export_apres = ExportDonnees.objects.get(pk=export.pk)
    assert export_apres.blob_id == export.blob_id and export_apres.tentatives == 1
    assert set(Blob.objects.values_list("pk", flat=True)) == blobs and _objets() == objets
    assert Evenement.objects.filter(action=Action.EXPORT_PRET).count() == 1
    assert Notification.objects.filter(type=TypeNotification.EXPORT_PRET).count() == 1
    assert len(mail.outbox) == 1


def test_a_run_killed_half_way_is_rebuilt_cleanly(titulaire, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    document(titulaire, contenu=GRAND)
    document(titulaire, contenu=b"%PDF-1.4\n% second\n")
    export, _ = service.export_demander(acces=_acces(titulaire))
    avant = _objets()
    lire = service._lire
    lus: list[int] = []

    def tue_au_second(document, empreintes):  # type: ignore[no-untyped-def]
        lus.append(document.pk)
        if len(lus) == 2:
            raise SystemExit("worker killed")  # not an Exception: nothing marks it failed
        return lire(document, empreintes)

    monkeypatch.setattr(service, "_lire", tue_au_second)
    with pytest.raises(SystemExit):
        service.export_construire(export_id=export.pk)
    export.refresh_from_db()
    assert export.etat == Etat.EN_COURS and export.blob is None
    assert _objets() == avant  # the partial object was deleted, no row was made

    monkeypatch.setattr(service, "_lire", lire)  # the message is delivered again
    assert service.export_construire(export_id=export.pk) == "prêt"
    export.refresh_from_db()
    assert export.etat == Etat.PRET and export.tentatives == 2
    assert _objets() == avant | {export.blob.nom}
    assert set(Blob.objects.values_list("nom", flat=True)) == _objets()
    assert len([n for n in _zip(export).namelist() if n.startswith("documents/")]) == 2


def test_two_racing_runs_leave_one_archive(titulaire, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A message delivered twice: the second run finishes while the first is still writing;
    the first then finds the export ready and deletes what it stored."""
    document(titulaire)
    export, _ = service.export_demander(acces=_acces(titulaire))
    lire = service._lire
    resultats: list[str] = []

    def course(document, empreintes):  # type: ignore[no-untyped-def]
        if not resultats:
            resultats.append("")
            resultats.append(service.export_construire(export_id=export.pk))
        return lire(document, empreintes)

    monkeypatch.setattr(service, "_lire", course)
    with _sur_commit():
        resultats.append(service.export_construire(export_id=export.pk))
    assert resultats == ["", "prêt", "rien à faire"]
    export.refresh_from_db()
    assert export.etat == Etat.PRET and export.tentatives == 2
    assert set(Blob.objects.values_list("nom", flat=True)) == _objets()
    assert Blob.objects.filter(export__isnull=True, document__isnull=True).count() == 0
    assert len(_objets()) == 2  # the document's and the one archive
    assert Evenement.objects.filter(action=Action.EXPORT_PRET).count() == 1


def test_an_unreadable_document_fails_the_export_and_another_can_be_asked(
    titulaire, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    document(titulaire)

    def illisible(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise BlobIllisible("absent", "test")
        yield b""

    monkeypatch.setattr(service.coffre, "blob_lire", illisible)
    export = _construire(titulaire)
    assert export.etat == Etat.ECHEC and export.blob is None
    assert "introuvable" in export.motif_echec
    page = client_pour(titulaire.titulaire).get(reverse("ensemble:exports", args=[titulaire.uuid]))
    assert "Échec" in page.content.decode()
    monkeypatch.undo()
    assert _construire(titulaire).etat == Etat.PRET
    assert mail.outbox and len(mail.outbox) == 1


def test_an_export_asked_by_someone_who_lost_access_fails(representant, enfant_represente) -> None:  # type: ignore[no-untyped-def]
    export, _ = service.export_demander(acces=_acces(enfant_represente, representant.titulaire))
    enfant_represente.representants.update(fin=timezone.localdate())
    service.export_construire(export_id=export.pk)
    export.refresh_from_db()
    assert export.etat == Etat.ECHEC and export.blob is None


# --- Expiry, purge, journal -----------------------------------------------------------------------


def test_an_expired_export_is_refused_then_purged(
    titulaire, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    document(titulaire)
    export = _construire(titulaire)
    assert export.blob is not None
    nom = export.blob.nom
    client = reauthentifie(client_pour(titulaire.titulaire), titulaire.titulaire)
    assert export.pret_le is not None
    presque = export.pret_le + timedelta(days=7) - timedelta(seconds=1)
    assert service.exports_purger(maintenant=presque) == 0
    assert client.get(_telecharger_url(export)).status_code == 200

    ExportDonnees.objects.filter(pk=export.pk).update(expire_le=timezone.now() - timedelta(1))
    refus = client.get(_telecharger_url(export))
    assert refus.status_code == 410 and "Cet export a expiré" in refus.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert service.exports_purger(maintenant=export.pret_le + timedelta(days=7)) == 1
    export.refresh_from_db()
    assert export.etat == Etat.EXPIRE and export.blob is None
    assert not Blob.objects.filter(nom=nom).exists() and not stockage.existe(nom)
    assert client.get(_telecharger_url(export)).status_code == 410
    page = client.get(reverse("ensemble:exports", args=[titulaire.uuid])).content.decode()
    assert "Expiré" in page and _telecharger_url(export) not in page
    assert service.exports_purger(maintenant=timezone.now() + timedelta(days=30)) == 0


def test_the_purge_gives_up_exports_whose_job_was_lost(titulaire) -> None:  # type: ignore[no-untyped-def]
    export, _ = service.export_demander(acces=_acces(titulaire))  # its job is never run
    assert service.exports_purger(maintenant=timezone.now() + timedelta(hours=23)) == 0
    assert service.exports_purger(maintenant=timezone.now() + timedelta(hours=25)) == 1
    export.refresh_from_db()
    assert export.etat == Etat.ECHEC


def test_the_purge_task_calls_the_service(titulaire) -> None:  # type: ignore[no-untyped-def]
    export = _construire(titulaire)
    ExportDonnees.objects.filter(pk=export.pk).update(expire_le=timezone.now() - timedelta(1))
    assert tasks.exports_purger.delay().get() == 1
    assert ExportDonnees.objects.get(pk=export.pk).etat == Etat.EXPIRE


def test_the_journal_records_the_request_the_readiness_and_the_download(titulaire) -> None:  # type: ignore[no-untyped-def]
    document(titulaire, titre=f"Bilan {MARQUEUR}")
    client = reauthentifie(client_pour(titulaire.titulaire), titulaire.titulaire)
    with _sur_commit():
        client.post(reverse("ensemble:export_demander", args=[titulaire.uuid]))
    export = ExportDonnees.objects.get()
    b"".join(client.get(_telecharger_url(export)).streaming_content)
    evenements = list(
        Evenement.objects.filter(espace_uuid=titulaire.uuid, objet_type="export").order_by("rang")
    )
    assert [e.action for e in evenements] == [
        Action.EXPORT_DEMANDE,
        Action.EXPORT_PRET,
        Action.EXPORT_TELECHARGE,
    ]
    assert {e.objet_id for e in evenements} == {str(export.uuid)}
    assert evenements[0].acteur_type == "titulaire" and evenements[1].acteur_type == "systeme"
    assert MARQUEUR not in json.dumps([e.details for e in evenements])
    historique = client.get(reverse("ensemble:historique", args=[titulaire.uuid])).content.decode()
    assert "Export de mes données téléchargé" in historique
    resume = client.get(_telecharger_url(export), HTTP_RANGE="bytes=0-99")
    assert resume.status_code == 206
    assert Evenement.objects.filter(action=Action.EXPORT_TELECHARGE).count() == 1


def test_operators_follow_exports_read_only_and_cannot_download_them(titulaire) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    from ..factories import UtilisateurFactory

    export = _construire(titulaire)
    operateur = UtilisateurFactory(is_staff=True)
    operateur.user_permissions.add(Permission.objects.get(codename="view_exportdonnees"))
    client = reauthentifie(client_pour(operateur), operateur)
    liste = client.get(reverse("admin:profil_exportdonnees_changelist"))
    assert liste.status_code == 200 and str(export.uuid) in liste.content.decode()
    detail = client.get(reverse("admin:profil_exportdonnees_change", args=[export.pk]))
    assert detail.status_code == 200 and 'name="etat"' not in detail.content.decode()
    assert client.get(reverse("admin:profil_exportdonnees_add")).status_code == 403
    assert client.get(_telecharger_url(export)).status_code == 404
