"""Vaccinations read from the documents at ingestion (issue 16, points 7 and 8): they fill the
carnet and count for the calendar, marked with their document, merged with the holder's own
entries; they follow their document (deleted, restored, purged, hidden, held back, a minor's
secret, replaced); bad input is reported on the document's page; encrypted at rest."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from dossier import ingestion, services
from dossier.formats.cda import immunisations
from dossier.import_dmp import archive_importer
from dossier.models import Document, Statut
from espace_sante.acces import (
    AccesPatient,
    AccesPro,
    Role,
    acces_professionnel,
    evenements_lisibles,
)
from espace_sante.journal.models import Evenement
from profil import profil_medical
from profil.carnet_vaccinal import carnet
from profil.models import Espace, Vaccination
from profil.vaccination import Statut as StatutVaccin

from ..conftest import SHARED_DATA, client_pour, en_ci
from ..factories import EspaceFactory
from .fabrique_vaccins import (
    HEXA_1,
    ROR_1,
    ROR_2,
    Injection,
    deposer_note,
    note_de_vaccination,
)

pytestmark = pytest.mark.django_db


def _ingerer(espace: Espace, capture: Any, contenu: bytes | None = None, **champs: Any) -> Document:
    with capture(execute=True):
        document = deposer_note(espace, contenu, **champs)
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    return document


def _patient(espace: Espace, par: Espace | None = None) -> AccesPatient:
    """The holder's access, or (``par``) a representative's."""
    if par is None:
        return AccesPatient(espace=espace, role=Role.TITULAIRE, utilisateur=espace.titulaire)
    return AccesPatient(espace=espace, role=Role.REPRESENTANT, utilisateur=par.titulaire)


def _statuts(acces: Any) -> dict[str, str]:
    return {e.regle.code: e.statut for e in profil_medical.calendrier_vaccinal(acces=acces)}


def _page_profil(client: Client, espace: Espace) -> str:
    reponse = client.get(reverse("profil:profil_medical", args=[espace.uuid]))
    assert reponse.status_code == 200
    return reponse.content.decode()


# --- Into the carnet and the calendar ----------------------------------------------------------


def test_a_vaccination_note_fills_the_child_s_carnet_and_the_calendar_counts_it(
    enfant_represente: Espace,
    representant: Espace,
    client_titulaire: Client,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    page = _page_profil(client_titulaire, enfant_represente)
    assert "Aucune vaccination notée." in page
    avant = _statuts(_patient(enfant_represente, representant))
    assert avant["ROR-1"] == avant["ROR-2"] == StatutVaccin.EN_RETARD

    document = _ingerer(
        enfant_represente,
        django_capture_on_commit_callbacks,
        note_de_vaccination(ins=enfant_represente.ins, injections=(HEXA_1, ROR_1, ROR_2)),
    )

    apres = _statuts(_patient(enfant_represente, representant))
    assert apres["ROR-1"] == apres["ROR-2"] == apres["DTCaP-HibHepB-2m"] == StatutVaccin.FAITE
    page = _page_profil(client_titulaire, enfant_represente)
    lien = reverse("dossier:document", args=[enfant_represente.uuid, document.uuid])
    assert page.count(f'href="{lien}"') == 3
    assert "document « Note de vaccination »" in page
    assert "PRIORIX, poudre et solvant pour solution injectable" in page
    assert "lot C34D" in page and "dose 2" in page and "vacciné par Claire PIQUER" in page
    assert "Aucune vaccination notée." not in page
    # The document's page says what went into the carnet.
    reponse = client_titulaire.get(lien)
    assert "3 vaccinations de ce document figurent dans le carnet" in reponse.content.decode()
    # Read from a document: not editable in the carnet (the document says it).
    (entree,) = [v for v in Vaccination.objects.all() if v.famille == "DTP"]
    modifier = reverse(
        "profil:profil_modifier", args=[enfant_represente.uuid, "vaccinations", entree.uuid]
    )
    assert client_titulaire.get(modifier).status_code == 404
    supprimer = reverse(
        "profil:profil_supprimer", args=[enfant_represente.uuid, "vaccinations", entree.uuid]
    )
    assert client_titulaire.post(supprimer).status_code == 404
    assert Vaccination.objects.count() == 3


def test_a_holder_s_own_entry_and_the_document_s_are_one_line_with_both_sources(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    grippe = Injection(le="20251102", atc=("J07BB02", "grippe"), nom="VAXIGRIPTETRA", lot="G7")
    reponse = client_titulaire.post(
        reverse("profil:profil_ajouter", args=[titulaire.uuid, "vaccinations"]),
        {"famille": "Grippe", "date": "2025-11-02", "lot": ""},
    )
    assert reponse.status_code == 302
    document = _ingerer(
        titulaire,
        django_capture_on_commit_callbacks,
        note_de_vaccination(ins=titulaire.ins, injections=(grippe,)),
    )
    (ligne,) = carnet(acces=_patient(titulaire))
    assert ligne.famille == "Grippe" and ligne.date == date(2025, 11, 2)
    assert ligne.saisie is not None and [d.uuid for d in ligne.documents] == [document.uuid]
    assert ligne.lots == ["G7"] and ligne.produits == ["VAXIGRIPTETRA"]
    page = _page_profil(client_titulaire, titulaire)
    assert page.count("<strong>Grippe saisonnière</strong>") == 1
    assert "espace santé" in page and "document « Note de vaccination »" in page
    # The holder's own entry stays theirs to edit.
    modifier = reverse(
        "profil:profil_modifier", args=[titulaire.uuid, "vaccinations", ligne.saisie.uuid]
    )
    assert f'href="{modifier}"' in page
    # Noting the same vaccination again is still refused among their own entries only.
    reponse = client_titulaire.post(
        reverse("profil:profil_ajouter", args=[titulaire.uuid, "vaccinations"]),
        {"famille": "Grippe", "date": "2025-11-02", "lot": ""},
    )
    assert reponse.status_code == 400
    assert Vaccination.objects.count() == 2


def test_rerunning_the_ingestion_changes_nothing(
    enfant_represente: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    document = _ingerer(enfant_represente, django_capture_on_commit_callbacks)
    avant = sorted((str(v.uuid), v.famille, v.date) for v in Vaccination.objects.all())
    evenements = Evenement.objects.filter(objet_type="profil:vaccinations").count()
    assert len(avant) == 2 and evenements == 1
    Document.objects.filter(pk=document.pk).update(statut=Statut.EN_TRAITEMENT)
    assert ingestion.document_ingerer(document_id=document.pk) == "disponible"
    assert sorted((str(v.uuid), v.famille, v.date) for v in Vaccination.objects.all()) == avant
    assert Evenement.objects.filter(objet_type="profil:vaccinations").count() == evenements


def test_a_vaccination_note_is_parsed_once_at_ingestion(
    enfant_represente: Espace, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The header and the vaccinations reader share the tree (it was parsed twice)."""
    from dossier.formats.cda import analyse

    appels: list[int] = []
    parseur = analyse._parseur
    monkeypatch.setattr(analyse, "_parseur", lambda: appels.append(1) or parseur())
    _ingerer(enfant_represente, django_capture_on_commit_callbacks)
    assert Vaccination.objects.count() == 2
    assert len(appels) == 1


