"""The carnet's side of the vaccinations read from documents (profil/carnet_vaccinal.py): the
service ``dossier`` calls, its idempotence and journal, the merged carnet, and the access rule
that reads an entry with its document."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.http import Http404

from dossier.models import Statut as StatutDocument
from espace_sante.acces import AccesPatient, Role, entrees_profil_lisibles
from espace_sante.journal.models import Action, Evenement, TypeActeur
from profil import profil_medical
from profil.carnet_vaccinal import (
    carnet,
    vaccinations_document_effacer,
    vaccinations_document_enregistrer,
)
from profil.codes_vaccins import VaccinationLue
from profil.models import Espace, OrigineVaccination, Vaccination
from profil.vaccination import Statut

from ..factories import document

pytestmark = pytest.mark.django_db

TETANOS = VaccinationLue("Tetanos", date(2009, 9, 28), produit="VACCIN TETANIQUE PASTEUR")
DTP_45 = VaccinationLue("DTP", date(2025, 6, 1), produit="REVAXIS", lot="R1", rang=7, rappel=True)


def _titulaire(espace: Espace) -> AccesPatient:
    return AccesPatient(espace=espace, role=Role.TITULAIRE, utilisateur=espace.titulaire)


def _enregistrer(espace: Espace, source: uuid.UUID, *vaccinations: VaccinationLue) -> int:
    return vaccinations_document_enregistrer(
        espace=espace, document_uuid=source, titre="Note de vaccination", vaccinations=vaccinations
    )


def test_a_document_s_reading_is_written_once_and_journaled_by_the_system(
    titulaire: Espace,
) -> None:
    note = document(titulaire, type_code="87273-9", titre="Note de vaccination")
    assert _enregistrer(titulaire, note.uuid, TETANOS, DTP_45, DTP_45) == 2
    lignes = {v.famille: v for v in Vaccination.objects.all()}
    assert set(lignes) == {"Tetanos", "DTP"}
    dtp = lignes["DTP"]
    assert (dtp.origine, dtp.document_uuid, dtp.saisi_par_type) == (
        "document",
        note.uuid,
        "document",
    )
    assert (dtp.produit, dtp.lot, dtp.rang, dtp.rappel) == ("REVAXIS", "R1", 7, True)
    (evenement,) = Evenement.objects.filter(objet_type="profil:vaccinations")
    assert evenement.action == Action.PROFIL_AJOUT and evenement.acteur_type == TypeActeur.SYSTEME
    assert evenement.objet_id == str(note.uuid) and evenement.details["ajoutees"] == 2
    # The same reading again: nothing changes, nothing is journaled.
    assert _enregistrer(titulaire, note.uuid, DTP_45, TETANOS) == 0
    assert Evenement.objects.filter(objet_type="profil:vaccinations").count() == 1
    assert {v.pk for v in Vaccination.objects.all()} == {v.pk for v in lignes.values()}


def test_a_new_reading_updates_adds_and_removes_only_that_document_s_entries(
    titulaire: Espace,
) -> None:
    note, autre = document(titulaire), document(titulaire)
    _enregistrer(titulaire, note.uuid, TETANOS, DTP_45)
    _enregistrer(titulaire, autre.uuid, TETANOS)
    dtp = Vaccination.objects.get(document_uuid=note.uuid, rang=7)
    corrige = VaccinationLue("DTP", DTP_45.date, produit="REVAXIS", lot="R2", rang=7, rappel=True)
    grippe = VaccinationLue("Grippe", date(2025, 11, 2))
    assert _enregistrer(titulaire, note.uuid, corrige, grippe) == 3  # changed, added, removed
    restantes = {(v.document_uuid, v.famille): v for v in Vaccination.objects.all()}
    assert set(restantes) == {(note.uuid, "DTP"), (note.uuid, "Grippe"), (autre.uuid, "Tetanos")}
    assert restantes[note.uuid, "DTP"].pk == dtp.pk and restantes[note.uuid, "DTP"].lot == "R2"
    derniere = Evenement.objects.filter(objet_id=str(note.uuid)).order_by("-id").first()
    assert derniere is not None and derniere.action == Action.PROFIL_MODIFICATION
    assert vaccinations_document_effacer(espace_id=titulaire.pk, document_uuid=note.uuid) == 2
    assert [v.document_uuid for v in Vaccination.objects.all()] == [autre.uuid]


def test_the_carnet_merges_the_holder_s_entry_and_the_documents_and_counts_a_day_once(
    titulaire: Espace,
) -> None:
    note = document(titulaire, type_code="87273-9", titre="Note de vaccination")
    propre = Vaccination.objects.create(espace=titulaire, famille="DTP", date=DTP_45.date, lot="X")
    _enregistrer(titulaire, note.uuid, DTP_45, TETANOS)
    dtp, tetanos = carnet(acces=_titulaire(titulaire))
    assert (dtp.famille, dtp.saisie, [d.uuid for d in dtp.documents]) == (
        "DTP",
        propre,
        [note.uuid],
    )
    assert dtp.lots == ["X", "R1"] and dtp.rang == 7 and dtp.rappel and dtp.au_calendrier
    assert tetanos.libelle == "Tétanos (sans la poliomyélite)" and not tetanos.au_calendrier
    echeances = {
        e.regle.code: e for e in profil_medical.calendrier_vaccinal(acces=_titulaire(titulaire))
    }
    assert echeances["dTP-45a"].statut == Statut.FAITE
    # Tetanus alone is no DTP dose: the 2009 injection fills no DTP rule.
    assert echeances["dTcaP-25a"].statut == Statut.NON_APPLICABLE


def test_an_entry_is_read_with_its_document_only(titulaire: Espace) -> None:
    note = document(titulaire, type_code="87273-9")
    _enregistrer(titulaire, note.uuid, DTP_45)
    _enregistrer(titulaire, uuid.uuid4(), TETANOS)  # no such document: never shown
    propre = Vaccination.objects.create(espace=titulaire, famille="Grippe", date=date(2025, 11, 2))
    lues = entrees_profil_lisibles(acces=_titulaire(titulaire), modele=Vaccination)
    assert {v.famille for v in lues} == {"DTP", "Grippe"}
    note.statut = StatutDocument.ARCHIVE
    note.save(update_fields=["statut"])
    assert list(entrees_profil_lisibles(acces=_titulaire(titulaire), modele=Vaccination)) == [
        propre
    ]


def test_the_holder_s_entries_keep_their_origin_and_are_the_only_editable_ones(
    titulaire: Espace,
) -> None:
    note = document(titulaire, type_code="87273-9")
    _enregistrer(titulaire, note.uuid, DTP_45)
    propre = Vaccination.objects.create(espace=titulaire, famille="DTP", date=DTP_45.date)
    assert propre.origine == OrigineVaccination.SAISIE and propre.document_uuid is None
    section = profil_medical.section("vaccinations")
    acces = _titulaire(titulaire)
    trouve = profil_medical.element_pour_acteur(
        acces=acces, section=section, element_uuid=propre.uuid
    )
    assert trouve == propre
    lue = Vaccination.objects.get(document_uuid=note.uuid)
    with pytest.raises(Http404):
        profil_medical.element_pour_acteur(acces=acces, section=section, element_uuid=lue.uuid)
