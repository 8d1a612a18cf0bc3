"""ITI-65 Provide Document Bundle: the PDSm example is accepted, every refusal answers the right
status with an OperationOutcome in French, and nothing is stored on any refusal."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from dossier.models import Document
from espace_sante.coffre.models import Blob
from espace_sante.coffre.televersement import limite_televersement
from espace_sante.journal.models import Evenement
from professionnels.depots import depots

from ..conftest import SHARED_DATA
from ..dossier.fabrique import cda, pdf
from .conftest import ClientFhir, jeton, logiciel_de

pytestmark = pytest.mark.django_db

TRANSACTION = reverse("interop:transaction")
EXEMPLE = SHARED_DATA / "fhir" / "Bundle-example-td2-iti65-lot-soumission.json"
INS_EXEMPLE = "123456789012345"


def _exemple() -> dict[str, Any]:
    if not EXEMPLE.exists():
        pytest.fail(f"shared data missing: {EXEMPLE} (../shared/data/README.md)")
    return json.loads(EXEMPLE.read_text("utf-8"))


def lot_pour(espace: Any, contenu: bytes | None = None, **drapeaux: Any) -> dict[str, Any]:
    """The PDSm example with its INS replaced by the space's, and its Binary, a placeholder
    that is no CDA (namespace ``urn:hl7-org:hipp``, no patient), by a CDA about that space."""
    texte = EXEMPLE.read_text("utf-8") if EXEMPLE.exists() else json.dumps(_exemple())
    lot = json.loads(texte.replace(INS_EXEMPLE, espace.ins))
    contenu = (
        cda(ins=espace.ins, code="11488-4", titre="CR de consultation")
        if contenu is None
        else contenu
    )
    lot["entry"][2]["resource"]["data"] = base64.b64encode(contenu).decode()
    etiquettes = [code for code, oui in drapeaux.items() if oui]
    if etiquettes:
        lot["entry"][1]["resource"]["securityLabel"] = [
            {"coding": [{"system": "urn:oid:1.2.250.1.213.1.1.4.13", "code": c}]}
            for c in etiquettes
        ]
    return lot


def _rien_de_stocke(avant: tuple[int, int]) -> bool:
    return (Document.objects.count(), Blob.objects.count()) == avant


def _etat() -> tuple[int, int]:
    return Document.objects.count(), Blob.objects.count()


def _refus(reponse: Any, statut: int) -> str:
    assert reponse.status_code == statut, reponse.content
    issue = OperationOutcome.model_validate_json(reponse.content).issue[0]
    assert issue.severity == "error" and issue.diagnostics
    return str(issue.diagnostics)


def test_the_pdsm_example_with_the_space_s_ins_is_deposited(
    api: ClientFhir, titulaire: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # the ingestion job, after commit
        reponse = api.post(TRANSACTION, lot_pour(titulaire))
    assert reponse.status_code == 200, reponse.content
    lot = Bundle.model_validate_json(reponse.content)
    assert lot.type == "transaction-response" and len(lot.entry) == 3
    emplacement = lot.entry[1].response.location
    assert emplacement.startswith("DocumentReference/")
    document = Document.objects.get(uuid=emplacement.split("/")[1])
    # Through the web form's deposit service, marked as sent by the professional's software.
    assert document.espace == titulaire and document.source == "api"
    assert list(depots(professionnel=document.depose_par.professionnel)) == [document]
    assert document.type_code == "11488-4" and document.statut == "disponible"
    # The answer tells the state at that moment: the job runs after the deposit's commit.
    assert "en cours de traitement" in lot.entry[1].response.outcome.issue[0].diagnostics
    assert lot.entry[2].response.location == f"Binary/{document.uuid}"
    depot = Evenement.objects.get(action="document_depose", objet_id=str(document.uuid))
    assert depot.acteur_nom.endswith("via le logiciel MédiLogiciel")
    lu = api.get(reverse("interop:reference", args=[document.uuid]))
    assert lu.status_code == 200


def test_the_placeholder_binary_of_the_example_is_refused_as_no_cda(
    api: ClientFhir, titulaire: Any
) -> None:
    lot = json.loads(EXEMPLE.read_text("utf-8").replace(INS_EXEMPLE, titulaire.ins))
    avant = _etat()
    message = _refus(api.post(TRANSACTION, lot), 422)
    assert "CDA" in message and _rien_de_stocke(avant)


def test_visibility_flags_are_those_of_the_web_form(api: ClientFhir, titulaire: Any) -> None:
    reponse = api.post(TRANSACTION, lot_pour(titulaire, MASQUE_PS=True))
    assert reponse.status_code == 200
    assert Document.objects.get().masque_ps
    avant = _etat()
    les_deux = lot_pour(titulaire, MASQUE_PS=True, INVISIBLE_PATIENT=True)
    assert "à la fois" in _refus(api.post(TRANSACTION, les_deux), 422)
    secret = lot_pour(titulaire, INVISIBLE_REPRESENTANTS_LEGAUX=True)
    assert "mineur" in _refus(api.post(TRANSACTION, secret), 422)
    assert _rien_de_stocke(avant)


def test_a_patient_the_professional_may_not_open_is_refused_404_whether_it_exists_or_not(
    api: ClientFhir, autre_titulaire: Any, titulaire: Any
) -> None:
    avant = _etat()
    etranger = api.post(TRANSACTION, lot_pour(autre_titulaire))
    inconnu = lot_pour(titulaire)
    texte = json.dumps(inconnu).replace(titulaire.ins, "277076322082910")
    absent = api.post(TRANSACTION, texte)
    assert _refus(etranger, 404) == _refus(absent, 404)
    assert _rien_de_stocke(avant)


def test_a_blocked_professional_cannot_deposit(titulaire: Any, pro_bloque: Any) -> None:
    api = ClientFhir(jeton(logiciel_de(pro_bloque)))
    avant = _etat()
    _refus(api.post(TRANSACTION, lot_pour(titulaire)), 404)
    assert _rien_de_stocke(avant)


def test_a_cda_about_another_person_is_refused_before_anything_is_kept(
    api: ClientFhir, titulaire: Any, autre_titulaire: Any
) -> None:
    avant = _etat()
    autre = cda(ins=autre_titulaire.ins, code="11488-4")
    assert "autre personne" in _refus(api.post(TRANSACTION, lot_pour(titulaire, autre)), 422)
    assert _rien_de_stocke(avant)


def test_a_type_a_professional_may_not_deposit_is_refused(api: ClientFhir, titulaire: Any) -> None:
    lot = lot_pour(titulaire, pdf())
    lot["entry"][1]["resource"]["type"]["coding"][0]["code"] = "DOCPAT08"
    avant = _etat()
    assert "ne peut pas déposer" in _refus(api.post(TRANSACTION, lot), 422)
    assert _rien_de_stocke(avant)


def test_malformed_bundles_are_refused_400(api: ClientFhir, titulaire: Any) -> None:
    avant = _etat()
    _refus(api.post(TRANSACTION, "{pas du json"), 400)
    sans_type = lot_pour(titulaire)
    sans_type["type"] = "collection"
    _refus(api.post(TRANSACTION, sans_type), 400)
    invalide = lot_pour(titulaire)
    invalide["entry"][1]["resource"]["status"] = 12
    assert "FHIR R4" in _refus(api.post(TRANSACTION, invalide), 400)
    sans_liste = lot_pour(titulaire)
    del sans_liste["entry"][0]
    assert "SubmissionSet" in _refus(api.post(TRANSACTION, sans_liste), 400)
    mauvais_base64 = lot_pour(titulaire)
    mauvais_base64["entry"][2]["resource"]["data"] = "@@@@"
    _refus(api.post(TRANSACTION, mauvais_base64), 400)
    assert _rien_de_stocke(avant)


def test_an_oversize_attachment_is_refused_413(
    api: ClientFhir, titulaire: Any, settings: Any
) -> None:
    settings.VAULT_MAX_UPLOAD = 1024
    avant = _etat()
    gros = pdf() + b"%" * 2048
    assert "taille maximale" in _refus(api.post(TRANSACTION, lot_pour(titulaire, gros)), 413)
    assert _rien_de_stocke(avant)


def test_a_body_over_the_upload_limit_is_refused_before_it_is_read_as_fhir(
    api: ClientFhir, titulaire: Any, settings: Any
) -> None:
    """The portal's body-size guard answers before the view reads a byte: for the API, an
    OperationOutcome in French (it answered the portal's HTML 413 page)."""
    settings.VAULT_MAX_UPLOAD = 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    avant = _etat()
    gros = pdf() + b"%" * (limite_televersement() * 2)
    reponse = api.post(TRANSACTION, lot_pour(titulaire, gros))
    assert reponse["Content-Type"].startswith("application/fhir+json")
    assert "Déposez les documents en plusieurs lots" in _refus(reponse, 413)
    assert _rien_de_stocke(avant)


def test_a_read_only_token_cannot_deposit(logiciel: Any, titulaire: Any) -> None:
    api = ClientFhir(jeton(logiciel, scope="read"))
    avant = _etat()
    _refus(api.post(TRANSACTION, lot_pour(titulaire)), 403)
    assert _rien_de_stocke(avant)


def test_an_inline_attachment_in_the_document_reference_is_accepted(
    api: ClientFhir, titulaire: Any
) -> None:
    lot = lot_pour(titulaire, pdf())
    binaire = lot["entry"].pop(2)["resource"]
    piece = lot["entry"][1]["resource"]["content"][0]["attachment"]
    piece.pop("url")
    piece.update(contentType="application/pdf", data=binaire["data"])
    reponse = api.post(TRANSACTION, copy.deepcopy(lot))
    assert reponse.status_code == 200, reponse.content
    assert Document.objects.get().nature == "pdf"
