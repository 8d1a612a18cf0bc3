from __future__ import annotations

import contextlib
import string
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from espace_sante.lib import identifiants as ident

# --- INS / NIR ---------------------------------------------------------------------------------

EXEMPLE_NATIONAL = "277076322082910"  # the national INS example (fictitious)


def test_it_accepts_the_national_example() -> None:
    assert ident.valider_nir(EXEMPLE_NATIONAL) == EXEMPLE_NATIONAL


def test_it_normalises_spaces_and_dots() -> None:
    assert ident.valider_nir("2 77 07 63 220 829 10") == EXEMPLE_NATIONAL
    assert ident.valider_nir("2.77.07.63.220.829.10") == EXEMPLE_NATIONAL


def test_it_rejects_a_wrong_key_with_a_clear_message() -> None:
    with pytest.raises(ValidationError) as erreur:
        ident.valider_nir("277076322082911")
    assert erreur.value.code == "cle"
    assert "clé" in erreur.value.messages[0]


@pytest.mark.parametrize(
    ("valeur", "code"),
    [
        ("27707632208291", "longueur"),
        ("2770763220829100", "longueur"),
        ("577076322082910", "format"),
        ("2770763X2082910", "format"),
        ("277136322082910", "mois"),
        ("", "longueur"),
    ],
)
def test_it_rejects_malformed_numbers(valeur: str, code: str) -> None:
    with pytest.raises(ValidationError) as erreur:
        ident.valider_nir(valeur)
    assert erreur.value.code == code


def test_corsica_keys_read_2a_as_19_and_2b_as_18() -> None:
    corps_2a = "170012A004567"
    corps_2b = "170012B004567"
    assert ident.nir_cle(corps_2a) == 97 - int("1700119004567") % 97
    assert ident.nir_cle(corps_2b) == 97 - int("1700118004567") % 97
    assert ident.nir_est_valide(f"{corps_2a}{ident.nir_cle(corps_2a):02d}")
    assert ident.nir_est_valide(f"{corps_2b}{ident.nir_cle(corps_2b):02d}".lower())
    assert not ident.nir_est_valide(f"{corps_2a}{ident.nir_cle(corps_2b):02d}")


corps_nir = st.builds(
    lambda sexe, an, mois, dep, commune, ordre: (
        f"{sexe}{an:02d}{mois:02d}{dep}{commune:03d}{ordre:03d}"
    ),
    st.sampled_from("12378"),
    st.integers(0, 99),
    st.one_of(st.integers(1, 12), st.integers(20, 42), st.integers(50, 99)),
    st.one_of(st.sampled_from(["2A", "2B"]), st.integers(1, 99).map(lambda d: f"{d:02d}")),
    st.integers(1, 999),
    st.integers(1, 999),
)


@given(corps_nir)
def test_every_body_with_its_computed_key_is_valid(corps: str) -> None:
    cle = ident.nir_cle(corps)
    assert 1 <= cle <= 97
    assert ident.valider_nir(f"{corps}{cle:02d}") == corps + f"{cle:02d}"


@given(corps_nir, st.integers(1, 96))
def test_every_other_key_is_refused(corps: str, decalage: int) -> None:
    mauvaise = (ident.nir_cle(corps) - 1 + decalage) % 97 + 1
    assert not ident.nir_est_valide(f"{corps}{mauvaise:02d}")


@given(corps_nir, st.integers(0, 12), st.sampled_from(string.digits))
def test_a_single_changed_digit_is_detected(corps: str, position: int, chiffre: str) -> None:
    nir = f"{corps}{ident.nir_cle(corps):02d}"
    if not nir[position].isdigit() or nir[position] == chiffre:
        return
    if position in (5, 6) and nir[5:7] in {"2A", "2B"}:
        return
    altere = nir[:position] + chiffre + nir[position + 1 :]
    assert not ident.nir_est_valide(altere) or altere[:13] == nir[:13]


@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes(texte: str) -> None:
    with contextlib.suppress(ValidationError):
        ident.valider_nir(texte)


def test_birth_date_agreement() -> None:
    assert ident.nir_concorde_avec_naissance(EXEMPLE_NATIONAL, date(1977, 7, 3))
    assert not ident.nir_concorde_avec_naissance(EXEMPLE_NATIONAL, date(1978, 7, 3))
    assert not ident.nir_concorde_avec_naissance(EXEMPLE_NATIONAL, date(1977, 8, 3))
    # unknown month (99) agrees with any month
    corps = "1779975123456"
    inconnu = corps + f"{ident.nir_cle(corps):02d}"
    assert ident.nir_concorde_avec_naissance(inconnu, date(1977, 2, 1))


def test_known_ins_oids() -> None:
    assert ident.valider_oid_ins(" 1.2.250.1.213.1.4.10 ") == ident.OID_INS_NIR_TEST
    with pytest.raises(ValidationError):
        ident.valider_oid_ins("1.2.250.1.213.1.4.9")


# --- RPPS, ADELI, FINESS (Luhn) ----------------------------------------------------------------


@pytest.mark.parametrize("rpps", ["10000336601", "10000441302", "10004000922", "10100997245"])
def test_it_accepts_rpps_numbers_from_the_national_examples(rpps: str) -> None:
    assert ident.valider_rpps(rpps) == rpps


def test_it_rejects_rpps_with_a_wrong_key_or_length() -> None:
    with pytest.raises(ValidationError, match="clé"):
        ident.valider_rpps("10000336602")
    with pytest.raises(ValidationError, match="11 chiffres"):
        ident.valider_rpps("1000033660")


@given(st.text(alphabet=string.digits, min_size=10, max_size=10))
def test_rpps_luhn_key_round_trips(corps: str) -> None:
    rpps = corps + str(ident.luhn_cle(corps))
    assert ident.valider_rpps(rpps) == rpps
    autre = corps + str((ident.luhn_cle(corps) + 1) % 10)
    assert not ident.luhn_valide(autre)


@given(st.text(alphabet=string.digits, min_size=8, max_size=8))
def test_adeli_luhn_key_round_trips(corps: str) -> None:
    adeli = corps + str(ident.luhn_cle(corps))
    assert ident.valider_adeli(adeli) == adeli
    with pytest.raises(ValidationError):
        ident.valider_adeli(corps + str((ident.luhn_cle(corps) + 5) % 10))


def test_it_accepts_a_finess_number_from_the_national_examples() -> None:
    assert ident.valider_finess("750512345") == "750512345"


@given(st.text(alphabet=string.digits, min_size=6, max_size=6), st.sampled_from(["2A", "2B"]))
def test_corsican_finess_numbers_validate(reste: str, dep: str) -> None:
    corps = "20" + reste
    finess = dep + reste + str(ident.luhn_cle(corps))
    assert ident.valider_finess(finess) == finess


def test_it_rejects_malformed_finess() -> None:
    with pytest.raises(ValidationError, match="9 caractères"):
        ident.valider_finess("75051234")
    with pytest.raises(ValidationError, match="clé"):
        ident.valider_finess("750512346")


def test_masking_keeps_only_sex_and_key() -> None:
    assert ident.masquer_nir(EXEMPLE_NATIONAL) == "2 •• •• •• ••• ••• 10"
