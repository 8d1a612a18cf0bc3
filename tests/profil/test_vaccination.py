"""The vaccination calendar, table-driven against the 2025 French schedule (docs/VACCINATION.md)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from profil.vaccination import (
    FAMILLES,
    REGLES,
    REGLES_PAR_CODE,
    Age,
    Echeance,
    Regle,
    Statut,
    VaccinationFaite,
    ajouter_mois,
    calendrier,
    campagne,
)

D = date
A_FAIRE, EN_RETARD, FAITE, NON_APPLICABLE = (
    Statut.A_FAIRE,
    Statut.EN_RETARD,
    Statut.FAITE,
    Statut.NON_APPLICABLE,
)


def _calendrier(
    naissance: date, aujourd_hui: date, *faites: tuple[str, date], sexe: str = "F"
) -> dict[str, Echeance]:
    echeances = calendrier(
        date_naissance=naissance,
        sexe=sexe,
        aujourd_hui=aujourd_hui,
        faites=[VaccinationFaite(code, jour) for code, jour in faites],
    )
    return {echeance.regle.code: echeance for echeance in echeances}


def _ligne(echeance: Echeance) -> tuple[str, date, date | None, date | None]:
    return (
        echeance.statut,
        echeance.date_recommandee,
        echeance.date_retard,
        echeance.date_limite,
    )


# ---------------------------------------------------------------------------------------------
# The table itself

# The published schedule: code -> (recommended age, catch-up before). Changing the table means
# changing this on purpose, with docs/VACCINATION.md.
PUBLIE = {
    "DTCaP-HibHepB-2m": ("2 mois", "16 ans"),
    "DTCaP-HibHepB-4m": ("4 mois", "16 ans"),
    "DTCaP-HibHepB-11m": ("11 mois", "16 ans"),
    "DTCaP-6a": ("6 ans", "11 ans"),
    "dTcaP-11a": ("11 ans", "20 ans"),
    "dTcaP-25a": ("25 ans", "40 ans"),
    "dTP-45a": ("45 ans", "60 ans"),
    "dTP-65a": ("65 ans", "70 ans"),
    "dTP-10ans": ("75 ans", None),
    "VPC-2m": ("2 mois", "2 ans"),
    "VPC-4m": ("4 mois", "2 ans"),
    "VPC-11m": ("11 mois", "2 ans"),
    "VPC20-65a": ("65 ans", None),
    "Rota-1": ("2 mois", "4 mois"),
    "Rota-2": ("3 mois", "6 mois"),
    "MenB-3m": ("3 mois", "2 ans"),
    "MenB-5m": ("5 mois", "5 ans"),
    "MenB-12m": ("12 mois", "5 ans"),
    "MenACWY-6m": ("6 mois", "12 mois"),
    "MenACWY-12m": ("12 mois", "5 ans"),
    "MenACWY-11a": ("11 ans", "25 ans"),
    "ROR-1": ("12 mois", None),
    "ROR-2": ("16 mois", None),
    "HPV-1": ("11 ans", "27 ans"),
    "HPV-2": ("11 ans 6 mois", "27 ans"),
    "HPV-2-rattrapage": ("15 ans 2 mois", "27 ans"),
    "HPV-3-rattrapage": ("15 ans 6 mois", "27 ans"),
    "Zona-1": ("65 ans", None),
    "Zona-2": ("65 ans 2 mois", None),
    "Grippe-65a": ("65 ans", None),
    "COVID-19-65a": ("65 ans", None),
    "BCG-1": ("1 mois", "15 ans"),
    "HepA-1": ("12 mois", "18 ans"),
    "VRS-nourrisson": ("0 mois", "12 mois"),
    "VRS-75a": ("75 ans", None),
}


def test_the_table_matches_the_published_schedule() -> None:
    assert {
        regle.code: (str(regle.age), regle.rattrapage_avant and str(regle.rattrapage_avant))
        for regle in REGLES
    } == PUBLIE


def test_codes_are_unique_and_families_known() -> None:
    assert len(REGLES_PAR_CODE) == len(REGLES)
    assert {regle.famille for regle in REGLES} == set(FAMILLES)
    assert not set(FAMILLES) & set(REGLES_PAR_CODE)


@pytest.mark.parametrize("regle", REGLES, ids=lambda regle: regle.code)
def test_each_rule_names_its_source_and_year_and_is_consistent(regle: Regle) -> None:
    r = regle
    assert re.search(r"\b20\d\d\b", r.source)
    naissance = D(2000, 1, 31)
    assert r.age_minimum.apres(naissance) <= r.age.apres(naissance)
    if r.rattrapage_avant is not None:
        assert r.age.apres(naissance) < r.rattrapage_avant.apres(naissance)
    assert r.saisonnier == (r.famille in {"Grippe", "COVID-19"})
    assert r.sexe is None  # HPV is for girls and boys alike since 2021


def test_the_doc_lists_every_rule_code() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "VACCINATION.md").read_text()
    absents = [regle.code for regle in REGLES if f"`{regle.code}`" not in doc]
    assert absents == []


def test_the_calendar_has_one_entry_per_rule_in_table_order() -> None:
    echeances = calendrier(date_naissance=D(2000, 1, 1), sexe="M", aujourd_hui=D(2025, 1, 1))
    assert [echeance.regle for echeance in echeances] == list(REGLES)


# ---------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("jour", "mois", "attendu"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 1, 31), 2, D(2024, 3, 31)),
        (D(2024, 1, 31), 3, D(2024, 4, 30)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),
        (D(2024, 12, 15), 1, D(2025, 1, 15)),
        (D(2024, 3, 31), -1, D(2024, 2, 29)),
        (D(2024, 5, 10), 0, D(2024, 5, 10)),
    ],
)
def test_month_addition_clamps_to_the_end_of_the_month(
    jour: date, mois: int, attendu: date
) -> None:
    assert ajouter_mois(jour, mois) == attendu


@pytest.mark.parametrize(
    ("age", "texte"),
    [
        (Age(semaines=6), "6 semaines"),
        (Age(mois=2), "2 mois"),
        (Age(mois=16), "16 mois"),
        (Age(mois=24), "2 ans"),
        (Age(mois=132), "11 ans"),
        (Age(mois=138), "11 ans 6 mois"),
    ],
)
def test_ages_read_in_french(age: Age, texte: str) -> None:
    assert str(age) == texte


@pytest.mark.parametrize(
    ("naissance", "code", "attendu"),
    [
        (
            D(2024, 1, 31),
            "DTCaP-HibHepB-2m",
            (A_FAIRE, D(2024, 3, 31), D(2024, 4, 30), D(2040, 1, 30)),
        ),
        (D(2024, 1, 31), "MenB-3m", (A_FAIRE, D(2024, 4, 30), D(2024, 5, 30), D(2026, 1, 30))),
        (D(2024, 1, 31), "Rota-1", (A_FAIRE, D(2024, 3, 31), D(2024, 4, 30), D(2024, 5, 30))),
        (D(2024, 1, 31), "ROR-2", (A_FAIRE, D(2025, 5, 31), D(2025, 8, 31), None)),
        (D(2023, 12, 31), "VPC-2m", (A_FAIRE, D(2024, 2, 29), D(2024, 3, 29), D(2025, 12, 30))),
        (D(2022, 12, 31), "VPC-2m", (A_FAIRE, D(2023, 2, 28), D(2023, 3, 28), D(2024, 12, 30))),
    ],
)
def test_dates_clamp_at_month_end(
    naissance: date, code: str, attendu: tuple[str, date, date | None, date | None]
) -> None:
    assert _ligne(_calendrier(naissance, naissance)[code]) == attendu


def test_a_week_count_is_added_after_the_months() -> None:
    assert Age(semaines=6).apres(D(2024, 1, 31)) == D(2024, 3, 13)
    assert Age(mois=1, semaines=1).apres(D(2024, 1, 31)) == D(2024, 3, 7)


# ---------------------------------------------------------------------------------------------
# A newborn

NE = D(2025, 6, 1)


@pytest.mark.parametrize(
    ("code", "attendu"),
    [
        ("DTCaP-HibHepB-2m", (A_FAIRE, D(2025, 8, 1), D(2025, 9, 1), D(2041, 5, 31))),
        ("DTCaP-HibHepB-4m", (A_FAIRE, D(2025, 10, 1), D(2025, 11, 1), D(2041, 5, 31))),
        ("DTCaP-HibHepB-11m", (A_FAIRE, D(2026, 5, 1), D(2026, 6, 1), D(2041, 5, 31))),
        ("VPC-2m", (A_FAIRE, D(2025, 8, 1), D(2025, 9, 1), D(2027, 5, 31))),
        ("VPC-4m", (A_FAIRE, D(2025, 10, 1), D(2025, 11, 1), D(2027, 5, 31))),
        ("VPC-11m", (A_FAIRE, D(2026, 5, 1), D(2026, 6, 1), D(2027, 5, 31))),
        ("Rota-1", (A_FAIRE, D(2025, 8, 1), D(2025, 9, 1), D(2025, 9, 30))),
        ("Rota-2", (A_FAIRE, D(2025, 9, 1), D(2025, 10, 1), D(2025, 11, 30))),
        ("MenB-3m", (A_FAIRE, D(2025, 9, 1), D(2025, 10, 1), D(2027, 5, 31))),
        ("MenB-5m", (A_FAIRE, D(2025, 11, 1), D(2025, 12, 1), D(2030, 5, 31))),
        ("MenB-12m", (A_FAIRE, D(2026, 6, 1), D(2026, 7, 1), D(2030, 5, 31))),
        ("MenACWY-6m", (A_FAIRE, D(2025, 12, 1), D(2026, 1, 1), D(2026, 5, 31))),
        ("MenACWY-12m", (A_FAIRE, D(2026, 6, 1), D(2026, 7, 1), D(2030, 5, 31))),
        ("ROR-1", (A_FAIRE, D(2026, 6, 1), D(2026, 7, 1), None)),
        ("ROR-2", (A_FAIRE, D(2026, 10, 1), D(2027, 1, 1), None)),
        ("DTCaP-6a", (A_FAIRE, D(2031, 6, 1), D(2032, 6, 1), D(2036, 5, 31))),
        ("dTcaP-11a", (A_FAIRE, D(2036, 6, 1), D(2039, 6, 1), D(2045, 5, 31))),
        ("HPV-1", (A_FAIRE, D(2036, 6, 1), D(2040, 6, 1), D(2052, 5, 31))),
        ("HPV-2", (A_FAIRE, D(2036, 12, 1), D(2040, 12, 1), D(2052, 5, 31))),
        ("MenACWY-11a", (A_FAIRE, D(2036, 6, 1), D(2040, 6, 1), D(2050, 5, 31))),
        ("dTcaP-25a", (A_FAIRE, D(2050, 6, 1), D(2051, 6, 1), D(2065, 5, 31))),
        ("dTP-45a", (A_FAIRE, D(2070, 6, 1), D(2071, 6, 1), D(2085, 5, 31))),
        ("dTP-65a", (A_FAIRE, D(2090, 6, 1), D(2091, 6, 1), D(2095, 5, 31))),
        ("Zona-1", (A_FAIRE, D(2090, 6, 1), None, None)),
        ("Zona-2", (A_FAIRE, D(2090, 8, 1), None, None)),
        ("VPC20-65a", (A_FAIRE, D(2090, 6, 1), None, None)),
        ("Grippe-65a", (A_FAIRE, D(2090, 10, 15), None, D(2091, 1, 31))),
        ("COVID-19-65a", (A_FAIRE, D(2090, 10, 15), None, D(2091, 1, 31))),
    ],
)
def test_a_newborn_has_every_dose_to_do_on_the_published_dates(
    code: str, attendu: tuple[str, date, date | None, date | None]
) -> None:
    assert _ligne(_calendrier(NE, NE)[code]) == attendu


def test_a_newborn_has_nothing_late_and_only_the_three_dose_hpv_catch_up_not_applicable() -> None:
    echeances = _calendrier(NE, NE)
    assert {code for code, e in echeances.items() if e.statut != A_FAIRE} == {
        "HPV-2-rattrapage",
        "HPV-3-rattrapage",
    }
    assert echeances["HPV-2-rattrapage"].statut == NON_APPLICABLE
    assert echeances["Grippe-65a"].prochaine_campagne == D(2090, 10, 15)


def test_the_first_infant_dose_is_late_from_one_month_after_two_months() -> None:
    assert _calendrier(NE, D(2025, 8, 31))["DTCaP-HibHepB-2m"].statut == A_FAIRE
    assert _calendrier(NE, D(2025, 9, 1))["DTCaP-HibHepB-2m"].statut == EN_RETARD


# ---------------------------------------------------------------------------------------------
# A five-year-old

CINQ_ANS = D(2020, 3, 10)
AUJOURD_HUI_CINQ_ANS = D(2025, 6, 15)
VACCINE_A_5_ANS = (
    ("DTP", D(2020, 5, 10)),
    ("DTP", D(2020, 7, 10)),
    ("DTP", D(2021, 2, 10)),
    ("Pneumocoque", D(2020, 5, 10)),
    ("Pneumocoque", D(2020, 7, 10)),
    ("Pneumocoque", D(2021, 2, 10)),
    ("MenB", D(2020, 6, 10)),
    ("MenB", D(2020, 8, 10)),
    ("MenB", D(2021, 3, 10)),
    ("ROR", D(2021, 3, 10)),
    ("ROR", D(2021, 7, 12)),
)


@pytest.mark.parametrize(
    ("code", "statut", "faite"),
    [
        ("DTCaP-HibHepB-2m", FAITE, D(2020, 5, 10)),
        ("DTCaP-HibHepB-4m", FAITE, D(2020, 7, 10)),
        ("DTCaP-HibHepB-11m", FAITE, D(2021, 2, 10)),
        ("VPC-2m", FAITE, D(2020, 5, 10)),
        ("VPC-4m", FAITE, D(2020, 7, 10)),
        ("VPC-11m", FAITE, D(2021, 2, 10)),
        ("MenB-3m", FAITE, D(2020, 6, 10)),
        ("MenB-5m", FAITE, D(2020, 8, 10)),
        ("MenB-12m", FAITE, D(2021, 3, 10)),
        ("ROR-1", FAITE, D(2021, 3, 10)),
        ("ROR-2", FAITE, D(2021, 7, 12)),
        ("Rota-1", NON_APPLICABLE, None),
        ("MenACWY-6m", NON_APPLICABLE, None),
        ("MenACWY-12m", NON_APPLICABLE, None),
        ("DTCaP-6a", A_FAIRE, None),
        ("dTcaP-11a", A_FAIRE, None),
        ("HPV-1", A_FAIRE, None),
    ],
)
def test_a_fully_vaccinated_five_year_old(code: str, statut: str, faite: date | None) -> None:
    echeance = _calendrier(CINQ_ANS, AUJOURD_HUI_CINQ_ANS, *VACCINE_A_5_ANS)[code]
    assert (echeance.statut, echeance.date_faite) == (statut, faite)


def test_a_fully_vaccinated_five_year_old_is_late_for_nothing_and_next_due_at_six() -> None:
    echeances = _calendrier(CINQ_ANS, AUJOURD_HUI_CINQ_ANS, *VACCINE_A_5_ANS)
    assert [e for e in echeances.values() if e.statut == EN_RETARD] == []
    assert _ligne(echeances["DTCaP-6a"]) == (
        A_FAIRE,
        D(2026, 3, 10),
        D(2027, 3, 10),
        D(2031, 3, 9),
    )


@pytest.mark.parametrize(
    ("code", "statut"),
    [
        ("DTCaP-HibHepB-2m", EN_RETARD),
        ("DTCaP-HibHepB-4m", EN_RETARD),
        ("DTCaP-HibHepB-11m", EN_RETARD),
        ("ROR-1", EN_RETARD),
        ("ROR-2", EN_RETARD),
        ("VPC-2m", NON_APPLICABLE),
        ("VPC-11m", NON_APPLICABLE),
        ("Rota-1", NON_APPLICABLE),
        ("Rota-2", NON_APPLICABLE),
        ("MenB-3m", NON_APPLICABLE),
        ("MenB-5m", NON_APPLICABLE),
        ("MenB-12m", NON_APPLICABLE),
        ("MenACWY-6m", NON_APPLICABLE),
        ("MenACWY-12m", NON_APPLICABLE),
        ("DTCaP-6a", A_FAIRE),
        ("MenACWY-11a", A_FAIRE),
    ],
)
def test_a_five_year_old_with_nothing_done(code: str, statut: str) -> None:
    assert _calendrier(CINQ_ANS, AUJOURD_HUI_CINQ_ANS)[code].statut == statut


def test_an_infant_dose_late_keeps_its_dates() -> None:
    echeance = _calendrier(CINQ_ANS, AUJOURD_HUI_CINQ_ANS)["DTCaP-HibHepB-2m"]
    assert _ligne(echeance) == (EN_RETARD, D(2020, 5, 10), D(2020, 6, 10), D(2036, 3, 9))


# ---------------------------------------------------------------------------------------------
# Teenagers: HPV for girls and boys

TREIZE_ANS = D(2012, 9, 1)
AUJOURD_HUI_TREIZE_ANS = D(2025, 10, 1)


@pytest.mark.parametrize("sexe", ["F", "M", "U"])
@pytest.mark.parametrize(
    ("code", "attendu"),
    [
        ("HPV-1", (A_FAIRE, D(2023, 9, 1), D(2027, 9, 1), D(2039, 8, 31))),
        ("HPV-2", (A_FAIRE, D(2024, 3, 1), D(2028, 3, 1), D(2039, 8, 31))),
        ("HPV-2-rattrapage", (NON_APPLICABLE, D(2027, 11, 1), D(2027, 12, 1), D(2039, 8, 31))),
        ("HPV-3-rattrapage", (NON_APPLICABLE, D(2028, 3, 1), D(2028, 9, 1), D(2039, 8, 31))),
        ("dTcaP-11a", (A_FAIRE, D(2023, 9, 1), D(2026, 9, 1), D(2032, 8, 31))),
        ("MenACWY-11a", (A_FAIRE, D(2023, 9, 1), D(2027, 9, 1), D(2037, 8, 31))),
    ],
)
def test_a_thirteen_year_old_girl_or_boy_is_due_for_hpv(
    sexe: str, code: str, attendu: tuple[str, date, date | None, date | None]
) -> None:
    echeance = _calendrier(TREIZE_ANS, AUJOURD_HUI_TREIZE_ANS, sexe=sexe)[code]
    assert _ligne(echeance) == attendu


@pytest.mark.parametrize(
    ("aujourd_hui", "statut"),
    [(D(2025, 10, 1), A_FAIRE), (D(2025, 11, 14), A_FAIRE), (D(2025, 11, 15), EN_RETARD)],
)
def test_the_second_hpv_dose_is_due_six_months_after_the_first(
    aujourd_hui: date, statut: str
) -> None:
    echeances = _calendrier(TREIZE_ANS, aujourd_hui, ("HPV", D(2024, 10, 15)))
    assert echeances["HPV-1"].date_faite == D(2024, 10, 15)
    assert _ligne(echeances["HPV-2"]) == (statut, D(2025, 4, 15), D(2025, 11, 15), D(2039, 8, 31))


DIX_SEPT_ANS = D(2008, 5, 1)
AUJOURD_HUI_DIX_SEPT_ANS = D(2025, 6, 1)


@pytest.mark.parametrize(
    ("faites", "attendu"),
    [
        (
            (),
            {
                "HPV-1": (EN_RETARD, D(2019, 5, 1), D(2023, 5, 1), D(2035, 4, 30)),
                "HPV-2": (NON_APPLICABLE, D(2019, 11, 1), D(2020, 6, 1), D(2035, 4, 30)),
                "HPV-2-rattrapage": (EN_RETARD, D(2023, 7, 1), D(2023, 8, 1), D(2035, 4, 30)),
                "HPV-3-rattrapage": (EN_RETARD, D(2023, 11, 1), D(2024, 5, 1), D(2035, 4, 30)),
            },
        ),
        (
            (("HPV", D(2024, 6, 10)),),  # started at 16: three doses
            {
                "HPV-1": (FAITE, D(2019, 5, 1), D(2023, 5, 1), D(2035, 4, 30)),
                "HPV-2": (NON_APPLICABLE, D(2019, 11, 1), D(2020, 6, 1), D(2035, 4, 30)),
                "HPV-2-rattrapage": (EN_RETARD, D(2024, 8, 10), D(2024, 9, 10), D(2035, 4, 30)),
                "HPV-3-rattrapage": (A_FAIRE, D(2024, 12, 10), D(2025, 6, 10), D(2035, 4, 30)),
            },
        ),
        (
            (("HPV", D(2023, 4, 1)),),  # started at 14: two doses
            {
                "HPV-1": (FAITE, D(2019, 5, 1), D(2023, 5, 1), D(2035, 4, 30)),
                "HPV-2": (EN_RETARD, D(2023, 10, 1), D(2024, 5, 1), D(2035, 4, 30)),
                "HPV-2-rattrapage": (NON_APPLICABLE, D(2023, 7, 1), D(2023, 8, 1), D(2035, 4, 30)),
                "HPV-3-rattrapage": (NON_APPLICABLE, D(2023, 11, 1), D(2024, 5, 1), D(2035, 4, 30)),
            },
        ),
    ],
    ids=["nothing", "started-at-16", "started-at-14"],
)
def test_hpv_two_or_three_doses_depend_on_the_age_at_the_first(
    faites: tuple[tuple[str, date], ...],
    attendu: dict[str, tuple[str, date, date | None, date | None]],
) -> None:
    echeances = _calendrier(DIX_SEPT_ANS, AUJOURD_HUI_DIX_SEPT_ANS, *faites)
    assert {code: _ligne(echeances[code]) for code in attendu} == attendu


def test_hpv_catch_up_ends_at_twenty_six_revolus() -> None:
    naissance = D(1998, 5, 1)
    assert _calendrier(naissance, D(2025, 4, 30))["HPV-1"].statut == EN_RETARD
    echeances = _calendrier(naissance, D(2025, 5, 1))
    assert {echeances[code].statut for code in PUBLIE if code.startswith("HPV")} == {NON_APPLICABLE}


# ---------------------------------------------------------------------------------------------
# Adults

TRENTE_ANS = D(1995, 4, 12)
AUJOURD_HUI_TRENTE_ANS = D(2025, 6, 1)


@pytest.mark.parametrize(
    ("code", "statut"),
    [
        ("dTcaP-25a", EN_RETARD),
        ("dTP-45a", A_FAIRE),
        ("ROR-1", EN_RETARD),
        ("ROR-2", EN_RETARD),
        ("DTCaP-HibHepB-2m", NON_APPLICABLE),
        ("DTCaP-6a", NON_APPLICABLE),
        ("dTcaP-11a", NON_APPLICABLE),
        ("HPV-1", NON_APPLICABLE),
        ("MenACWY-11a", NON_APPLICABLE),
        ("Zona-1", A_FAIRE),
    ],
)
def test_a_thirty_year_old_with_nothing_done(code: str, statut: str) -> None:
    assert _calendrier(TRENTE_ANS, AUJOURD_HUI_TRENTE_ANS)[code].statut == statut


def test_a_thirty_year_old_is_late_for_the_pertussis_booster_at_twenty_five() -> None:
    echeance = _calendrier(TRENTE_ANS, AUJOURD_HUI_TRENTE_ANS)["dTcaP-25a"]
    assert _ligne(echeance) == (EN_RETARD, D(2020, 4, 12), D(2021, 4, 12), D(2035, 4, 11))


@pytest.mark.parametrize("rappel", [D(2019, 6, 1), D(2020, 4, 12), D(2024, 9, 3)])
def test_an_adult_booster_counts_without_any_childhood_record(rappel: date) -> None:
    echeances = _calendrier(TRENTE_ANS, AUJOURD_HUI_TRENTE_ANS, ("DTP", rappel))
    assert (echeances["dTcaP-25a"].statut, echeances["dTcaP-25a"].date_faite) == (FAITE, rappel)
    assert echeances["DTCaP-HibHepB-2m"].statut == NON_APPLICABLE


def test_a_complete_dtp_history_fills_every_dose_in_order() -> None:
    doses = [D(1995, 6, 12), D(1995, 8, 12), D(1996, 3, 12), D(2001, 5, 2), D(2007, 1, 8)]
    doses.append(D(2020, 5, 4))
    echeances = _calendrier(TRENTE_ANS, AUJOURD_HUI_TRENTE_ANS, *(("DTP", d) for d in doses))
    codes = [
        "DTCaP-HibHepB-2m",
        "DTCaP-HibHepB-4m",
        "DTCaP-HibHepB-11m",
        "DTCaP-6a",
        "dTcaP-11a",
        "dTcaP-25a",
    ]
    assert [echeances[code].date_faite for code in codes] == doses
    assert echeances["dTP-45a"].statut == A_FAIRE


def test_people_born_before_1980_are_not_asked_for_ror() -> None:
    echeances = _calendrier(D(1979, 12, 31), D(2025, 6, 1))
    assert (echeances["ROR-1"].statut, echeances["ROR-2"].statut) == (NON_APPLICABLE,) * 2
    assert _calendrier(D(1980, 1, 1), D(2025, 6, 1))["ROR-1"].statut == EN_RETARD


SOIXANTE_SIX_ANS = D(1959, 3, 1)
AUJOURD_HUI_SOIXANTE_SIX_ANS = D(2025, 11, 20)


def test_a_sixty_six_year_old_partly_vaccinated() -> None:
    echeances = _calendrier(
        SOIXANTE_SIX_ANS,
        AUJOURD_HUI_SOIXANTE_SIX_ANS,
        ("DTP", D(2024, 4, 2)),
        ("Grippe", D(2025, 10, 20)),
        ("Zona", D(2025, 1, 10)),
    )
    lignes = {
        code: (*_ligne(echeances[code]), echeances[code].date_faite)
        for code in ("dTP-45a", "dTP-65a", "dTP-10ans", "Zona-1", "Zona-2", "VPC20-65a")
    }
    assert lignes == {
        "dTP-45a": (NON_APPLICABLE, D(2004, 3, 1), D(2005, 3, 1), D(2019, 2, 28), None),
        "dTP-65a": (FAITE, D(2024, 3, 1), D(2025, 3, 1), D(2029, 2, 28), D(2024, 4, 2)),
        "dTP-10ans": (A_FAIRE, D(2034, 3, 1), D(2035, 3, 1), None, None),
        "Zona-1": (FAITE, D(2024, 3, 1), None, None, D(2025, 1, 10)),
        "Zona-2": (A_FAIRE, D(2025, 3, 10), None, None, None),
        "VPC20-65a": (A_FAIRE, D(2024, 3, 1), None, None, None),
    }
    grippe, covid = echeances["Grippe-65a"], echeances["COVID-19-65a"]
    assert (grippe.statut, grippe.date_faite, grippe.prochaine_campagne) == (
        FAITE,
        D(2025, 10, 20),
        D(2026, 10, 15),
    )
    assert (_ligne(covid), covid.prochaine_campagne) == (
        (A_FAIRE, D(2025, 10, 15), None, D(2026, 1, 31)),
        D(2025, 10, 15),
    )
    assert echeances["ROR-1"].statut == NON_APPLICABLE


def test_a_sixty_six_year_old_with_nothing_done_is_late_for_the_booster_at_sixty_five() -> None:
    echeances = _calendrier(SOIXANTE_SIX_ANS, AUJOURD_HUI_SOIXANTE_SIX_ANS)
    assert _ligne(echeances["dTP-65a"]) == (
        EN_RETARD,
        D(2024, 3, 1),
        D(2025, 3, 1),
        D(2029, 2, 28),
    )
    assert {echeances[code].statut for code in ("Zona-1", "Zona-2", "VPC20-65a")} == {A_FAIRE}


# ---------------------------------------------------------------------------------------------
# Seasonal campaigns


@pytest.mark.parametrize(
    ("naissance", "aujourd_hui", "faites", "attendu"),
    [
        # before the campaign: the coming one
        (D(1955, 1, 10), D(2025, 6, 1), (), (A_FAIRE, D(2025, 10, 15), D(2026, 1, 31), None)),
        # during the campaign, vaccinated last year only
        (
            D(1955, 1, 10),
            D(2025, 11, 1),
            (D(2024, 11, 1),),
            (A_FAIRE, D(2025, 10, 15), D(2026, 1, 31), None),
        ),
        # vaccinated early, before the official start: counts for this season
        (
            D(1955, 1, 10),
            D(2025, 10, 1),
            (D(2025, 9, 20),),
            (FAITE, D(2025, 10, 15), D(2026, 1, 31), D(2025, 9, 20)),
        ),
        # after the campaign: the next one, even if vaccinated this season
        (
            D(1955, 1, 10),
            D(2026, 2, 15),
            (D(2025, 11, 2),),
            (A_FAIRE, D(2026, 10, 15), D(2027, 1, 31), None),
        ),
        # turns 65 during the campaign
        (D(1960, 12, 20), D(2025, 12, 1), (), (A_FAIRE, D(2025, 12, 20), D(2026, 1, 31), None)),
        # turns 65 after this campaign: the next one
        (D(1961, 3, 1), D(2025, 11, 1), (), (A_FAIRE, D(2026, 10, 15), D(2027, 1, 31), None)),
        # vaccinated at 64 in the season of the 65th birthday
        (
            D(1960, 12, 20),
            D(2025, 12, 21),
            (D(2025, 10, 20),),
            (FAITE, D(2025, 12, 20), D(2026, 1, 31), D(2025, 10, 20)),
        ),
    ],
)
def test_seasonal_vaccinations_follow_the_autumn_campaign(
    naissance: date,
    aujourd_hui: date,
    faites: tuple[date, ...],
    attendu: tuple[str, date, date, date | None],
) -> None:
    for code in ("Grippe", "COVID-19"):
        echeances = _calendrier(naissance, aujourd_hui, *((code, jour) for jour in faites))
        echeance = echeances[f"{code}-65a"]
        assert (
            echeance.statut,
            echeance.date_recommandee,
            echeance.date_limite,
            echeance.date_faite,
        ) == attendu
        assert echeance.date_retard is None


def test_the_next_campaign_is_this_one_until_vaccinated_then_next_year() -> None:
    naissance = D(1955, 1, 10)
    avant = _calendrier(naissance, D(2025, 11, 1))["Grippe-65a"]
    apres = _calendrier(naissance, D(2025, 11, 1), ("Grippe", D(2025, 10, 30)))["Grippe-65a"]
    assert (avant.prochaine_campagne, apres.prochaine_campagne) == (
        D(2025, 10, 15),
        D(2026, 10, 15),
    )
    assert campagne(2025) == (D(2025, 10, 15), D(2026, 1, 31))


# ---------------------------------------------------------------------------------------------
# Counting doses


def test_a_dose_given_before_the_minimum_age_does_not_count() -> None:
    naissance = D(2025, 1, 1)
    trop_tot = ("DTP", D(2025, 2, 1))  # 4 weeks and 3 days old: under 6 weeks
    echeances = _calendrier(naissance, D(2025, 3, 15), trop_tot)
    assert (echeances["DTCaP-HibHepB-2m"].statut, echeances["DTCaP-HibHepB-2m"].date_faite) == (
        A_FAIRE,
        None,
    )
    echeances = _calendrier(naissance, D(2025, 3, 15), trop_tot, ("DTP", D(2025, 3, 10)))
    assert echeances["DTCaP-HibHepB-2m"].date_faite == D(2025, 3, 10)
    assert echeances["DTCaP-HibHepB-4m"].statut == A_FAIRE


@pytest.mark.parametrize(
    ("doses", "ror_1", "ror_2"),
    [
        ((D(2023, 10, 15), D(2024, 1, 15)), D(2024, 1, 15), None),
        ((D(2023, 10, 15), D(2024, 1, 15), D(2024, 2, 20)), D(2024, 1, 15), D(2024, 2, 20)),
        ((D(2024, 1, 15), D(2024, 2, 10)), D(2024, 1, 15), None),  # 2nd under 13 months
    ],
)
def test_a_ror_dose_before_twelve_months_calls_for_two_more(
    doses: tuple[date, ...], ror_1: date, ror_2: date | None
) -> None:
    echeances = _calendrier(D(2023, 1, 15), D(2024, 6, 1), *(("ROR", d) for d in doses))
    assert (echeances["ROR-1"].date_faite, echeances["ROR-2"].date_faite) == (ror_1, ror_2)
    if ror_2 is None:
        assert echeances["ROR-2"].statut == A_FAIRE


def test_an_hpv_dose_before_nine_does_not_count() -> None:
    echeances = _calendrier(TREIZE_ANS, AUJOURD_HUI_TREIZE_ANS, ("HPV", D(2020, 10, 1)))
    assert (echeances["HPV-1"].statut, echeances["HPV-1"].date_faite) == (A_FAIRE, None)


def test_duplicate_doses_on_the_same_day_count_once() -> None:
    jour = D(2025, 3, 1)
    echeances = _calendrier(
        D(2025, 1, 1),
        D(2025, 6, 1),
        ("DTP", jour),
        ("DTP", jour),
        ("DTCaP-HibHepB-4m", jour),
    )
    assert echeances["DTCaP-HibHepB-2m"].date_faite == jour
    assert _ligne(echeances["DTCaP-HibHepB-4m"]) == (
        EN_RETARD,
        D(2025, 5, 1),
        D(2025, 6, 1),
        D(2040, 12, 31),
    )


def test_a_rule_code_counts_as_a_dose_of_its_family_in_date_order() -> None:
    echeances = _calendrier(D(2023, 1, 15), D(2024, 3, 1), ("ROR-2", D(2024, 1, 20)))
    assert echeances["ROR-1"].date_faite == D(2024, 1, 20)
    assert echeances["ROR-2"].date_faite is None


def test_doses_dated_after_today_are_ignored() -> None:
    echeances = _calendrier(NE, D(2025, 8, 5), ("DTP", D(2025, 8, 6)))
    assert echeances["DTCaP-HibHepB-2m"].statut == A_FAIRE


def test_a_missed_rotavirus_window_cannot_be_caught_up() -> None:
    echeances = _calendrier(NE, D(2025, 10, 1))
    assert _ligne(echeances["Rota-1"]) == (
        NON_APPLICABLE,
        D(2025, 8, 1),
        D(2025, 9, 1),
        D(2025, 9, 30),
    )
    assert echeances["Rota-2"].statut == EN_RETARD


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"faites": [VaccinationFaite("Rage", D(2025, 7, 1))]}, "code de vaccin inconnu"),
        ({"sexe": "X"}, "sexe inconnu"),
        ({"aujourd_hui": D(2025, 5, 31)}, "précède"),
    ],
)
def test_it_rejects_unknown_codes_sexes_and_dates_before_birth(
    arguments: dict[str, object], message: str
) -> None:
    valeurs: dict[str, object] = {"date_naissance": NE, "sexe": "F", "aujourd_hui": NE}
    valeurs.update(arguments)
    with pytest.raises(ValueError, match=message):
        calendrier(**valeurs)  # type: ignore[arg-type]
