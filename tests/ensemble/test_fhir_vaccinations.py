"""The FHIR export's Immunizations are the carnet's lines (issue 16, point 7): a vaccination the
holder noted and a document records is one Immunization, not two, coded with the family and the
codes its documents give (ATC, CIS), its lot, dose and vaccinator; valid FHIR R4."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle as BundleR4B
from fhirclient.models.bundle import Bundle as BundleR4

from dossier.models import Statut
from ensemble.fhir import bundle_construire
from espace_sante.acces import espace_pour_acteur
from profil.models import Espace, Vaccination

from ..conftest import client_pour
from ..dossier.fabrique_vaccins import Injection, deposer_note, note_de_vaccination

pytestmark = pytest.mark.django_db


def _immunisations(espace: Espace) -> list[dict[str, Any]]:
    acces = espace_pour_acteur(utilisateur=espace.titulaire, espace_uuid=espace.uuid)
    donnees = bundle_construire(
        acces=acces, fichiers=[], identifiant=uuid.uuid4(), moment=timezone.now()
    )
    BundleR4(donnees, strict=True)
    BundleR4B.model_validate(donnees)
    return [
        e["resource"] for e in donnees["entry"] if e["resource"]["resourceType"] == "Immunization"
    ]


def test_the_holder_s_entry_and_the_document_s_are_one_immunization(
    titulaire: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    grippe = Injection(
        le="20251102", atc=("J07BB02", "grippe"), nom="VAXIGRIPTETRA", lot="G7", rang=None
    )
    reponse = client_pour(titulaire.titulaire).post(
        reverse("profil:profil_ajouter", args=[titulaire.uuid, "vaccinations"]),
        {"famille": "Grippe", "date": "2025-11-02", "lot": ""},
    )
    assert reponse.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        document = deposer_note(
            titulaire, note_de_vaccination(ins=titulaire.ins, injections=(grippe,))
        )
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE
    assert Vaccination.objects.filter(espace=titulaire).count() == 2

    (immunisation,) = _immunisations(titulaire)
    saisie = Vaccination.objects.get(espace=titulaire, document_uuid__isnull=True)
    assert immunisation["id"] == str(saisie.uuid)
    assert immunisation["occurrenceDateTime"] == "2025-11-02"
    assert immunisation["lotNumber"] == "G7" and immunisation["primarySource"] is True
    codages = immunisation["vaccineCode"]["coding"]
    assert {"system": "http://www.whocc.no/atc", "code": "J07BB02"} in codages
    assert any(c["code"] == "Grippe" for c in codages)
    assert immunisation["vaccineCode"]["text"] == "VAXIGRIPTETRA"
    assert immunisation["performer"] == [{"actor": {"display": "Claire PIQUER"}}]


def test_a_vaccination_only_a_document_records_gets_a_stable_id_and_its_dose(
    titulaire: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    ror = Injection(le="20160520", lot="C34D", rang=2, cis=("61234567", "PRIORIX"))
    with django_capture_on_commit_callbacks(execute=True):
        deposer_note(titulaire, note_de_vaccination(ins=titulaire.ins, injections=(ror,)))
    (premiere,) = _immunisations(titulaire)
    (seconde,) = _immunisations(titulaire)
    assert premiere["id"] == seconde["id"]
    assert premiere["protocolApplied"] == [{"doseNumberPositiveInt": 2}]
    assert premiere["note"][0]["text"].startswith("Relevée dans le document")
    assert "recorded" not in premiere
