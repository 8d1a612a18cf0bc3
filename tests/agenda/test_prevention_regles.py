"""The recommended care's tables (docs/PREVENTION.md), table-driven: each rule's window for a
given birth date and sex. Pure: no database."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from agenda.prevention import THEMES, age_apres, soins_du_calendrier, tables

NAISSANCE = date(2020, 1, 31)  # the 31st: months clamp (1 month after is 29 February 2020)


def _par_cle(sexe: str = "F", naissance: date = NAISSANCE) -> dict[str, tuple[date, date]]:
    return {s.cle: (s.du, s.au) for s in soins_du_calendrier(date_naissance=naissance, sexe=sexe)}


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("0j", date(2020, 1, 31)),
        ("8j", date(2020, 2, 8)),
        ("2s", date(2020, 2, 14)),
        ("1m", date(2020, 2, 29)),
        ("2m", date(2020, 3, 31)),
        ("3a", date(2023, 1, 31)),
        ("1a1m", date(2021, 2, 28)),
    ],
)
def test_an_age_is_months_first_then_weeks_and_days(texte: str, attendu: date) -> None:
    assert age_apres(NAISSANCE, texte) == attendu


@pytest.mark.parametrize("texte", ["", "x", "3ans", "2m3a"])
def test_an_unreadable_age_is_refused(texte: str) -> None:
    with pytest.raises(ValueError):
        age_apres(NAISSANCE, texte)


def test_there_are_twenty_mandatory_examinations_of_children() -> None:
    soins = soins_du_calendrier(date_naissance=NAISSANCE, sexe="M")
    enfants = [s for s in soins if s.theme == "enfant"]
    assert len(enfants) == 20
    assert len({s.cle for s in enfants}) == 20
    assert all(s.du <= s.au for s in enfants)
    assert enfants[-1].au < age_apres(NAISSANCE, "17a")  # all before 17


@pytest.mark.parametrize(
    ("cle", "du", "au"),
    [
        ("examen-enfant-8-jours", date(2020, 1, 31), date(2020, 2, 8)),
        ("examen-enfant-2-semaines", date(2020, 2, 8), date(2020, 2, 14)),
        ("examen-enfant-2-mois", date(2020, 3, 31), date(2020, 4, 29)),
        ("examen-enfant-9-mois", date(2020, 10, 31), date(2020, 11, 29)),
        ("examen-enfant-16-18-mois", date(2021, 5, 31), date(2021, 8, 30)),
        ("examen-enfant-24-mois", date(2022, 1, 31), date(2022, 3, 30)),
        ("examen-enfant-3-ans", date(2023, 1, 31), date(2024, 1, 30)),
        ("examen-enfant-7-ans", date(2027, 1, 31), date(2028, 1, 30)),
        ("examen-enfant-8-9-ans", date(2028, 1, 31), date(2030, 1, 30)),
        ("examen-enfant-11-13-ans", date(2031, 1, 31), date(2034, 1, 30)),
        ("examen-enfant-15-16-ans", date(2035, 1, 31), date(2037, 1, 30)),
        ("mt-dents-3-ans", date(2023, 1, 31), date(2024, 1, 30)),
        ("mt-dents-24-ans", date(2044, 1, 31), date(2045, 1, 30)),
    ],
)
def test_child_and_dental_windows(cle: str, du: date, au: date) -> None:
    assert _par_cle()[cle] == (du, au)


def test_dental_check_ups_every_year_from_3_to_24() -> None:
    """M'T dents "tous les ans" since 1 April 2025 (the issue asked for every 3 years, the
    rule before; docs/PREVENTION.md)."""
    dentaire = sorted(int(c.split("-")[2]) for c in _par_cle("M") if c.startswith("mt-dents-"))
    assert dentaire == list(range(3, 25))


NEE = date(1970, 6, 15)


@pytest.mark.parametrize(
    ("sexe", "prefixe", "ages", "dernier_jour"),
    [
        ("F", "depistage-sein", list(range(50, 75, 2)), date(2045, 6, 14)),
        ("F", "depistage-colorectal", list(range(50, 75, 2)), date(2045, 6, 14)),
        ("M", "depistage-colorectal", list(range(50, 75, 2)), date(2045, 6, 14)),
        ("F", "depistage-col-cytologie", [25, 28], date(2000, 6, 14)),
        ("F", "depistage-col-hpv", [30, 35, 40, 45, 50, 55, 60, 65], date(2036, 6, 14)),
        ("M", "depistage-sein", [], None),
        ("M", "depistage-col-hpv", [], None),
        ("U", "depistage-sein", list(range(50, 75, 2)), date(2045, 6, 14)),
    ],
)
def test_organised_screenings_by_age_and_sex(
    sexe: str, prefixe: str, ages: list[int], dernier_jour: date | None
) -> None:
    soins = [
        s
        for s in soins_du_calendrier(date_naissance=NEE, sexe=sexe)
        if s.cle.startswith(prefixe + "-") and s.cle[len(prefixe) + 1 : -4].isdigit()
    ]
    assert [int(s.cle[len(prefixe) + 1 : -4]) for s in soins] == ages
    if ages:
        assert soins[0].du == age_apres(NEE, f"{ages[0]}a")
        assert soins[-1].au == dernier_jour  # the range ends on the last day of its last age
        for avant, apres in itertools.pairwise(soins):
            assert apres.du > avant.au  # windows follow one another without overlap


def test_cervical_cytology_stops_where_the_hpv_test_starts() -> None:
    soins = _par_cle("F", NEE)
    assert soins["depistage-col-cytologie-28-ans"][1] == date(2000, 6, 14)  # the day before 30
    assert soins["depistage-col-hpv-30-ans"][0] == date(2000, 6, 15)


def test_every_theme_of_the_tables_is_known_and_has_its_source() -> None:
    donnees = tables()
    themes = {"enfant", *(r["theme"] for r in donnees["periodiques"])}
    assert themes <= set(THEMES)
    assert themes == set(donnees["sources"])
    for soin in soins_du_calendrier(date_naissance=NEE, sexe="F"):
        assert soin.source and soin.critere and len(soin.cle) <= 64
