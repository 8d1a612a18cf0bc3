"""A DMP import's uniqueId conflicts (issue 16, point 4): a document whose uniqueId the space
already holds with other content is kept encrypted and shown, never dropped; the holder (or a
representative) imports it as a new version or ignores it; importing again asks nothing twice.
The archives are made here (``ensemble.demo``)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from dossier import import_dmp
from dossier.models import ConflitImport, Document, ImportDMP, Source, Statut
from ensemble import demo
from espace_sante.coffre import services as coffre
from espace_sante.coffre.models import Blob
from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur

from ..conftest import client_pour
from ..factories import EspaceFactory, RepresentationFactory, document

pytestmark = pytest.mark.django_db

UID = "1.2.250.1.999.5.42"


def _archive(ins: str, texte: str, *, uid: str = UID, **champs: object) -> bytes:
    return demo.archive_xdm(
        ins=ins,
        documents=[
            demo.DocumentXDM(
                contenu=demo.cda(ins=ins, titre=texte),
                identifiant_unique=uid,
                titre="Compte rendu de biologie",
                **champs,  # type: ignore[arg-type]
            )
        ],
    )


def _importer(espace, contenu: bytes, capture) -> ImportDMP:  # type: ignore[no-untyped-def]
    """An import through the job, as the holder's upload does (the report is stored)."""
    with capture(execute=True):
        demande = import_dmp.import_demander(
            espace=espace,
            attente=coffre.blob_stocker(source=[contenu], media_type="application/zip"),
            acteur=Acteur.systeme(),
        )
    demande.refresh_from_db()
    assert demande.etat == "termine", demande.rapport
    return demande


@pytest.fixture
def conflit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """A space that imported a report, then an archive with a corrected report under the same
    uniqueId."""
    espace = EspaceFactory()
    premier = _importer(
        espace, _archive(espace.ins, "Version initiale"), django_capture_on_commit_callbacks
    )
    assert len(premier.rapport["importes"]) == 1
    second = _importer(
        espace,
        _archive(espace.ins, "Version corrigée MARQUEUR"),
        django_capture_on_commit_callbacks,
    )
    return espace, second


def _decider(client: Client, espace, conflit: ConflitImport, decision: str, **donnees):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("dossier:import_dmp_conflit", args=[espace.uuid, conflit.uuid]),
        {"decision": decision, **donnees},
    )


# --- The import finds it -------------------------------------------------------------------------


def test_a_different_document_under_a_known_uniqueid_is_a_conflict_kept_encrypted(conflit) -> None:
    espace, demande = conflit
    assert demande.rapport["importes"] == [] and demande.rapport["deja_presents"] == []
    (uuid_conflit,) = demande.rapport["conflits"]
    kept = ConflitImport.objects.get(uuid=uuid_conflit)
    assert kept.espace == espace and kept.a_decider and kept.blob is not None
    assert b"MARQUEUR" in b"".join(coffre.blob_lire(kept.blob))  # the incoming content, whole
    stocke = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / kept.blob.nom
    assert b"MARQUEUR" not in stocke.read_bytes()  # never in clear in the storage
    # The space holds one document, the first one, untouched.
    (existant,) = Document.objects.filter(espace=espace)
    assert existant.identifiant_unique == UID and existant.statut == Statut.DISPONIBLE
    evenement = Evenement.objects.get(action=Action.IMPORT_DMP_TERMINE, objet_id=str(demande.uuid))
    assert evenement.details["conflits"] == 1


def test_the_same_content_stays_already_present(
    conflit, django_capture_on_commit_callbacks
) -> None:
    espace, _demande = conflit
    encore = _importer(
        espace, _archive(espace.ins, "Version initiale"), django_capture_on_commit_callbacks
    )
    assert encore.rapport["deja_presents"] == [UID] and encore.rapport["conflits"] == []


