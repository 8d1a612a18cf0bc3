"""Getting in with a passkey (issue 20, point 8), in Chromium with a virtual authenticator
(DevTools protocol: an internal platform authenticator with user verification, like a phone's
fingerprint): enrol a passkey right after logging in (no password asked again), log out, log
in with the password and the passkey, then with the passkey alone. At 390 and 1280 px."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tests.factories import MOT_DE_PASSE, EspaceFactory

from .conftest import se_connecter, verifier_accessibilite

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
    verifier_accessibilite(page)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(MOT_DE_PASSE)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/"))
    verifier_accessibilite(page)
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
