"""Redis cut under the cache (issue 14, point 2): login and pages that need no job keep working;
the login slow-down and the rate limits fail open, with a logged warning — the real Redis,
through the loopback proxy."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from espace_sante.lib.cache import configuration
from profil.models import Espace

from ..factories import MOT_DE_PASSE, SECRET_TOTP
from .proxy import ProxyTCP

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_coupable(broker: str, settings) -> Iterator[ProxyTCP]:  # type: ignore[no-untyped-def]
    adresse = urlsplit(broker)
    with ProxyTCP(adresse.hostname or "127.0.0.1", adresse.port or 6379) as proxy:
        url = f"redis://127.0.0.1:{proxy.port}{adresse.path}"
        settings.CACHES = {"default": configuration(url, prefixe="test-fautes", delai=0.5)}
        yield proxy


def _code() -> str:
    import time

    return format_hotp_value(hotp_value(SECRET_TOTP, int(time.time()) // 30))


def test_login_and_pages_work_while_redis_is_cut_and_the_warning_is_logged(
    cache_coupable: ProxyTCP, titulaire: Espace, caplog: pytest.LogCaptureFixture
) -> None:
    cache_coupable.couper()
    client = Client()
    reponse = client.post(
        reverse("account_login"), {"login": titulaire.titulaire.email, "password": MOT_DE_PASSE}
    )
    assert reponse.status_code == 302
    if "2fa" in reponse["Location"]:
        reponse = client.post(reponse["Location"], {"code": _code()})
        assert reponse.status_code == 302
    assert client.get(reverse("dossier:documents", args=[titulaire.uuid])).status_code == 200
    assert "Cache Redis injoignable" in caplog.text

    # a rate-limited page (activation, per address) still answers while the cache is away
    assert Client().post(reverse("profil:activation"), {}).status_code in {200, 400}


def test_wrong_passwords_while_redis_is_cut_are_refused_but_nobody_is_locked_out(
    cache_coupable: ProxyTCP, titulaire: Espace
) -> None:
    cache_coupable.couper()
    for _essai in range(8):
        reponse = Client().post(
            reverse("account_login"), {"login": titulaire.titulaire.email, "password": "faux"}
        )
        assert reponse.status_code == 200  # refused, not a 500
    reponse = Client().post(
        reverse("account_login"), {"login": titulaire.titulaire.email, "password": MOT_DE_PASSE}
    )
    assert reponse.status_code == 302
