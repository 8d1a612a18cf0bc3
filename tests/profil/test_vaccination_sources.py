"""No overdue mark for a vaccination recorded anywhere in the space: every source the calendar
reads (profil_medical.calendrier_vaccinal), for the holder and for a child's representative.

The child of the fixtures (born 10 January 2015) is late for both ROR doses when nothing is
recorded; each source below records them and the calendar must say "faite"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from espace_sante.acces import AccesPatient, Role
from profil import profil_medical
from profil.carnet_vaccinal import vaccinations_document_enregistrer
from profil.codes_vaccins import VaccinationLue
from profil.models import Espace, Vaccination
from profil.vaccination import Statut

from ..factories import document

pytestmark = pytest.mark.django_db

ROR_1, ROR_2 = date(2016, 2, 1), date(2016, 6, 1)


def _representant(enfant: Espace, representant: Espace) -> AccesPatient:
    return AccesPatient(espace=enfant, role=Role.REPRESENTANT, utilisateur=representant.titulaire)


def _statuts(acces: AccesPatient) -> dict[str, Statut]:
    return {e.regle.code: e.statut for e in profil_medical.calendrier_vaccinal(acces=acces)}


def _saisie_du_titulaire(enfant: Espace) -> None:
    for jour in (ROR_1, ROR_2):
        Vaccination.objects.create(espace=enfant, famille="ROR", date=jour)


def _saisie_d_un_professionnel(enfant: Espace) -> None:
    for jour in (ROR_1, ROR_2):
        Vaccination.objects.create(
            espace=enfant,
            famille="ROR",
            date=jour,
            saisi_par_type="professionnel",
            saisi_par_nom="Dr Lina Garnier",
        )


def _note_de_vaccination_lue(enfant: Espace) -> None:
    note = document(enfant, type_code="87273-9", titre="Note de vaccination")
    vaccinations_document_enregistrer(
        espace=enfant,
        document_uuid=note.uuid,
        titre="Note de vaccination",
        vaccinations=[
            VaccinationLue("ROR", ROR_1, produit="PRIORIX"),
            VaccinationLue("ROR", ROR_2, produit="M-M-RVAXPRO"),
        ],
    )


def _une_dose_de_chaque_source(enfant: Espace) -> None:
    Vaccination.objects.create(espace=enfant, famille="ROR", date=ROR_1)
    note = document(enfant, type_code="11369-6", titre="Historique des vaccinations")
    vaccinations_document_enregistrer(
        espace=enfant,
        document_uuid=note.uuid,
        titre="Historique des vaccinations",
        vaccinations=[VaccinationLue("ROR", ROR_2)],
    )


SOURCES: dict[str, Callable[[Espace], None]] = {
    "saisie du titulaire": _saisie_du_titulaire,
    "saisie d'un professionnel": _saisie_d_un_professionnel,
    "note de vaccination lue": _note_de_vaccination_lue,
    "une dose saisie, une lue": _une_dose_de_chaque_source,
}


def test_without_any_record_the_child_is_late_for_ror(
    enfant_represente: Espace, representant: Espace
) -> None:
    statuts = _statuts(_representant(enfant_represente, representant))
    assert (statuts["ROR-1"], statuts["ROR-2"]) == (Statut.EN_RETARD, Statut.EN_RETARD)


@pytest.mark.parametrize("source", SOURCES.values(), ids=SOURCES.keys())
def test_a_vaccination_recorded_anywhere_is_never_overdue(
    enfant_represente: Espace, representant: Espace, source: Callable[[Espace], None]
) -> None:
    source(enfant_represente)
    calendrier = profil_medical.calendrier_vaccinal(
        acces=_representant(enfant_represente, representant)
    )
    statuts = {e.regle.code: e for e in calendrier}
    assert (statuts["ROR-1"].date_faite, statuts["ROR-2"].date_faite) == (ROR_1, ROR_2)
    assert (statuts["ROR-1"].statut, statuts["ROR-2"].statut) == (Statut.FAITE, Statut.FAITE)
    assert calendrier.documents == []


def test_a_vaccination_document_not_read_one_by_one_turns_late_into_to_check(
    enfant_represente: Espace, representant: Espace
) -> None:
    note = document(enfant_represente, type_code="87273-9", titre="Vaccination ROR (2e dose)")
    document(enfant_represente, type_code="11502-2", titre="Compte rendu de biologie")
    calendrier = profil_medical.calendrier_vaccinal(
        acces=_representant(enfant_represente, representant)
    )
    statuts = {e.regle.code: e.statut for e in calendrier}
    assert (statuts["ROR-1"], statuts["ROR-2"]) == (Statut.A_VERIFIER, Statut.A_VERIFIER)
    assert Statut.EN_RETARD not in statuts.values()
    assert [(d.uuid, d.titre) for d in calendrier.documents] == [
        (note.uuid, "Vaccination ROR (2e dose)")
    ]


def test_a_deleted_vaccination_document_no_longer_counts(titulaire: Espace) -> None:
    from django.utils import timezone  # import différé : only this test needs the clock

    note = document(titulaire, type_code="87273-9")
    acces = AccesPatient(espace=titulaire, role=Role.TITULAIRE, utilisateur=titulaire.titulaire)
    assert [d.uuid for d in profil_medical.calendrier_vaccinal(acces=acces).documents] == [
        note.uuid
    ]
    note.supprime_le = timezone.now()
    note.save(update_fields=["supprime_le"])
    calendrier = profil_medical.calendrier_vaccinal(acces=acces)
    assert calendrier.documents == []
    assert Statut.EN_RETARD in {e.statut for e in calendrier}  # the adult's 45-year booster


def test_a_menc_dose_of_the_old_schedule_counts_for_the_infant_menacwy(titulaire: Espace) -> None:
    titulaire.date_naissance = date(2024, 6, 1)
    titulaire.save(update_fields=["date_naissance"])
    for jour in (date(2024, 11, 5), date(2025, 6, 3)):
        Vaccination.objects.create(espace=titulaire, famille="MenC", date=jour)
    acces = AccesPatient(espace=titulaire, role=Role.TITULAIRE, utilisateur=titulaire.titulaire)
    echeances = {e.regle.code: e for e in profil_medical.calendrier_vaccinal(acces=acces)}
    assert echeances["MenACWY-6m"].date_faite == date(2024, 11, 5)
    assert echeances["MenACWY-12m"].date_faite == date(2025, 6, 3)
    assert echeances["MenACWY-11a"].statut == Statut.A_FAIRE