def test_the_same_vaccination_in_two_documents_counts_once(
    enfant_represente: Espace, representant: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    premier = _ingerer(enfant_represente, django_capture_on_commit_callbacks)
    second = _ingerer(
        enfant_represente,
        django_capture_on_commit_callbacks,
        note_de_vaccination(ins=enfant_represente.ins, injections=(ROR_1,), titre="Certificat"),
        titre="Certificat de vaccination",
    )
    lignes = carnet(acces=_patient(enfant_represente, representant))
    assert [(ligne.date, len(ligne.documents)) for ligne in lignes] == [
        (date(2016, 5, 20), 1),
        (date(2016, 1, 15), 2),
    ]
    assert {d.titre for d in lignes[1].documents} == {premier.titre, second.titre}


# --- The vaccinations follow their document ----------------------------------------------------


def test_a_deleted_document_s_vaccinations_leave_the_carnet_and_come_back_when_restored(
    enfant_represente: Espace,
    representant: Espace,
    client_titulaire: Client,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    document = _ingerer(enfant_represente, django_capture_on_commit_callbacks)
    acces = _patient(enfant_represente, representant)
    services.document_supprimer(acces=acces, document=document)
    assert carnet(acces=acces) == []
    assert _statuts(acces)["ROR-1"] == StatutVaccin.EN_RETARD
    assert "Aucune vaccination notée." in _page_profil(client_titulaire, enfant_represente)
    services.document_restaurer(acces=acces, document=document)
    assert _statuts(acces)["ROR-1"] == StatutVaccin.FAITE
    services.document_purger(document)
    assert not Vaccination.objects.exists()


def test_hidden_from_professionals_the_vaccinations_are_hidden_from_them_only(
    titulaire: Espace, pro_autorise: Any, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    dtp = Injection(le="20250110", atc=("J07CA01", "dTP"), nom="REVAXIS")
    document = _ingerer(
        titulaire,
        django_capture_on_commit_callbacks,
        note_de_vaccination(ins=titulaire.ins, injections=(dtp,)),
    )
    pro = acces_professionnel(professionnel=pro_autorise, espace_uuid=titulaire.uuid)
    assert isinstance(pro, AccesPro)
    assert [ligne.famille for ligne in carnet(acces=pro)] == ["DTP"]
    page_pro = client_pour(pro_autorise.utilisateur).get(
        reverse("professionnels:profil", args=[titulaire.uuid])
    )
    lien_pro = reverse("professionnels:document", args=[titulaire.uuid, document.uuid])
    assert f'href="{lien_pro}"' in page_pro.content.decode()

    services.documents_masquer(acces=_patient(titulaire), documents=[document], masque=True)
    pro = acces_professionnel(professionnel=pro_autorise, espace_uuid=titulaire.uuid)
    assert carnet(acces=pro) == []
    assert _statuts(pro)["dTP-45a"] == StatutVaccin.EN_RETARD  # born in 1980: due at 45
    assert _statuts(_patient(titulaire))["dTP-45a"] == StatutVaccin.FAITE


def test_held_back_from_the_patient_the_vaccinations_appear_once_released(
    titulaire: Espace, pro_autorise: Any, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    document = _ingerer(titulaire, django_capture_on_commit_callbacks, invisible_patient=True)
    assert carnet(acces=_patient(titulaire)) == []
    Document.objects.filter(pk=document.pk).update(auteur_id=str(pro_autorise.utilisateur.uuid))
    pro = acces_professionnel(professionnel=pro_autorise, espace_uuid=titulaire.uuid)
    document.refresh_from_db()
    services.document_liberer(acces=pro, document=document)
    assert len(carnet(acces=_patient(titulaire))) == 2


def test_a_minor_s_secret_document_s_vaccinations_are_never_shown_to_the_representatives(
    enfant_represente: Espace,
    representant: Espace,
    client_titulaire: Client,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    _ingerer(enfant_represente, django_capture_on_commit_callbacks, invisible_representants=True)
    assert all(v.secret_mineur for v in Vaccination.objects.all())
    assert carnet(acces=_patient(enfant_represente, representant)) == []
    assert "PRIORIX" not in _page_profil(client_titulaire, enfant_represente)
    evenements = Evenement.objects.filter(objet_type="profil:vaccinations")
    assert [e.details["secret_mineur"] for e in evenements] == [True]
    lisibles = evenements_lisibles(
        acces=_patient(enfant_represente, representant), evenements=evenements
    )
    assert not lisibles.exists()


def test_an_old_version_gives_way_to_the_new_one(
    enfant_represente: Espace, representant: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    ancien = _ingerer(enfant_represente, django_capture_on_commit_callbacks)
    Document.objects.filter(pk=ancien.pk).update(statut=Statut.ARCHIVE)
    nouveau = _ingerer(
        enfant_represente,
        django_capture_on_commit_callbacks,
        note_de_vaccination(ins=enfant_represente.ins, injections=(ROR_1,)),
        titre="Note corrigée",
    )
    lignes = carnet(acces=_patient(enfant_represente, representant))
    assert [(ligne.date, [d.uuid for d in ligne.documents]) for ligne in lignes] == [
        (date(2016, 1, 15), [nouveau.uuid])
    ]


# --- Bad input, other sources, storage ---------------------------------------------------------


def test_bad_vaccinations_are_reported_on_the_document_page_and_the_rest_is_kept(
    enfant_represente: Espace,
    representant: Espace,
    client_titulaire: Client,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    injections = (
        ROR_1,
        Injection(le="", nom="MENQUADFI", atc=("J07AH08", "méningocoques ACWY")),
        Injection(le="20160231", nom="BEXSERO", atc=("J07AH09", "méningocoque B")),
        Injection(atc=("J07XX99", "?"), nom="VACCIN INCONNU", le="20160301"),
    )
    document = _ingerer(
        enfant_represente,
        django_capture_on_commit_callbacks,
        note_de_vaccination(ins=enfant_represente.ins, injections=injections),
    )
    assert [v.famille for v in Vaccination.objects.all()] == ["ROR"]
    faits = json.loads(document.faits)["vaccinations"]
    assert faits["reprises"] == 1 and len(faits["ignorees"]) == 3
    page = client_titulaire.get(
        reverse("dossier:document", args=[enfant_represente.uuid, document.uuid])
    ).content.decode()
    assert "Une vaccination de ce document figure dans le carnet" in page
    assert "Non reprises" in page
    assert "« MENQUADFI » : la date d&#x27;injection manque" in page
    assert "la date d&#x27;injection est impossible (31/02/2016)" in page
    assert "« VACCIN INCONNU » du 01/03/2016 (code ATC J07XX99) : ce vaccin n&#x27;est pas" in page


def test_a_fault_while_reading_the_vaccinations_never_fails_the_job(
    titulaire: Espace, django_capture_on_commit_callbacks, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    def panne(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(immunisations, "immunisations_de", panne)
    document = _ingerer(titulaire, django_capture_on_commit_callbacks)
    assert json.loads(document.faits)["vaccinations"] == {
        "reprises": 0,
        "ignorees": [immunisations.ILLISIBLES],
    }
    assert not Vaccination.objects.exists()


def test_the_dmp_archive_s_vaccination_note_reaches_the_carnet(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    chemin = SHARED_DATA / "xdm" / "VAC-NOTE_2021.01.zip"
    if not chemin.exists():
        raison = f"Données de référence absentes : {chemin}."
        if en_ci():
            pytest.fail(raison)
        pytest.skip(raison)
    espace = EspaceFactory(ins="277076322082910", date_naissance=date(1977, 7, 14))
    with django_capture_on_commit_callbacks(execute=True):
        rapport = archive_importer(espace=espace, contenu=chemin.read_bytes())
    assert len(rapport.importes) == 1
    (ligne,) = carnet(acces=_patient(espace))
    assert (ligne.famille, ligne.date, ligne.au_calendrier) == ("Tetanos", date(2009, 9, 28), False)
    assert ligne.lots == ["4456672"] and ligne.vaccinateurs == ["Charles MULLER"]
    page = _page_profil(client_pour(espace.titulaire), espace)
    assert "Tétanos (sans la poliomyélite)" in page and "Hors calendrier" in page


def test_the_vaccinations_read_are_encrypted_at_rest(
    titulaire: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    shingrix = Injection(
        le="20250110", atc=("J07BK03", "zona"), nom="SHINGRIX", lot="LOTZONA9", rang=1
    )
    _ingerer(
        titulaire,
        django_capture_on_commit_callbacks,
        note_de_vaccination(ins=titulaire.ins, injections=(shingrix,)),
        titre="Note de vaccination zona",
    )
    (vaccination,) = Vaccination.objects.all()
    assert (vaccination.famille, vaccination.produit, vaccination.lot) == (
        "Zona",
        "SHINGRIX",
        "LOTZONA9",
    )
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT famille, produit, code, lot, vaccinateur, document_titre "
            "FROM profil_vaccination"
        )
        brut = " ".join(str(valeur) for valeur in curseur.fetchone())
    for clair in ("SHINGRIX", "LOTZONA9", "J07BK03", "PIQUER", "Note de vaccination zona"):
        assert clair not in brut
