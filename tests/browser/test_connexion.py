"""Getting in with a passkey (issue 20, point 8), in Chromium with a virtual authenticator
(DevTools protocol: an internal platform authenticator with user verification, like a phone's
fingerprint): enrol a passkey right after logging in (no password asked again), log out, log
in with the password and the passkey, then with the passkey alone. At 390 and 1280 px."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from espace_sante.settings import origines_oidc
from tests.comptes.fournisseur_oidc import fournisseur_sur_boucle_locale, reglages_fournisseurs
from tests.factories import SECRET_TOTP, EspaceFactory, ProfessionnelFactory

from .conftest import code_totp, mot_de_passe_saisir, se_connecter, verifier_accessibilite

pytestmark = pytest.mark.django_db(transaction=True)


def _authentificateur_virtuel(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def _se_deconnecter(page: Page) -> None:
    page.goto("/comptes/logout/")
    verifier_accessibilite(page)
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/comptes/login/"))
    verifier_accessibilite(page)


@pytest.mark.parametrize("fixture_page", ["page_mobile", "page"])
def test_a_person_enrols_a_passkey_and_logs_in_with_it(
    fixture_page: str, request: pytest.FixtureRequest
) -> None:
    page: Page = request.getfixturevalue(fixture_page)
    _authentificateur_virtuel(page)
    espace = EspaceFactory()
    email = espace.titulaire.email
    se_connecter(page, email=email)
    verifier_accessibilite(page)

    # Right after the login: the passkey is added without the password being asked again.
    page.goto("/comptes/2fa/webauthn/add/")
    expect(page).to_have_url(re.compile(r"/comptes/2fa/webauthn/add/$"))
    verifier_accessibilite(page)
    page.locator("#id_name").fill("Mon téléphone")
    page.get_by_text("Sans mot de passe", exact=True).click()  # DSFR: the label covers the box
    expect(page.locator("#id_passwordless")).to_be_checked()
    with page.expect_navigation():
        page.locator("#mfa_webauthn_add").click()
    expect(page).to_have_url(re.compile(r"/comptes/2fa/"))
    verifier_accessibilite(page)
    assert Authenticator.objects.filter(
        user=espace.titulaire, type=Authenticator.Type.WEBAUTHN
    ).exists()
    _se_deconnecter(page)

    # Password, then the passkey as second factor.
    page.goto("/comptes/login/")
    mot_de_passe_saisir(page, email=email)
    with page.expect_navigation():
        page.locator("#mfa_webauthn_authenticate").click()
    expect(page).to_have_url(re.compile(rf"/espace/{espace.uuid}/$"))
    verifier_accessibilite(page)
    _se_deconnecter(page)

    # The passkey alone.
    page.goto("/comptes/login/")
    verifier_accessibilite(page)
    with page.expect_navigation():
        page.locator("#passkey_login").click()
    expect(page).to_have_url(re.compile(rf"/espace/{espace.uuid}/$"))
    verifier_accessibilite(page)


@pytest.mark.parametrize("fixture_page", ["page_mobile", "page"])
def test_franceconnect_and_pro_sante_connect_from_the_login_page(
    fixture_page: str, request: pytest.FixtureRequest, settings: Any
) -> None:
    """The providers on loopback: an unknown FranceConnect identity is refused with a notice; a
    verified professional comes in through Pro Santé Connect, then our second factor."""
    page: Page = request.getfixturevalue(fixture_page)
    pro = ProfessionnelFactory()
    with fournisseur_sur_boucle_locale() as fournisseur:
        settings.SOCIALACCOUNT_PROVIDERS = reglages_fournisseurs(
            fournisseur.url, "franceconnect", "prosanteconnect"
        )
        csp = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        csp["DIRECTIVES"]["form-action"] += origines_oidc(settings.SOCIALACCOUNT_PROVIDERS)
        settings.CONTENT_SECURITY_POLICY = csp  # as settings.py does from the environment
        fournisseur.identite = {"sub": "fc-inconnu"}
        page.goto("/comptes/login/")
        verifier_accessibilite(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter avec FranceConnect").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Connexion impossible")
        verifier_accessibilite(page)

        fournisseur.identite = {"sub": "psc-1", "preferred_username": f"8{pro.rpps}"}
        page.goto("/comptes/login/")
        verifier_accessibilite(page)
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("Pro Santé Connect")).click()
        expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/"))
        verifier_accessibilite(page)
        page.get_by_label("Code", exact=True).fill(code_totp(SECRET_TOTP))
        with page.expect_navigation():
            page.get_by_role("button", name="Connexion").click()
        expect(page).not_to_have_url(re.compile(r"/comptes/"))
        verifier_accessibilite(page)

        # The linked identities, where a holder links FranceConnect (allauth's "connect").
        page.goto("/comptes/3rdparty/")
        expect(page.get_by_role("button", name=re.compile("FranceConnect"))).to_be_visible()
        verifier_accessibilite(page)
