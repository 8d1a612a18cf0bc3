"""Getting in (issue 20, point 8): no password asked again right after a fresh login, passkeys
count as a second factor, the set-up offers them, the recovery codes page leads on."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from espace_sante.comptes.models import Utilisateur
from profil.models import Espace

from ..factories import MOT_DE_PASSE, SECRET_TOTP, UtilisateurFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _compteurs_vides() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _code_totp() -> str:
    return format_hotp_value(hotp_value(SECRET_TOTP, int(time.time()) // 30))


def _connexion_complete(email: str) -> Client:
    client = Client()
    reponse = client.post(reverse("account_login"), {"login": email, "password": MOT_DE_PASSE})
    assert reponse["Location"] == reverse("mfa_authenticate")
    reponse = client.post(reverse("mfa_authenticate"), {"code": _code_totp()})
    assert reponse.status_code == 302 and "_auth_user_id" in client.session
    return client


def test_a_fresh_login_does_not_ask_the_password_again_to_see_or_renew_codes(
    titulaire: Espace,
) -> None:
    RecoveryCodes.activate(titulaire.titulaire)
    client = _connexion_complete(titulaire.titulaire.email)
    for url in ("mfa_view_recovery_codes", "mfa_generate_recovery_codes", "mfa_add_webauthn"):
        reponse = client.get(reverse(url))
        assert reponse.status_code == 200, (url, reponse.get("Location"))


def test_the_login_form_with_its_code_counts_as_a_fresh_login_too(
    titulaire: Espace, settings: Settings
) -> None:
    """The slowed-down account's form checks password and code at once (connexion.py)."""
    settings.CONNEXION_ESSAIS_LIBRES = 0
    email = titulaire.titulaire.email
    donnees = {"login": email, "password": MOT_DE_PASSE}
    Client(REMOTE_ADDR="192.0.2.9").post(reverse("account_login"), {**donnees, "password": "x"})
    client = Client(REMOTE_ADDR="192.0.2.10")
    reponse = client.post(reverse("account_login"), {**donnees, "code": _code_totp()})
    assert reponse.status_code == 302 and "_auth_user_id" in client.session
    assert client.get(reverse("mfa_add_webauthn")).status_code == 200


def test_past_the_timeout_the_password_is_asked_again(
    titulaire: Espace, settings: Settings
) -> None:
    client = _connexion_complete(titulaire.titulaire.email)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    reponse = client.get(reverse("mfa_add_webauthn"))
    assert reponse.status_code == 302 and "reauthenticate" in reponse["Location"]


def test_an_account_with_only_a_passkey_has_met_the_second_factor() -> None:
    utilisateur: Utilisateur = UtilisateurFactory(totp=False)
    client = Client()
    client.force_login(utilisateur)
    assert client.get("/")["Location"] == reverse("mfa_activate_totp")
    Authenticator.objects.create(
        user=utilisateur, type=Authenticator.Type.WEBAUTHN, data={"name": "Téléphone"}
    )
    assert client.get("/").get("Location") != reverse("mfa_activate_totp")


def test_recovery_codes_alone_are_not_a_second_factor() -> None:
    utilisateur: Utilisateur = UtilisateurFactory(totp=False)
    RecoveryCodes.activate(utilisateur)
    client = Client()
    client.force_login(utilisateur)
    assert client.get("/")["Location"] == reverse("mfa_activate_totp")


def test_the_set_up_page_offers_a_passkey_next_to_the_app_right_after_the_password() -> None:
    utilisateur: Utilisateur = UtilisateurFactory(totp=False)
    client = Client()
    donnees = {"login": utilisateur.email, "password": MOT_DE_PASSE}
    assert client.post(reverse("account_login"), donnees, follow=True).redirect_chain[-1][0] == (
        reverse("mfa_activate_totp")
    )
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert reverse("mfa_add_webauthn") in page
    assert "Ajouter une clé d" in page and "Une application d" in page


def test_the_recovery_codes_page_explains_them_and_leads_on(titulaire: Espace) -> None:
    RecoveryCodes.activate(titulaire.titulaire)
    client = _connexion_complete(titulaire.titulaire.email)
    page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    assert "remplace votre second facteur pour une connexion" in page
    assert "continuer vers mon espace" in page and f'href="{reverse("accueil")}"' in page
    assert reverse("mfa_download_recovery_codes") in page
    telechargement = client.get(reverse("mfa_download_recovery_codes"))
    assert telechargement.status_code == 200
    assert telechargement["Content-Type"].startswith("text/plain")
    codes = RecoveryCodes(Authenticator.objects.get(type="recovery_codes")).get_unused_codes()
    assert codes[0] in telechargement.content.decode()


def test_the_login_page_offers_a_passkey_with_scripts_from_static_only() -> None:
    page = Client().get(reverse("account_login")).content.decode()
    assert 'id="passkey_login"' in page and 'id="mfa_login"' in page
    assert "/static/mfa/js/webauthn.js" in page
    # Only data blocks inline (the CSP forbids inline scripts): no executable inline <script>.
    for bloc in page.split("<script")[1:]:
        entete = bloc.split(">", 1)[0]
        assert "src=" in entete or 'type="application/json"' in entete, entete