def test_importing_the_archive_again_finds_the_same_conflict(
    conflit, django_capture_on_commit_callbacks
) -> None:
    espace, demande = conflit
    blobs = Blob.objects.count()
    encore = _importer(
        espace,
        _archive(espace.ins, "Version corrigée MARQUEUR"),
        django_capture_on_commit_callbacks,
    )
    assert encore.rapport["conflits"] == demande.rapport["conflits"]
    assert ConflitImport.objects.count() == 1 and Blob.objects.count() == blobs


def test_another_different_content_is_another_conflict(
    conflit, django_capture_on_commit_callbacks
) -> None:
    espace, demande = conflit
    autre = _importer(
        espace, _archive(espace.ins, "Troisième version"), django_capture_on_commit_callbacks
    )
    assert len(autre.rapport["conflits"]) == 1
    assert autre.rapport["conflits"] != demande.rapport["conflits"]
    assert ConflitImport.objects.filter(espace=espace, decision="a_decider").count() == 2


def test_a_file_the_portal_refuses_is_refused_not_kept(django_capture_on_commit_callbacks) -> None:
    espace = EspaceFactory()
    _importer(espace, _archive(espace.ins, "Version initiale"), django_capture_on_commit_callbacks)
    illisible = demo.archive_xdm(
        ins=espace.ins,
        documents=[demo.DocumentXDM(contenu=b"\x00\x01binaire inconnu", identifiant_unique=UID)],
    )
    demande = _importer(espace, illisible, django_capture_on_commit_callbacks)
    assert demande.rapport["conflits"] == [] and len(demande.rapport["refuses"]) == 1
    libelle, _motif = demande.rapport["refuses"][0]
    assert libelle == "Document n° 1 de l'archive"  # never the XDS entry's id
    assert not ConflitImport.objects.exists()


# --- The pages show it ---------------------------------------------------------------------------


def test_the_report_and_the_import_page_show_the_conflict_without_xds_identifiers(conflit) -> None:
    espace, demande = conflit
    client = client_pour(espace.titulaire)
    rapport = client.get(
        reverse("dossier:import_dmp_etat", args=[espace.uuid, demande.uuid])
    ).content.decode()
    assert "1 document à vérifier" in rapport
    assert "Importer comme nouvelle version" in rapport and "Ignorer" in rapport
    assert "Déjà dans votre espace, avec un contenu différent" in rapport
    page = client.get(reverse("dossier:import_dmp", args=[espace.uuid])).content.decode()
    assert "1 document à vérifier" in page and 'id="conflits-import"' in page
    for texte in (rapport, page):
        assert UID not in texte and "Document0001" not in texte and "uniqueId" not in texte


def test_the_operator_s_page_counts_conflicts(conflit, client_operateur) -> None:
    espace, _demande = conflit
    page = client_operateur.get(
        reverse("admin:profil_espace_import_dmp", args=[espace.pk])
    ).content.decode()
    assert "0 / 0 / 1 / 0" in page and "1 document en conflit" in page
    assert "MARQUEUR" not in page and "Version corrigée" not in page


# --- The holder decides --------------------------------------------------------------------------


def test_importing_as_a_new_version_keeps_the_old_one_as_the_document_s_history(
    conflit, django_capture_on_commit_callbacks
) -> None:
    espace, demande = conflit
    kept = ConflitImport.objects.get()
    blob_garde = kept.blob_id
    ancien = Document.objects.get(espace=espace)
    client = client_pour(espace.titulaire)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _decider(client, espace, kept, "nouvelle_version", retour=str(demande.uuid))
    assert reponse["Location"] == reverse(
        "dossier:import_dmp_etat", args=[espace.uuid, demande.uuid]
    )
    kept.refresh_from_db()
    ancien.refresh_from_db()
    nouveau = kept.document
    assert kept.decision == "nouvelle_version" and kept.blob is None and kept.decide_le
    assert not Blob.objects.filter(pk=blob_garde).exists()  # the kept copy left the vault
    assert nouveau.version_precedente == ancien and ancien.statut == Statut.ARCHIVE
    assert nouveau.identifiant_unique == UID and ancien.identifiant_unique == ""
    assert nouveau.source == Source.IMPORT_DMP and nouveau.statut == Statut.DISPONIBLE
    assert b"MARQUEUR" in b"".join(coffre.blob_lire(nouveau.blob))
    actions = set(
        Evenement.objects.filter(espace_uuid=espace.uuid).values_list("action", flat=True)
    )
    assert {Action.IMPORT_DMP_CONFLIT_VERSION, Action.DOCUMENT_REMPLACE} <= actions
    evenement = Evenement.objects.get(action=Action.IMPORT_DMP_CONFLIT_VERSION)
    assert evenement.acteur_type == "titulaire" and evenement.objet_id == str(kept.uuid)
    suivi = client.get(reponse["Location"]).content.decode()
    assert (
        "Importé comme nouvelle version le" in suivi and "maintenant la version actuelle" in suivi
    )
    # The old version stays reachable from the new one's history.
    page = client.get(reverse("dossier:document", args=[espace.uuid, ancien.uuid]))
    assert page.status_code == 200 and "Ancienne version" in page.content.decode()


