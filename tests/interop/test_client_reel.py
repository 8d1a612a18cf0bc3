"""Point 10: a live server driven over HTTP by httpx, every response parsed and validated with
fhir.resources — from the OAuth dance (authorization code + PKCE S256, a logged-in
professional with their second factor) to deposit → find → retrieve."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.conf import settings
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.operationoutcome import OperationOutcome

from .conftest import RETOUR, logiciel_de
from .test_depot import lot_pour

pytestmark = pytest.mark.django_db(transaction=True)


def _navigateur(live_server: Any, utilisateur: Any) -> httpx.Client:
    """An HTTP client holding the professional's session (logged in, second factor set up)."""
    django = Client()
    django.force_login(utilisateur)
    navigateur = httpx.Client(base_url=live_server.url, follow_redirects=False, timeout=30)
    navigateur.cookies.set(
        settings.SESSION_COOKIE_NAME, django.cookies[settings.SESSION_COOKIE_NAME].value
    )
    return navigateur


def _pkce() -> tuple[str, str]:
    verificateur = secrets.token_urlsafe(48)
    defi = base64.urlsafe_b64encode(hashlib.sha256(verificateur.encode()).digest()).rstrip(b"=")
    return verificateur, defi.decode()


def _jeton_par_la_danse(live_server: Any, pro: Any, client_id: str) -> str:
    navigateur = _navigateur(live_server, pro.utilisateur)
    verificateur, defi = _pkce()
    demande = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": RETOUR,
        "scope": "read deposit",
        "state": "etat-42",
        "code_challenge": defi,
        "code_challenge_method": "S256",
    }
    page = navigateur.get("/o/authorize/", params=demande)
    assert page.status_code == 200, page.text[:500]
    assert "Autoriser" in page.text
    champs = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    assert champs["code_challenge"] == defi
    accord = navigateur.post(
        "/o/authorize/", data={**champs, "allow": "on"}, headers={"Referer": live_server.url}
    )
    assert accord.status_code == 302, accord.text[:500]
    retour = urlsplit(accord.headers["Location"])
    assert f"{retour.scheme}://{retour.netloc}{retour.path}" == RETOUR
    question = parse_qs(retour.query)
    assert question["state"] == ["etat-42"]
    sans_verificateur = httpx.post(
        f"{live_server.url}/o/token/",
        data={
            "grant_type": "authorization_code",
            "code": question["code"][0],
            "redirect_uri": RETOUR,
            "client_id": client_id,
        },
    )
    assert sans_verificateur.status_code == 400  # PKCE: the code alone is worth nothing
    # …and a refused exchange burns nothing the legitimate software needs: ask again.
    accord = navigateur.post(
        "/o/authorize/", data={**champs, "allow": "on"}, headers={"Referer": live_server.url}
    )
    code = parse_qs(urlsplit(accord.headers["Location"]).query)["code"][0]
    reponse = httpx.post(
        f"{live_server.url}/o/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": RETOUR,
            "client_id": client_id,
            "code_verifier": verificateur,
        },
    )
    assert reponse.status_code == 200, reponse.text
    jetons = reponse.json()
    assert set(jetons["scope"].split()) == {"read", "deposit"}
    navigateur.close()
    return str(jetons["access_token"])


def test_oauth_dance_then_deposit_find_and_retrieve_over_http(
    live_server: Any, titulaire: Any, pro_autorise: Any
) -> None:
    logiciel = logiciel_de(pro_autorise)
    assert logiciel.application is not None
    jeton = _jeton_par_la_danse(live_server, pro_autorise, logiciel.application.client_id)
    api = httpx.Client(
        base_url=f"{live_server.url}/fhir",
        headers={"Authorization": f"Bearer {jeton}", "Accept": "application/fhir+json"},
        timeout=30,
    )
    capacites = CapabilityStatement.model_validate_json(
        httpx.get(f"{live_server.url}/fhir/metadata").content
    )
    assert capacites.fhirVersion == "4.0.1"

    patients = Bundle.model_validate_json(
        api.get(
            "/Patient", params={"identifier": f"urn:oid:1.2.250.1.213.1.4.8|{titulaire.ins}"}
        ).content
    )
    assert patients.total == 1

    depot = api.post(
        "", json=lot_pour(titulaire), headers={"Content-Type": "application/fhir+json"}
    )
    assert depot.status_code == 200, depot.text
    reponse = Bundle.model_validate_json(depot.content)
    emplacement = reponse.entry[1].response.location

    trouves = Bundle.model_validate_json(
        api.get(
            "/DocumentReference",
            params={
                "patient.identifier": f"urn:oid:1.2.250.1.213.1.4.10|{titulaire.ins}",
                "status": "current",
            },
        ).content
    )
    assert [f"DocumentReference/{e.resource.id}" for e in trouves.entry] == [emplacement]
    reference = DocumentReference.model_validate_json(api.get(f"/{emplacement}").content)
    assert reference.docStatus == "final"  # the ingestion ran when the deposit committed
    url = reference.content[0].attachment.url
    fichier = httpx.get(url, headers={"Authorization": f"Bearer {jeton}"})
    assert fichier.status_code == 200
    assert (
        hashlib.sha256(fichier.content).hexdigest()
        == reference.content[0].attachment.extension[0].valueString
    )
    partie = httpx.get(url, headers={"Authorization": f"Bearer {jeton}", "Range": "bytes=0-4"})
    assert partie.status_code == 206 and partie.content == fichier.content[:5]

    sans_jeton = httpx.get(url)
    assert sans_jeton.status_code == 401
    OperationOutcome.model_validate_json(sans_jeton.content)
    api.close()


def test_authorization_needs_pkce_s256_and_the_professional_s_own_software(
    live_server: Any, pro_autorise: Any, pro_non_autorise: Any
) -> None:
    logiciel = logiciel_de(pro_autorise)
    assert logiciel.application is not None
    client_id = logiciel.application.client_id
    base = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": RETOUR,
        "scope": "read",
    }
    proprietaire = _navigateur(live_server, pro_autorise.utilisateur)
    assert proprietaire.get("/o/authorize/", params=base).status_code == 403
    simple = {**base, "code_challenge": "x" * 43, "code_challenge_method": "plain"}
    assert proprietaire.get("/o/authorize/", params=simple).status_code == 403
    _verificateur, defi = _pkce()
    complet = {**base, "code_challenge": defi, "code_challenge_method": "S256"}
    autre = _navigateur(live_server, pro_non_autorise.utilisateur)
    assert autre.get("/o/authorize/", params=complet).status_code == 403
    anonyme = httpx.get(f"{live_server.url}/o/authorize/", params=complet)
    assert anonyme.status_code == 302 and "/comptes/login" in anonyme.headers["Location"]
    proprietaire.close()
    autre.close()


def test_no_password_grant(live_server: Any, pro_autorise: Any) -> None:
    logiciel = logiciel_de(pro_autorise)
    assert logiciel.application is not None
    reponse = httpx.post(
        f"{live_server.url}/o/token/",
        data={
            "grant_type": "password",
            "username": pro_autorise.utilisateur.email,
            "password": "un-mot-de-passe-solide-42",
            "client_id": logiciel.application.client_id,
        },
    )
    assert reponse.status_code == 400 and reponse.json()["error"] == "unsupported_grant_type"
