"""Each vaccine of the 2025 schedule × an age: due ("à faire"), overdue, done or not applicable.

One line per case: the rule, the person's age today, the ages at which doses of the rule's
family were given, the expected status. Ages are written as in the data file
(profil/donnees/calendrier_vaccinal.json): "6s" weeks, "2m" months, "11a" years, "11a6m"."""

from __future__ import annotations

from datetime import date

import pytest

from profil.vaccination import (
    REGLES_PAR_CODE,
    Statut,
    VaccinationFaite,
    _age,
    calendrier,
    lire_table,
)

A, R, F, N = Statut.A_FAIRE, Statut.EN_RETARD, Statut.FAITE, Statut.NON_APPLICABLE
NAISSANCE = date(1990, 3, 15)

# (rule, age today, doses given at these ages [(family or code, age)], expected)
CAS: list[tuple[str, str, list[tuple[str, str]], Statut]] = [
    # Hexavalent DTCaP-Hib-HepB: 2, 4, 11 months; late one month after; catch-up before 16.
    ("DTCaP-HibHepB-2m", "1m", [], A),
    ("DTCaP-HibHepB-2m", "2m2s", [], A),
    ("DTCaP-HibHepB-2m", "3m", [], R),
    ("DTCaP-HibHepB-2m", "3m", [("DTP", "2m")], F),
    ("DTCaP-HibHepB-2m", "16a", [], N),
    ("DTCaP-HibHepB-4m", "5m", [("DTP", "2m")], R),
    ("DTCaP-HibHepB-11m", "1a", [("DTP", "2m"), ("DTP", "4m"), ("DTP", "11m")], F),
    # Childhood and adult boosters.
    ("DTCaP-6a", "6a6m", [], A),
    ("DTCaP-6a", "7a", [], R),
    ("DTCaP-6a", "12a", [], N),
    ("dTcaP-11a", "13a", [], A),
    ("dTcaP-11a", "14a", [], R),
    ("dTcaP-11a", "14a", [("DTP", "12a")], F),
    ("dTcaP-25a", "26a", [], R),
    ("dTcaP-25a", "30a", [("DTP", "26a")], F),
    ("dTP-45a", "44a", [], A),
    ("dTP-45a", "47a", [("DTP", "44a")], F),
    ("dTP-65a", "66a", [], R),
    ("dTP-65a", "71a", [], N),
    # After 65: one line, "every ten years", never a list of boosters to 105.
    ("dTP-10ans", "74a", [], A),
    ("dTP-10ans", "76a", [], R),
    ("dTP-10ans", "80a", [("DTP", "75a")], F),
    ("dTP-10ans", "86a", [("DTP", "75a")], R),
    ("dTP-10ans", "101a", [("DTP", "75a"), ("DTP", "85a"), ("DTP", "95a")], F),
    ("dTP-10ans", "72a", [("DTP", "71a")], F),
    # Pneumococcal: infants (before 2 years), then adults from 65.
    ("VPC-2m", "3m", [], R),
    ("VPC-11m", "1a", [("Pneumocoque", "2m"), ("Pneumocoque", "4m"), ("Pneumocoque", "11m")], F),
    ("VPC-4m", "2a", [], N),
    ("VPC20-65a", "64a", [], A),
    ("VPC20-65a", "70a", [], A),  # "from 65": never late
    ("VPC20-65a", "70a", [("Pneumocoque", "66a")], F),
    # Rotavirus (recommended since 2022): before 6 months only.
    ("Rota-1", "2m", [], A),
    ("Rota-1", "3m", [], R),
    ("Rota-2", "4m", [("Rotavirus", "2m"), ("Rotavirus", "3m")], F),
    ("Rota-1", "4m", [], N),
    ("Rota-2", "6m", [], N),
    # Meningococcal B (mandatory for infants born from 2025).
    ("MenB-3m", "3m", [], A),
    ("MenB-3m", "4m", [], R),
    ("MenB-5m", "6m", [("MenB", "3m")], R),
    ("MenB-12m", "13m", [("MenB", "3m"), ("MenB", "5m"), ("MenB", "12m")], F),
    ("MenB-3m", "2a", [], N),
    # Meningococcal ACWY: 6 and 12 months, then 11–14 years (a MenC dose counts for infants).
    ("MenACWY-6m", "7m", [], R),
    ("MenACWY-6m", "7m", [("MenC", "5m")], F),
    ("MenACWY-12m", "13m", [("MenACWY", "6m"), ("MenC", "12m")], F),
    ("MenACWY-11a", "12a", [], A),
    ("MenACWY-11a", "15a", [], R),
    ("MenACWY-11a", "15a", [("MenC", "12a")], R),  # MenC is no adolescent ACWY dose
    ("MenACWY-11a", "25a", [], N),
    # ROR: two doses, 12 and 16–18 months, catch-up for everyone born since 1980.
    ("ROR-1", "12m", [], A),
    ("ROR-1", "13m", [], R),
    ("ROR-2", "19m", [("ROR", "12m")], R),
    ("ROR-2", "20a", [("ROR", "12m"), ("ROR", "17m")], F),
    ("ROR-1", "30a", [], R),
    ("ROR-1", "11m", [("ROR", "9m")], A),  # before 12 months: does not count
    # HPV, girls and boys: 11–14 years (two doses), catch-up to 26 (three doses).
    ("HPV-1", "10a", [], A),
    ("HPV-1", "15a", [], R),
    ("HPV-1", "15a", [("HPV", "12a")], F),
    ("HPV-2", "13a", [("HPV", "12a"), ("HPV", "12a6m")], F),
    ("HPV-2", "16a", [("HPV", "16a")], N),  # started at 15 or later: three doses
    ("HPV-2-rattrapage", "16a3m", [("HPV", "16a")], R),
    ("HPV-3-rattrapage", "17a", [("HPV", "16a"), ("HPV", "16a2m"), ("HPV", "16a8m")], F),
    ("HPV-1", "27a", [], N),
    # Zona (Shingrix) from 65: two doses, never late.
    ("Zona-1", "64a", [], A),
    ("Zona-1", "70a", [], A),
    ("Zona-1", "70a", [("Zona", "66a")], F),
    ("Zona-2", "70a", [("Zona", "66a"), ("Zona", "66a3m")], F),
    # Influenza and Covid, every autumn from 65 (a dose counts for its season only).
    ("Grippe-65a", "60a", [], A),
    ("Grippe-65a", "70a", [("Grippe", "69a9m")], A),  # last season's dose
    ("COVID-19-65a", "70a", [], A),
    # Recommended to some children only: never late.
    ("BCG-1", "2m", [], A),
    ("BCG-1", "10a", [], A),
    ("BCG-1", "3a", [("BCG", "1m")], F),
    ("BCG-1", "15a", [], N),
    ("HepA-1", "2a", [], A),
    ("HepA-1", "5a", [("HepA", "2a")], F),
    ("HepA-1", "18a", [], N),
    # RSV: nirsevimab for infants in their first season, vaccine from 75.
    ("VRS-nourrisson", "1m", [], A),
    ("VRS-nourrisson", "3m", [("VRS", "0m")], F),
    ("VRS-nourrisson", "1a", [], N),
    ("VRS-75a", "80a", [], A),
    ("VRS-75a", "80a", [("VRS", "76a")], F),
]


