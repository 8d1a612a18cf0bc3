"""The FHIR export states each document's real type with its coding (docs/TYPES.md): J07's
system, code and label for a national type, the document's own for a code J07 does not know."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone
from fhirclient.models.bundle import Bundle as BundleR4

from dossier.types import OID_LOINC, OID_TYPES_FR
from ensemble.fhir import FichierExporte, bundle_construire
from espace_sante.acces import AccesPatient, Role
from profil.models import Espace

from ..factories import document

pytestmark = pytest.mark.django_db


def _types(espace: Espace, *documents: Any) -> dict[str, dict[str, Any]]:
    acces = AccesPatient(espace=espace, role=Role.TITULAIRE, utilisateur=espace.titulaire)
    bundle = bundle_construire(
        acces=acces,
        fichiers=[FichierExporte(d, f"documents/{d.uuid}.pdf", "AAAA") for d in documents],
        identifiant=uuid.uuid4(),
        moment=timezone.now(),
    )
    BundleR4(bundle, strict=True)  # still valid FHIR R4
    return {
        e["resource"]["description"]: e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    }


def test_each_document_states_its_real_type_with_its_national_coding(titulaire: Espace) -> None:
    par_titre = _types(
        titulaire,
        document(titulaire, titre="TROD angine", type_code="96173-0"),
        document(titulaire, titre="Directives", type_code="EXPPAT_3", source="patient"),
        document(titulaire, titre="Compte rendu", type_code="11488-4"),
    )
    trod = par_titre["TROD angine"]
    assert trod["type"] == {
        "text": "Test rapide d'orientation diagnostique",
        "coding": [
            {
                "system": "http://loinc.org",
                "code": "96173-0",
                "display": "Test rapide d'orientation diagnostique",
            }
        ],
    }
    assert trod["category"][0]["coding"][0]["code"] == "biologie"
    assert par_titre["Directives"]["type"]["coding"] == [
        {
            "system": f"urn:oid:{OID_TYPES_FR}",
            "code": "EXPPAT_3",
            "display": "Directives anticipées",
        }
    ]
    consultation = par_titre["Compte rendu"]["type"]
    assert consultation["coding"][0]["display"] == "CR ou fiche de consultation ou de visite"
    assert consultation["text"] == "Compte rendu ou fiche de consultation ou de visite"


def test_a_code_unknown_to_the_national_value_set_is_stated_as_its_document_gave_it(
    titulaire: Espace,
) -> None:
    par_titre = _types(
        titulaire,
        document(
            titulaire,
            titre="Dépistage",
            type_code="94500-6",
            type_libelle="Dépistage SARS-CoV-2",
            type_systeme=OID_LOINC,
            categorie="autres_documents",
        ),
        document(
            titulaire,
            titre="Maison",
            type_code="CR-MAISON",
            type_libelle="Note maison",
            type_systeme="1.2.3.4.5",
            categorie="autres_documents",
        ),
        document(titulaire, titre="Sans libellé", type_code="X", categorie="autres_documents"),
    )
    assert par_titre["Dépistage"]["type"] == {
        "text": "Dépistage SARS-CoV-2",
        "coding": [
            {"system": "http://loinc.org", "code": "94500-6", "display": "Dépistage SARS-CoV-2"}
        ],
    }
    assert par_titre["Dépistage"]["category"][0]["coding"][0]["code"] == "autres_documents"
    assert par_titre["Maison"]["type"]["coding"] == [
        {"system": "urn:oid:1.2.3.4.5", "code": "CR-MAISON", "display": "Note maison"}
    ]
    assert par_titre["Sans libellé"]["type"] == {
        "text": "Type non répertorié (code X)",
        "coding": [{"code": "X"}],
    }


def test_a_code_system_that_is_neither_an_oid_nor_a_uri_is_not_made_up(titulaire: Espace) -> None:
    par_titre = _types(titulaire, document(titulaire, titre="Complet", type_code="E1762"))
    assert par_titre["Complet"]["type"]["coding"] == [{"code": "E1762", "display": "Full Document"}]