def test_a_new_version_of_an_unknown_type_keeps_the_type_the_archive_states(
    django_capture_on_commit_callbacks,
) -> None:
    """A PDF under a type code the national table does not know: the new version keeps the
    archive's code and label ("Autres documents"), as a first import does."""
    espace = EspaceFactory()
    champs = {
        "type_code": "ZZ-LOCAL-7",
        "type_libelle": "Fiche de liaison locale",
        "type_mime": "application/pdf",
    }

    def archive(texte: str) -> bytes:
        pdf = demo.pdf(lignes=(texte,))  # a readable PDF: a refused one is no document
        return demo.archive_xdm(
            ins=espace.ins,
            documents=[demo.DocumentXDM(contenu=pdf, identifiant_unique=UID, **champs)],  # type: ignore[arg-type]
        )

    _importer(espace, archive("initiale"), django_capture_on_commit_callbacks)
    _importer(espace, archive("corrigee"), django_capture_on_commit_callbacks)
    kept = ConflitImport.objects.get()
    assert (kept.type_code, kept.type_libelle) == ("ZZ-LOCAL-7", "Fiche de liaison locale")
    with django_capture_on_commit_callbacks(execute=True):
        _decider(client_pour(espace.titulaire), espace, kept, "nouvelle_version")
    kept.refresh_from_db()
    nouveau = kept.document
    assert (nouveau.type_code, nouveau.type_libelle) == ("ZZ-LOCAL-7", "Fiche de liaison locale")
    assert nouveau.categorie == "autres_documents"


def test_after_a_new_version_neither_archive_brings_anything_again(
    conflit, django_capture_on_commit_callbacks
) -> None:
    espace, _demande = conflit
    with django_capture_on_commit_callbacks(execute=True):
        _decider(
            client_pour(espace.titulaire), espace, ConflitImport.objects.get(), "nouvelle_version"
        )
    for texte in ("Version initiale", "Version corrigée MARQUEUR"):
        encore = _importer(espace, _archive(espace.ins, texte), django_capture_on_commit_callbacks)
        assert encore.rapport["deja_presents"] == [UID] and encore.rapport["conflits"] == []
    assert Document.objects.filter(espace=espace).count() == 2
    assert ConflitImport.objects.count() == 1


def test_ignoring_drops_the_kept_copy_and_is_not_asked_again(
    conflit, django_capture_on_commit_callbacks
) -> None:
    espace, demande = conflit
    kept = ConflitImport.objects.get()
    blob_garde = kept.blob_id
    client = client_pour(espace.titulaire)
    reponse = _decider(client, espace, kept, "ignore")
    assert reponse["Location"] == reverse("dossier:import_dmp", args=[espace.uuid])
    kept.refresh_from_db()
    assert kept.decision == "ignore" and kept.blob is None and kept.document is None
    assert not Blob.objects.filter(pk=blob_garde).exists()
    assert Document.objects.filter(espace=espace).count() == 1
    assert Evenement.objects.filter(action=Action.IMPORT_DMP_CONFLIT_IGNORE).count() == 1
    encore = _importer(
        espace,
        _archive(espace.ins, "Version corrigée MARQUEUR"),
        django_capture_on_commit_callbacks,
    )
    assert encore.rapport["conflits"] == demande.rapport["conflits"]  # the same, decided
    page = client.get(
        reverse("dossier:import_dmp_etat", args=[espace.uuid, encore.uuid])
    ).content.decode()
    assert "Ignoré le" in page and 'value="ignore"' not in page
    assert (
        "à vérifier"
        not in client.get(reverse("dossier:import_dmp", args=[espace.uuid])).content.decode()
    )


