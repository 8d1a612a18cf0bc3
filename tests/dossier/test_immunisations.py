"""Reading the vaccinations of a CDA (dossier/formats/cda/immunisations.py): the national
examples, the project's own notes, and bad input. Pure: no database."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from dossier.formats.cda.immunisations import (
    ANOMALIES_MAX,
    Immunisations,
    lire_immunisations,
    peut_contenir,
)
from profil.codes_vaccins import (
    _ATC,
    _NOMS,
    _PRODUITS,
    LIBELLES,
    CodeLu,
    famille_atc,
    famille_de,
    famille_nom,
)
from profil.vaccination import FAMILLES

from ..conftest import SHARED_DATA, en_ci
from .fabrique_vaccins import HEXA_1, ROR_1, ROR_2, Injection, note_de_vaccination

INS = "180057512345678"
AUJOURD_HUI = date(2026, 1, 10)


def _donnee(chemin: Path) -> bytes:
    if not chemin.exists():
        raison = f"Données de référence absentes : {chemin} (attendues dans ../shared/data/)."
        if en_ci():
            pytest.fail(raison + " Elles sont obligatoires en CI.")
        pytest.skip(raison)
    return chemin.read_bytes()


def _lire(donnees: bytes, naissance: date | None = date(2015, 1, 10)) -> Immunisations:
    lues = lire_immunisations(donnees, naissance=naissance, jusqu_au=AUJOURD_HUI)
    assert lues is not None
    return lues


# --- The national examples ---------------------------------------------------------------------


def test_the_vac_note_2023_example_gives_its_tetanus_injection_with_every_detail() -> None:
    lues = _lire(_donnee(SHARED_DATA / "cda" / "VAC-NOTE_2023.01.xml"), date(1979, 3, 28))
    assert lues.anomalies == ()
    (vaccin,) = lues.vaccinations
    assert vaccin.famille == "Tetanos"  # ATC J07AM: tetanus alone, not a DTP dose
    assert vaccin.date == date(2009, 9, 28)
    assert vaccin.produit.startswith("VACCIN TETANIQUE PASTEUR, suspension injectable")
    assert vaccin.code == "CIS 68747507"
    assert (vaccin.lot, vaccin.rang, vaccin.rappel) == ("4456672", 2, False)
    assert vaccin.vaccinateur == "Charles MULLER"


def test_the_vac_note_of_the_xdm_archive_is_read_by_its_product_codes_alone() -> None:
    with zipfile.ZipFile(io.BytesIO(_donnee(SHARED_DATA / "xdm" / "VAC-NOTE_2021.01.zip"))) as z:
        (nom,) = [n for n in z.namelist() if n.upper().endswith("DOC0001.XML")]
        donnees = z.read(nom)
    lues = _lire(donnees, date(1977, 7, 14))
    # Its "Traitements" section (paracetamol) and its recommended vaccine are not vaccinations.
    assert lues.anomalies == ()
    (vaccin,) = lues.vaccinations
    assert (vaccin.famille, vaccin.date, vaccin.lot) == ("Tetanos", date(2009, 9, 28), "4456672")
    assert vaccin.code == "CIS 68747507"  # no ATC here: the CIS code decides


def test_the_cnam_hr_vaccinations_without_injection_date_are_reported_not_kept() -> None:
    lues = _lire(_donnee(SHARED_DATA / "cda" / "CNAM-HR_2021.01.xml"), date(1979, 3, 28))
    assert lues.vaccinations == ()
    assert len(lues.anomalies) == 3
    assert all("la date d'injection manque" in phrase for phrase in lues.anomalies)
    assert "HBVAXPRO" in lues.anomalies[1]


@pytest.mark.parametrize(
    "nom",
    [
        "BIO-CR-BIO_2024.01_TSH_1.xml",
        "IMG_CR_IMG_2024.01.xml",
        "LDL-SES_2022.01.xml",
        "eP-MED-DM_2024.01_PosoStruct.xml",
        "DOC_NON_STRUCTURE_CDA-R2-N1.xml",
    ],
)
def test_the_other_examples_record_no_vaccination(nom: str) -> None:
    donnees = _donnee(SHARED_DATA / "cda" / nom)
    assert lire_immunisations(donnees, naissance=None, jusqu_au=AUJOURD_HUI) is None


# --- The project's notes ---------------------------------------------------------------------


def test_a_note_gives_each_injection_and_skips_the_recommended_one() -> None:
    lues = _lire(note_de_vaccination(ins=INS, injections=(HEXA_1, ROR_1, ROR_2)))
    assert [(v.famille, v.date, v.rang) for v in lues.vaccinations] == [
        ("DTP", date(2015, 3, 10), 1),
        ("ROR", date(2016, 1, 15), 1),
        ("ROR", date(2016, 5, 20), 2),
    ]
    assert lues.vaccinations[0].vaccinateur == "Claire PIQUER"
    assert lues.anomalies == ()


def test_a_booster_a_negated_and_an_untemplated_entry_outside_a_vaccination_section() -> None:
    injections = (
        Injection(le="20250301", acte="BOOSTER", atc=("J07BB02", "grippe")),
        Injection(le="20250302", negation=True),  # noted as not given
        Injection(le="20250303", atc=("J07BM03", "papillomavirus")),
    )
    lues = _lire(note_de_vaccination(ins=INS, injections=injections))
    assert [(v.famille, v.rappel) for v in lues.vaccinations] == [("Grippe", True), ("HPV", False)]
    # In another section, an entry is a vaccination by its template only (the recommended
    # one of the second section is skipped: nothing is left).
    sans_modele = Injection(le="20250304", modele=False)
    autre = note_de_vaccination(ins=INS, injections=(sans_modele,), code_section="10160-0")
    assert lire_immunisations(autre, naissance=None, jusqu_au=AUJOURD_HUI) is None
    avec_modele = note_de_vaccination(
        ins=INS, injections=(Injection(le="20250304"),), code_section="10160-0"
    )
    assert [v.famille for v in _lire(avec_modele).vaccinations] == ["ROR"]


def test_the_same_vaccine_twice_on_a_day_is_one_vaccination() -> None:
    lues = _lire(note_de_vaccination(ins=INS, injections=(ROR_1, ROR_1)))
    assert len(lues.vaccinations) == 1


@pytest.mark.parametrize(
    ("injection", "attendu"),
    [
        (Injection(le=""), "la date d'injection manque"),
        (Injection(le="20160231"), "la date d'injection est impossible (31/02/2016)"),
        (Injection(le="201602"), "est incomplète (02/2016 : il manque le jour)"),
        (Injection(le="15/01/2016"), "la date d'injection est illisible"),
        (Injection(le="20140101"), "(01/01/2014) précède la naissance"),
        (Injection(le="20270101"), "(01/01/2027) est postérieure au document"),
        (
            Injection(atc=("J07XX99", "inconnu"), nom="VACCIN IMAGINAIRE"),
            "« VACCIN IMAGINAIRE » du 15/01/2016 (code ATC J07XX99) : ce vaccin n'est pas reconnu",
        ),
        (Injection(atc=None, nom=""), "ne nomme aucun vaccin"),
    ],
)
def test_bad_input_is_reported_in_plain_french_and_skipped(
    injection: Injection, attendu: str
) -> None:
    lues = _lire(note_de_vaccination(ins=INS, injections=(injection, ROR_2)))
    assert [v.date for v in lues.vaccinations] == [date(2016, 5, 20)]  # the good one stays
    (phrase,) = lues.anomalies
    assert attendu in phrase
    assert phrase.endswith("n'est pas reprise dans le carnet de vaccination.")


def test_a_flood_of_bad_entries_is_reported_within_bounds() -> None:
    lues = _lire(note_de_vaccination(ins=INS, injections=(Injection(le=""),) * 200))
    assert len(lues.anomalies) == ANOMALIES_MAX + 1
    assert f"carnet de vaccination : {200 - ANOMALIES_MAX} (" in lues.anomalies[-1]


def test_a_document_without_vaccination_markers_is_not_parsed_again() -> None:
    assert not peut_contenir(b"<ClinicalDocument xmlns='urn:hl7-org:v3'/>")
    note = note_de_vaccination(ins=INS).decode()
    for codec in ("utf-16", "utf-16-le", "utf-16-be"):  # with a byte order mark, then without
        assert len(_lire(note.encode(codec)).vaccinations) == 2, codec
    hostile = b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>11369-6</x>"
    lues = lire_immunisations(hostile, naissance=None, jusqu_au=AUJOURD_HUI)
    assert lues is not None and lues.vaccinations == () and len(lues.anomalies) == 1


# --- Which vaccine ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "famille"),
    [
        ("J07CA09", "DTP"),
        ("J07CA02", "DTP"),
        ("J07AM01", "Tetanos"),
        ("J07AM", "Tetanos"),
        ("J07AH08", "MenACWY"),
        ("J07AH09", "MenB"),
        ("J07AH07", "MenC"),
        ("J07AL02", "Pneumocoque"),
        ("J07AL01", "Pneumo-VPP23"),
        ("J07BK03", "Zona"),
        ("J07BK02", "Zona-vivant"),
        ("J07BN01", "COVID-19"),
        ("J07BX03", "COVID-19"),
        ("J07", None),
        ("N02BE01", None),
    ],
)
def test_atc_classes_map_to_families(code: str, famille: str | None) -> None:
    assert famille_atc(code) == famille


def test_product_names_map_to_families_by_their_first_words() -> None:
    assert famille_nom("Infanrix hexa, poudre et suspension") == "DTP"
    assert famille_nom("INFANRIX TETRA") == "DTP"
    assert famille_nom("M-M-RVAXPRO") == "ROR"
    assert famille_nom("Gardasil 9, suspension injectable") == "HPV"
    assert famille_nom("VAXIGRIPTETRA") == "Grippe"
    assert famille_nom("Vaccin tétanique Pasteur") == "Tetanos"
    assert famille_nom("PREVENARIUS") is None  # a brand is a whole word
    assert famille_nom("") is None


def test_the_atc_code_wins_over_the_name_and_every_family_has_a_label() -> None:
    codes = [CodeLu("2.16.840.1.113883.6.73", "J07BD52", "ROR")]
    assert famille_de(codes, ["GARDASIL"]) == "ROR"
    assert famille_de([CodeLu("1.2.250.1.215.200.1.2.2", "J07BC01")], []) == "HepB"
    assert famille_de([CodeLu("2.16.840.1.113883.12.292", "03")], []) is None  # CVX: not mapped
    for famille in {*_ATC.values(), *_NOMS.values(), *_PRODUITS.values()}:
        assert famille in LIBELLES and len(famille) <= 20, famille
    assert set(FAMILLES) <= set(LIBELLES)


def test_reading_the_cnam_hr_example_gives_the_same_answer_every_time() -> None:
    """A non-vaccine entry once passed as a vaccination now and then (ids of freed lxml
    proxies reused): read again and again, amid other allocations, the answer never moves."""
    donnees = _donnee(SHARED_DATA / "cda" / "CNAM-HR_2021.01.xml")
    premiere = _lire(donnees, date(1979, 3, 28))
    for rang in range(150):
        bruit = [object() for _ in range((rang * 37) % 400)]  # shift the allocator
        assert _lire(donnees, date(1979, 3, 28)) == premiere
        del bruit
