"""Wrong passwords slow the attacker down, per address and per account, exponentially, but a
stranger cannot keep the holder out: with the second factor's code they still get in
(issue 13, finding 7)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from espace_sante.comptes import connexion
from profil.models import Espace

from .factories import MOT_DE_PASSE, SECRET_TOTP, EspaceFactory

pytestmark = pytest.mark.django_db


class Horloge:
    def __init__(self) -> None:
        self.maintenant = 1_000_000.0

    def time(self) -> float:
        return self.maintenant


@pytest.fixture(autouse=True)
def _compteurs_vides() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def horloge(monkeypatch: pytest.MonkeyPatch) -> Horloge:
    horloge = Horloge()
    monkeypatch.setattr(connexion, "time", horloge)
    return horloge


def _essai(ip: str, email: str, password: str, code: str = "") -> tuple[Client, str, int]:
    client = Client(REMOTE_ADDR=ip)
    donnees = {"login": email, "password": password}
    if code:
        donnees["code"] = code
    reponse = client.post(reverse("account_login"), donnees)
    return client, reponse.content.decode(), reponse.status_code


def _code_totp() -> str:
    import time

    return format_hotp_value(hotp_value(SECRET_TOTP, int(time.time()) // 30))


def test_wrong_passwords_slow_an_address_down_exponentially_instead_of_locking(
    titulaire: Espace, horloge: Horloge
) -> None:
    email = titulaire.titulaire.email
    for _ in range(5):
        _essai("192.0.2.1", email, "faux")
    _client, page, _statut = _essai("192.0.2.1", email, MOT_DE_PASSE)
    assert "Trop d&#x27;essais depuis votre connexion" in page
    horloge.maintenant += 2.1  # 2 s after the 5th failure
    _client, page, _statut = _essai("192.0.2.1", email, "faux")
    assert "Trop d&#x27;essais" not in page
    horloge.maintenant += 3.0  # the 6th failure asks for 4 s
    assert "Trop d&#x27;essais" in _essai("192.0.2.1", email, MOT_DE_PASSE)[1]
    horloge.maintenant += 1.1
    assert "Trop d&#x27;essais" not in _essai("192.0.2.1", email, "faux")[1]


def test_a_stranger_who_slows_an_account_down_cannot_keep_its_holder_out(
    titulaire: Espace, horloge: Horloge
) -> None:
    email = titulaire.titulaire.email
    for rang in range(12):  # many addresses, so that only the account's count matters
        _essai(f"198.51.100.{rang}", email, "faux")
    _client, page, _statut = _essai("203.0.113.7", email, MOT_DE_PASSE)
    assert "saisissez aussi le code" in page
    client, page, statut = _essai("203.0.113.7", email, MOT_DE_PASSE, code=_code_totp())
    assert statut == 302, page
    assert client.session["_auth_user_id"] == str(titulaire.titulaire.pk)
    assert client.get(reverse("accueil")).status_code in {200, 302}


def test_while_an_account_is_slowed_down_a_wrong_password_or_code_says_nothing_specific(
    titulaire: Espace, horloge: Horloge
) -> None:
    email = titulaire.titulaire.email
    for rang in range(6):
        _essai(f"198.51.100.{rang}", email, "faux")
    for password, code in [("faux", _code_totp()), (MOT_DE_PASSE, "000000")]:
        client, page, statut = _essai("203.0.113.8", email, password, code=code)
        assert statut == 200 and "_auth_user_id" not in client.session
        assert "le mot de passe ou le code est incorrect" in page


def test_an_account_without_second_factor_waits_out_the_slow_down_or_resets_its_password(
    horloge: Horloge,
) -> None:
    espace = EspaceFactory(titulaire__totp=False)
    email = espace.titulaire.email
    for rang in range(6):
        _essai(f"198.51.100.{rang}", email, "faux")
    client, page, _statut = _essai("203.0.113.9", email, MOT_DE_PASSE, code="123456")
    assert "_auth_user_id" not in client.session and "le code est incorrect" in page
    connexion.compte_oublier(email)  # what a password reset does (signals.py)
    client, _page, statut = _essai("203.0.113.9", email, MOT_DE_PASSE)
    assert statut == 302 and "_auth_user_id" in client.session


def test_a_second_factor_code_is_accepted_once() -> None:
    """A TOTP code that logged someone in does not log anyone in again (allauth marks it used
    for its whole window; tests/conftest.py only keeps one test's marks from another's)."""
    from .browser.conftest import code_totp  # import différé : the browser helpers' TOTP clock

    espace = EspaceFactory()
    code = code_totp(SECRET_TOTP)
    resultats = []
    for _ in range(2):
        client = Client()
        client.post(
            reverse("account_login"),
            {"login": espace.titulaire.email, "password": MOT_DE_PASSE},
        )
        client.post(reverse("mfa_authenticate"), {"code": code})
        resultats.append(client.get(reverse("profil:espaces")).status_code)
    assert resultats == [200, 302]