def test_a_decided_conflict_cannot_be_decided_again(conflit) -> None:
    espace, _demande = conflit
    kept = ConflitImport.objects.get()
    client = client_pour(espace.titulaire)
    _decider(client, espace, kept, "ignore")
    reponse = _decider(client, espace, kept, "nouvelle_version")
    assert reponse.status_code == 302
    assert "déjà fait ce choix" in client.get(reponse["Location"]).content.decode()
    kept.refresh_from_db()
    assert kept.decision == "ignore" and Document.objects.filter(espace=espace).count() == 1


def test_an_unknown_decision_changes_nothing(conflit) -> None:
    espace, _demande = conflit
    kept = ConflitImport.objects.get()
    _decider(client_pour(espace.titulaire), espace, kept, "supprimer")
    kept.refresh_from_db()
    assert kept.a_decider and kept.blob is not None


def test_the_choice_is_a_csrf_protected_post(conflit) -> None:
    espace, _demande = conflit
    kept = ConflitImport.objects.get()
    url = reverse("dossier:import_dmp_conflit", args=[espace.uuid, kept.uuid])
    client = client_pour(espace.titulaire)
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(espace.titulaire)
    assert strict.post(url, {"decision": "ignore"}).status_code == 403
    kept.refresh_from_db()
    assert kept.a_decider


# --- Who decides ---------------------------------------------------------------------------------


def test_someone_else_s_conflict_is_not_found(conflit, client_autre, autre_titulaire) -> None:
    espace, _demande = conflit
    kept = ConflitImport.objects.get()
    # with the other space's uuid and with their own
    for espace_uuid in (espace.uuid, autre_titulaire.uuid):
        url = reverse("dossier:import_dmp_conflit", args=[espace_uuid, kept.uuid])
        assert client_autre.post(url, {"decision": "ignore"}).status_code == 404
    kept.refresh_from_db()
    assert kept.a_decider


def test_a_professional_never_reaches_the_import_pages(conflit) -> None:
    from professionnels.models import AccesProfessionnel

    from ..factories import ProfessionnelFactory

    espace, demande = conflit
    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=espace, professionnel=pro, autorise=True)
    client = client_pour(pro.utilisateur)
    kept = ConflitImport.objects.get()
    assert client.get(reverse("dossier:import_dmp", args=[espace.uuid])).status_code == 404
    assert (
        client.get(reverse("dossier:import_dmp_etat", args=[espace.uuid, demande.uuid])).status_code
        == 404
    )
    assert _decider(client, espace, kept, "ignore").status_code == 404
    kept.refresh_from_db()
    assert kept.a_decider


def test_a_representative_decides_for_the_child_s_space(django_capture_on_commit_callbacks) -> None:
    lien = RepresentationFactory()
    enfant, parent = lien.espace, lien.representant.titulaire
    _importer(enfant, _archive(enfant.ins, "Version initiale"), django_capture_on_commit_callbacks)
    _importer(enfant, _archive(enfant.ins, "Version corrigée"), django_capture_on_commit_callbacks)
    kept = ConflitImport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert _decider(client_pour(parent), enfant, kept, "nouvelle_version").status_code == 302
    kept.refresh_from_db()
    assert kept.decision == "nouvelle_version" and kept.decide_par == parent
    evenement = Evenement.objects.get(action=Action.IMPORT_DMP_CONFLIT_VERSION)
    assert evenement.acteur_type == "representant"


