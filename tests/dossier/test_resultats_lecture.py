"""Reading lab results out of structured lab reports (dossier/formats/cda/observations.py) and
their units (dossier/formats/ucum.py): the national example, the XDM one, bad input."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest

from dossier.formats import ucum
from dossier.formats.cda.analyse import CDAInvalide
from dossier.formats.cda.observations import (
    Genre,
    contient_des_resultats,
    observations_biologie,
)

from ..conftest import SHARED_DATA
from .resultats_cda import Obs, cr_bio, fichier_partage
from .test_cda_autopresentable import autopresentable

INS = "279035121518989"
AUJOURD_HUI = dt.date(2026, 3, 1)


def _lire(*observations: Obs):  # type: ignore[no-untyped-def]
    return observations_biologie(
        cr_bio(ins=INS, observations=list(observations)),
        date_document=dt.date(2024, 1, 15),
        aujourd_hui=AUJOURD_HUI,
    )


# --- The national examples -------------------------------------------------------------------


def test_the_tsh_report_gives_its_two_results_with_ranges_flags_and_methods() -> None:
    donnees = fichier_partage(SHARED_DATA / "cda" / "BIO-CR-BIO_2024.01_TSH_1.xml")
    assert contient_des_resultats(donnees)
    lecture = observations_biologie(donnees, aujourd_hui=AUJOURD_HUI)
    assert lecture.ignorees == ()
    tsh, t4 = lecture.observations
    assert (tsh.code, tsh.libelle, tsh.genre) == ("3016-3", "Thyréostimuline (TSH)", Genre.NOMBRE)
    assert (tsh.valeur, tsh.unite, tsh.bas, tsh.haut) == ("1.950", "m[IU]/L", "0.27", "4.2")
    assert (tsh.interpretation, tsh.methode) == ("N", "(ECL Modular)")
    assert tsh.date == dt.date(2014, 4, 2)
    assert (t4.code, t4.valeur, t4.unite, t4.interpretation) == ("3024-7", "7.67", "pg/mL", "L")
    assert (t4.bas, t4.haut) == ("9.3", "17")
    # The attached PDF's "type de document" observation is not a result.
    assert {o.code for o in lecture.observations} == {"3016-3", "3024-7"}


def test_a_self_presenting_lab_report_gives_the_results_of_the_cda_it_carries() -> None:
    """A CR-BIO delivered with its stylesheet (point 2) is read like the bare report."""
    donnees = fichier_partage(SHARED_DATA / "cda" / "BIO-CR-BIO_2024.01_TSH_1.xml")
    enveloppe = autopresentable(donnees)
    assert enveloppe != donnees and contient_des_resultats(enveloppe)
    nu = observations_biologie(donnees, aujourd_hui=AUJOURD_HUI).observations
    lu = observations_biologie(enveloppe, aujourd_hui=AUJOURD_HUI).observations
    assert [(o.code, o.valeur, o.unite) for o in lu] == [(o.code, o.valeur, o.unite) for o in nu]
    assert len(lu) == 2


def test_the_lab_report_of_the_xdm_example_gives_its_inr() -> None:
    archive = fichier_partage(SHARED_DATA / "xdm" / "CR-BIO_2021.01_PDF.zip")
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        donnees = z.read("IHE_XDM/SUBSET01/DOC0001.XML")
    lecture = observations_biologie(donnees, aujourd_hui=AUJOURD_HUI)
    (inr,) = lecture.observations
    assert (inr.code, inr.valeur, inr.unite, inr.genre) == ("6301-6", "2.0", "1", Genre.NOMBRE)
    assert inr.interpretation == "N" and inr.date == dt.date(2021, 1, 4)
    assert inr.libelle == "INR"


def test_a_document_without_lab_entries_is_not_read_again() -> None:
    from ensemble.demo import cda

    assert not contient_des_resultats(cda(ins=INS))


# --- Values ------------------------------------------------------------------------------------


def test_coded_text_boolean_and_interval_values_are_kept_as_text() -> None:
    lecture = _lire(
        Obs(code="1", type="CE", valeur="Positif", unite=None, bas=None, haut=None),
        Obs(code="2", xml_valeur='<value xsi:type="ST">trace</value>', bas=None, haut=None),
        Obs(code="3", xml_valeur='<value xsi:type="BL" value="true"/>', bas=None, haut=None),
        Obs(
            code="4",
            xml_valeur='<value xsi:type="IVL_PQ"><high value="0.5" unit="mg/L"/></value>',
            bas=None,
            haut=None,
        ),
        Obs(
            code="5",
            xml_valeur='<value xsi:type="RTO_INT_INT"><numerator value="1"/>'
            '<denominator value="64"/></value>',
            bas=None,
            haut=None,
        ),
    )
    assert lecture.ignorees == ()
    assert [(o.genre, o.valeur) for o in lecture.observations] == [
        (Genre.CODE, "Positif"),
        (Genre.TEXTE, "trace"),
        (Genre.TEXTE, "oui"),
        (Genre.TEXTE, "< 0.5 mg/L"),
        (Genre.TEXTE, "1/64"),
    ]


def test_a_reference_range_in_another_unit_is_converted_into_the_result_s() -> None:
    donnees = cr_bio(ins=INS, observations=[Obs(valeur="5.2", unite="mmol/L", bas="3", haut="6")])
    donnees = donnees.replace(b'low value="3" unit="mmol/L"', b'low value="3000" unit="umol/L"')
    (o,) = observations_biologie(donnees, aujourd_hui=AUJOURD_HUI).observations
    assert (o.bas, o.haut) == ("3", "6")


def test_an_observation_without_a_date_takes_the_document_s() -> None:
    (o,) = _lire(Obs(le="")).observations
    assert o.date == dt.date(2024, 1, 15)


# --- Bad input: skipped, with its reason, the others read --------------------------------------


@pytest.mark.parametrize(
    ("obs", "motif"),
    [
        (Obs(valeur=None), "valeur absente"),
        (Obs(xml_valeur='<value xsi:type="PQ" nullFlavor="NA"/>'), "valeur absente"),
        (Obs(valeur="abc"), "valeur non numérique « abc »"),
        (Obs(valeur="1,95"), "valeur non numérique « 1,95 »"),
        (Obs(valeur="1e999"), "valeur non numérique « 1e999 »"),
        (Obs(unite="mUI/l"), "unité inconnue « mUI/l »"),
        (Obs(unite="g/"), "unité inconnue « g/ »"),
        (Obs(le="20241340"), "date impossible « 20241340 »"),
        (Obs(le="18500101"), "date impossible « 18500101 »"),
        (Obs(le="203001011200"), "date dans le futur « 203001011200 »"),
        (Obs(le="2024"), "date incomplète « 2024 »"),
        (Obs(code=""), "analyse sans code LOINC"),
        (
            Obs(xml_valeur='<value xsi:type="GLIST_PQ" value="1"/>'),
            "type de valeur non pris en charge (GLIST_PQ)",
        ),
    ],
)
def test_a_malformed_observation_is_skipped_with_its_reason_and_the_others_are_read(
    obs: Obs, motif: str
) -> None:
    lecture = _lire(Obs(code="2345-7", libelle="Glucose", valeur="1.02", unite="g/L"), obs)
    assert [o.code for o in lecture.observations] == ["2345-7"]
    (ignoree,) = lecture.ignorees
    assert ignoree.motif == motif and ignoree.rang == 2
    assert lecture.motifs == {motif: 1}


def test_a_hostile_document_is_refused_by_the_hardened_parser() -> None:
    with pytest.raises(CDAInvalide):
        observations_biologie(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ClinicalDocument/>'
        )


# --- Units -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "unite",
    ["g/L", "mg/dL", "m[IU]/L", "10*9/L", "10*3/uL", "/mm3", "mm[Hg]", "%", "mL/min/{1.73_m2}",
     "umol/L", "µmol/L", "fL", "kg.m-2", "U/L", "[arb'U]/mL", "(mg/L)/(mmol/L)", "1", ""],
)  # fmt: skip
def test_ucum_units_of_the_lab_are_valid(unite: str) -> None:
    assert ucum.unite_valide(unite)


@pytest.mark.parametrize("unite", ["mUI/l", "G/L", "g/", "mg//dL", "xyz", "mg dL", "(g", "{a"])
def test_units_outside_ucum_are_unknown(unite: str) -> None:
    assert not ucum.unite_valide(unite)


@pytest.mark.parametrize(
    ("de", "vers", "facteur"),
    [
        ("mg/dL", "g/L", Decimal("0.01")),
        ("g/l", "mg/dL", Decimal(100)),
        ("umol/L", "mmol/L", Decimal("0.001")),
        ("µmol/L", "umol/L", Decimal(1)),
        ("u[IU]/mL", "m[IU]/L", Decimal(1)),
        ("10*3/uL", "10*9/L", Decimal(1)),
        ("g/L", "mmol/L", None),  # needs the analyte's molar mass: not converted
        ("%", "g/L", None),
    ],
)
def test_conversions_stay_within_one_quantity(de: str, vers: str, facteur: Decimal | None) -> None:
    assert ucum.facteur_de_conversion(de, vers) == facteur


def test_units_read_as_french_labs_write_them() -> None:
    assert ucum.unite_lisible("umol/L") == "µmol/L"
    assert ucum.unite_lisible("m[IU]/L") == "mUI/L"
    assert ucum.unite_lisible("10*9/L") == "10⁹/L"
    assert ucum.unite_lisible("kg.m-2") == "kg.m⁻²"
    assert ucum.unite_lisible("1") == ""