@pytest.mark.parametrize(
    ("code", "age", "doses", "attendu"),
    CAS,
    ids=[f"{code}-{age}-{len(doses)}dose-{attendu}" for code, age, doses, attendu in CAS],
)
def test_each_vaccine_at_each_age(
    code: str, age: str, doses: list[tuple[str, str]], attendu: Statut
) -> None:
    echeances = calendrier(
        date_naissance=NAISSANCE,
        sexe="F",
        aujourd_hui=_age(age).apres(NAISSANCE),
        faites=[VaccinationFaite(famille, _age(a).apres(NAISSANCE)) for famille, a in doses],
    )
    (echeance,) = [e for e in echeances if e.regle.code == code]
    assert echeance.statut == attendu


def test_every_rule_of_the_table_has_its_cases() -> None:
    assert set(REGLES_PAR_CODE) - {code for code, _age_, _doses, _attendu in CAS} == set()


def test_the_schedule_has_the_vaccines_of_the_current_french_calendar() -> None:
    titre, familles, regles = lire_table()
    assert "2025" in titre
    assert {
        "DTP", "Pneumocoque", "Rotavirus", "MenB", "MenACWY", "ROR", "HPV", "Zona", "Grippe",
        "COVID-19", "BCG", "HepA", "VRS",
    } == set(familles)  # fmt: skip
    assert {regle.famille for regle in regles} == set(familles)


def test_no_adult_booster_is_listed_beyond_the_every_ten_years_line() -> None:
    rappels = [r for r in REGLES_PAR_CODE.values() if r.famille == "DTP"]
    assert max(r.age.mois for r in rappels) == 75 * 12
    (periodique,) = [r for r in rappels if r.periode is not None]
    assert periodique.periode is not None and periodique.periode.mois == 120