def test_a_representative_never_sees_a_conflict_about_a_minor_s_secret(
    django_capture_on_commit_callbacks,
) -> None:
    lien = RepresentationFactory()
    enfant, parent = lien.espace, lien.representant.titulaire
    _importer(enfant, _archive(enfant.ins, "Version initiale"), django_capture_on_commit_callbacks)
    secret = _archive(
        enfant.ins, "Version secrète", confidentialite=("INVISIBLE_REPRESENTANTS_LEGAUX",)
    )
    demande = _importer(enfant, secret, django_capture_on_commit_callbacks)
    kept = ConflitImport.objects.get(uuid=demande.rapport["conflits"][0])
    assert kept.invisible_representants
    client = client_pour(parent)
    page = client.get(reverse("dossier:import_dmp_etat", args=[enfant.uuid, demande.uuid]))
    assert "à vérifier" not in page.content.decode()
    assert _decider(client, enfant, kept, "ignore").status_code == 404
    kept.refresh_from_db()
    assert kept.a_decider


def test_a_conflict_about_a_document_held_back_from_the_patient_is_not_shown(
    django_capture_on_commit_callbacks,
) -> None:
    espace = EspaceFactory()
    document(espace, identifiant_unique=UID, invisible_patient=True, source=Source.IMPORT_DMP)
    demande = _importer(
        espace, _archive(espace.ins, "Autre contenu"), django_capture_on_commit_callbacks
    )
    assert len(demande.rapport["conflits"]) == 1  # recorded, for the holder to decide later
    client = client_pour(espace.titulaire)
    page = client.get(reverse("dossier:import_dmp", args=[espace.uuid])).content.decode()
    assert "à vérifier" not in page
    kept = ConflitImport.objects.get()
    assert _decider(client, espace, kept, "ignore").status_code == 404


def test_a_purged_space_takes_the_kept_copies_along(conflit) -> None:
    espace, _demande = conflit
    assert Blob.objects.filter(conflit_import__isnull=False).exists()
    espace.delete()
    assert not ConflitImport.objects.exists() and not Blob.objects.exists()


# --- The policy, as a table ----------------------------------------------------------------------

DRAPEAUX = {
    "aucun": {},
    "invisible_patient": {"invisible_patient": True},
    "secret_mineur": {"invisible_representants": True},
}


def _lit(role: str, drapeaux: dict[str, bool]) -> bool:
    """DESIGN.md §3: the patient's side reads all but what a professional holds back; a
    representative, in addition, never reads a minor's secret."""
    if drapeaux.get("invisible_patient"):
        return False
    return not (role == "representant" and drapeaux.get("invisible_representants"))


@pytest.mark.parametrize("role", ["titulaire", "representant"])
def test_who_sees_a_conflict_follows_who_reads_both_documents(role: str) -> None:
    from espace_sante.acces import AccesPatient, conflits_import_lisibles, espace_pour_acteur

    lien = RepresentationFactory()
    enfant, parent = lien.espace, lien.representant.titulaire
    representant = espace_pour_acteur(utilisateur=parent, espace_uuid=enfant.uuid)
    assert representant.role == "representant"
    acces = (
        representant
        if role == "representant"
        else AccesPatient(espace=enfant, role="titulaire", utilisateur=parent)
    )
    attendus = {}
    cas = itertools.product(DRAPEAUX.values(), [*DRAPEAUX.values(), None])
    for rang, (entrant, existant) in enumerate(cas, start=1):
        uid = f"1.2.250.1.999.4.{rang}"
        if existant is not None:
            document(enfant, identifiant_unique=uid, source=Source.IMPORT_DMP, **existant)
        conflit = ConflitImport.objects.create(
            espace=enfant,
            identifiant_unique=uid,
            sha256=f"{rang:064d}",
            titre="Compte rendu",
            auteur_nom="Dr Paul DURAND",
            type_code="11502-2",
            date_acte=enfant.date_naissance,
            **entrant,
        )
        attendus[conflit.pk] = _lit(role, entrant) and (existant is None or _lit(role, existant))
    vus = set(conflits_import_lisibles(acces=acces).values_list("pk", flat=True))
    assert vus == {pk for pk, visible in attendus.items() if visible}
    assert 0 < len(vus) < len(attendus)
