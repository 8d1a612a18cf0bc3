"""Patient lookup, ITI-67 and ITI-68 through the Django client: what the access package lets
through, and nothing else (no existence leak)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.operationoutcome import OperationOutcome

from espace_sante.journal.models import Evenement
from professionnels.models import AccesProfessionnel

from ..factories import document
from .conftest import ClientFhir, jeton, logiciel_de

pytestmark = pytest.mark.django_db

PATIENTS = reverse("interop:patients")
REFERENCES = reverse("interop:references")


def _ins(espace: Any) -> str:
    return f"urn:oid:{espace.ins_oid}|{espace.ins}"


def test_a_patient_who_authorised_the_professional_is_found_by_ins(
    api: ClientFhir, titulaire: Any
) -> None:
    for systeme in ("urn:oid:1.2.250.1.213.1.4.8", "urn:oid:1.2.250.1.213.1.4.10"):
        reponse = api.get(PATIENTS, {"identifier": f"{systeme}|{titulaire.ins}"})
        assert reponse.status_code == 200
        assert reponse["Content-Type"].startswith("application/fhir+json")
        lot = Bundle.model_validate_json(reponse.content)
        assert lot.type == "searchset" and lot.total == 1
        assert lot.entry[0].resource.identifier[0].value == titulaire.ins


def test_an_unknown_ins_and_a_patient_who_did_not_authorise_answer_the_same_empty_set(
    api: ClientFhir, autre_titulaire: Any
) -> None:
    etranger = api.get(PATIENTS, {"identifier": _ins(autre_titulaire)})
    inconnu = api.get(PATIENTS, {"identifier": "urn:oid:1.2.250.1.213.1.4.8|277076322082910"})
    for reponse in (etranger, inconnu):
        assert reponse.status_code == 200
        assert Bundle.model_validate_json(reponse.content).total == 0


def test_a_blocked_professional_does_not_find_the_patient(titulaire: Any, pro_bloque: Any) -> None:
    api = ClientFhir(jeton(logiciel_de(pro_bloque)))
    reponse = api.get(PATIENTS, {"identifier": _ins(titulaire)})
    assert Bundle.model_validate_json(reponse.content).total == 0


def test_a_call_without_a_token_or_with_an_unknown_one_answers_401_with_an_outcome(
    client: Any, titulaire: Any
) -> None:
    for reponse in (
        client.get(PATIENTS, {"identifier": _ins(titulaire)}),
        ClientFhir("faux").get(PATIENTS, {"identifier": _ins(titulaire)}),
    ):
        assert reponse.status_code == 401
        assert "Bearer" in reponse["WWW-Authenticate"]
        issue = OperationOutcome.model_validate_json(reponse.content).issue[0]
        assert issue.diagnostics


def test_find_returns_exactly_what_the_professional_may_read(
    api: ClientFhir, titulaire: Any
) -> None:
    lisible = document(titulaire, titre="Bilan", type_code="11502-2")
    document(titulaire, titre="Masqué", masque_ps=True)
    document(titulaire, titre="Refusé", statut="en_erreur")
    reponse = api.get(REFERENCES, {"patient.identifier": _ins(titulaire)})
    assert reponse.status_code == 200, reponse.content
    lot = Bundle.model_validate_json(reponse.content)
    assert [e.resource.id for e in lot.entry] == [str(lisible.uuid)]
    ressource = lot.entry[0].resource
    assert isinstance(ressource, DocumentReference)
    assert ressource.content[0].attachment.url.endswith(f"/fhir/Binary/{lisible.uuid}")
    assert Evenement.objects.filter(
        action="dossier_consulte", acteur_nom__contains="via le logiciel MédiLogiciel"
    ).exists()


def test_find_filters_and_pages(api: ClientFhir, titulaire: Any) -> None:
    for i in range(5):
        document(titulaire, titre=f"Bilan {i}", type_code="11502-2")
    document(titulaire, titre="Imagerie", type_code="18748-4")
    premiere = api.get(
        REFERENCES,
        {"patient.identifier": _ins(titulaire), "type": "http://loinc.org|11502-2", "_count": 2},
    )
    lot = Bundle.model_validate_json(premiere.content)
    assert lot.total == 5 and len(lot.entry) == 2
    suivant = next(lien.url for lien in lot.link if lien.relation == "next")
    vus = {e.resource.id for e in lot.entry}
    while suivant:
        page = Bundle.model_validate_json(api.get(suivant).content)
        vus |= {e.resource.id for e in page.entry}
        suivant = next((lien.url for lien in page.link if lien.relation == "next"), None)
    assert len(vus) == 5
    imagerie = api.get(REFERENCES, {"patient.identifier": _ins(titulaire), "category": "imagerie"})
    assert Bundle.model_validate_json(imagerie.content).total == 1
    aucun = api.get(REFERENCES, {"patient.identifier": _ins(titulaire), "status": "superseded"})
    assert Bundle.model_validate_json(aucun.content).total == 0
    inconnu = api.get(REFERENCES, {"patient.identifier": _ins(titulaire), "tri": "x"})
    assert inconnu.status_code == 400


def test_someone_elses_document_answers_404_on_read_and_retrieve(
    api: ClientFhir, autre_titulaire: Any
) -> None:
    etranger = document(autre_titulaire, titre="Pas à vous")
    for url in (
        reverse("interop:reference", args=[etranger.uuid]),
        reverse("interop:binaire", args=[etranger.uuid]),
    ):
        reponse = api.get(url)
        assert reponse.status_code == 404
        assert OperationOutcome.model_validate_json(reponse.content).issue[0].code == "not-found"


def test_retrieve_streams_the_file_with_ranges_and_journals_a_download(
    api: ClientFhir, titulaire: Any
) -> None:
    contenu = b"%PDF-1.4\n" + bytes(range(256)) * 40
    doc = document(titulaire, contenu=contenu)
    url = reverse("interop:binaire", args=[doc.uuid])
    entier = api.get(url)
    assert entier.status_code == 200 and b"".join(entier.streaming_content) == contenu
    partie = api.get(url, HTTP_RANGE="bytes=10-19")
    assert partie.status_code == 206 and b"".join(partie.streaming_content) == contenu[10:20]
    assert api.get(url, HTTP_RANGE=f"bytes={len(contenu)}-").status_code == 416
    assert Evenement.objects.filter(
        action="document_telecharge", objet_id=str(doc.uuid), acteur_nom__contains="via le logiciel"
    ).exists()


def test_a_revoked_grant_closes_the_api_at_once(
    api: ClientFhir, titulaire: Any, pro_autorise: Any
) -> None:
    doc = document(titulaire)
    url = reverse("interop:reference", args=[doc.uuid])
    assert api.get(url).status_code == 200
    AccesProfessionnel.objects.filter(professionnel=pro_autorise).update(autorise=False)
    assert api.get(url).status_code == 404


def test_the_patient_s_history_names_the_software(
    api: ClientFhir, titulaire: Any, client_titulaire: Any
) -> None:
    doc = document(titulaire, titre="Bilan", type_code="11502-2")
    assert api.get(reverse("interop:reference", args=[doc.uuid])).status_code == 200
    page = client_titulaire.get(
        reverse("ensemble:historique", args=[titulaire.uuid]), {"onglet": "professionnels"}
    )
    assert page.status_code == 200
    texte = " ".join(page.content.decode().split())
    assert "médecin généraliste, a consulté «" in texte
    assert "depuis son logiciel (MédiLogiciel)" in texte  # how, apart from who
