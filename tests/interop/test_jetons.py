"""The tokens and the software: a revoked software, an expired token, a suspended professional
answer 401 at once; a token lacking a scope 403; too many calls 429; the Mes logiciels page
for every state of the account."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from fhir.resources.R4B.operationoutcome import OperationOutcome

from espace_sante.journal.models import Evenement
from interop.models import Logiciel

from ..conftest import client_pour
from ..factories import ProfessionnelFactory
from .conftest import ClientFhir, jeton

pytestmark = pytest.mark.django_db


def _url(titulaire: Any) -> str:
    return reverse("interop:patients") + f"?identifier={titulaire.ins}"


def _code(reponse: Any) -> str:
    return str(OperationOutcome.model_validate_json(reponse.content).issue[0].code)


def test_revoking_the_software_closes_its_tokens_at_once(
    logiciel: Logiciel, titulaire: Any, pro_autorise: Any
) -> None:
    api = ClientFhir(jeton(logiciel))
    assert api.get(_url(titulaire)).status_code == 200
    page = client_pour(pro_autorise.utilisateur)
    reponse = page.post(reverse("interop:logiciel_revoquer", args=[logiciel.uuid]))
    assert reponse.status_code == 302
    refus = api.get(_url(titulaire))
    assert refus.status_code == 401 and _code(refus) == "login"
    assert Evenement.objects.filter(action="logiciel_revoque", objet_id=str(logiciel.uuid)).exists()


def test_an_expired_token_answers_401(logiciel: Logiciel, titulaire: Any) -> None:
    reponse = ClientFhir(jeton(logiciel, duree=-1)).get(_url(titulaire))
    assert reponse.status_code == 401 and _code(reponse) == "expired"


def test_a_suspended_professional_s_tokens_answer_401(
    api: ClientFhir, titulaire: Any, pro_autorise: Any
) -> None:
    pro_autorise.statut = "suspendu"
    pro_autorise.save()
    assert api.get(_url(titulaire)).status_code == 401


def test_a_token_without_the_read_scope_answers_403(logiciel: Logiciel, titulaire: Any) -> None:
    reponse = ClientFhir(jeton(logiciel, scope="deposit")).get(_url(titulaire))
    assert reponse.status_code == 403 and _code(reponse) == "forbidden"


def test_each_token_has_its_own_rate_limit(
    logiciel: Logiciel, titulaire: Any, settings: Any
) -> None:
    cache.clear()
    settings.FHIR_RATE_LIMIT = "3/m"
    premier, second = ClientFhir(jeton(logiciel)), ClientFhir(jeton(logiciel))
    codes = [premier.get(_url(titulaire)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _code(premier.get(_url(titulaire))) == "throttled"
    assert second.get(_url(titulaire)).status_code == 200


def test_a_verified_professional_registers_software_and_the_page_shows_its_client_id(
    pro_autorise: Any,
) -> None:
    page = client_pour(pro_autorise.utilisateur)
    assert page.get(reverse("interop:logiciels")).status_code == 200
    reponse = page.post(
        reverse("interop:logiciels"),
        {"nom": "Cabinet Plus", "adresse_retour": "https://cabinet.example/retour"},
    )
    assert reponse.status_code == 302
    logiciel = Logiciel.objects.get(professionnel=pro_autorise)
    assert logiciel.application is not None
    assert logiciel.application.client_id in page.get(reverse("interop:logiciels")).content.decode()
    refuse = page.post(
        reverse("interop:logiciels"), {"nom": "X", "adresse_retour": "http://ailleurs.example/"}
    )
    assert refuse.status_code == 400 and Logiciel.objects.count() == 1


@pytest.mark.parametrize("production", [False, True])
def test_the_form_offers_a_loopback_address_only_where_the_server_takes_it(
    pro_autorise: Any, settings: Any, production: bool
) -> None:
    """Production takes https redirects only: its page must not suggest http://127.0.0.1."""
    schemes = ["https"] if production else ["http", "https"]
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": schemes}
    page = client_pour(pro_autorise.utilisateur)
    assert ("127.0.0.1" in page.get(reverse("interop:logiciels")).content.decode()) != production
    locale = page.post(
        reverse("interop:logiciels"),
        {"nom": "Poste", "adresse_retour": "http://127.0.0.1:8123/retour"},
    )
    assert locale.status_code == (400 if production else 302)
    if production:  # the refusal says what this server takes
        assert "commence par https://, sans fragment" in locale.content.decode()


@pytest.mark.parametrize("statut", ["en_attente", "suspendu"])
def test_a_pending_or_suspended_professional_reads_why_and_gets_no_form(statut: str) -> None:
    pro = ProfessionnelFactory(statut=statut)
    page = client_pour(pro.utilisateur)
    reponse = page.get(reverse("interop:logiciels"))
    assert reponse.status_code == 200
    assert 'name="adresse_retour"' not in reponse.content.decode()
    poste = page.post(
        reverse("interop:logiciels"), {"nom": "X", "adresse_retour": "https://a.example/"}
    )
    assert poste.status_code == 404 and not Logiciel.objects.exists()


def test_someone_else_s_software_cannot_be_revoked(logiciel: Logiciel) -> None:
    autre = client_pour(ProfessionnelFactory().utilisateur)
    reponse = autre.post(reverse("interop:logiciel_revoquer", args=[logiciel.uuid]))
    assert reponse.status_code == 404
    logiciel.refresh_from_db()
    assert logiciel.actif
