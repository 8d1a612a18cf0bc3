"""FranceConnect and Pro Santé Connect through allauth, end to end against an OpenID Connect
provider started on loopback (tests/comptes/fournisseur_oidc.py): off by default, never a new
account, a FranceConnect identity only once its holder linked it, a professional by RPPS, and
our second factor still asked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
import requests
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings as SettingsWrapper

from espace_sante import settings as reglages
from espace_sante.comptes.models import Utilisateur
from profil.models import Espace

from ..factories import SECRET_TOTP, ProfessionnelFactory
from .fournisseur_oidc import Fournisseur, fournisseur_sur_boucle_locale, reglages_fournisseurs

pytestmark = pytest.mark.django_db


@pytest.fixture
def fournisseur(settings: SettingsWrapper) -> Iterator[Fournisseur]:
    with fournisseur_sur_boucle_locale() as fournisseur:
        settings.SOCIALACCOUNT_PROVIDERS = reglages_fournisseurs(
            fournisseur.url, "franceconnect", "prosanteconnect"
        )
        yield fournisseur


def _code_totp() -> str:
    return format_hotp_value(hotp_value(SECRET_TOTP, int(time.time()) // 30))


def _passer_par_le_fournisseur(client: Client, identifiant: str, process: str = "login") -> str:
    """Start the login at allauth, let the provider answer, come back: the callback's URL."""
    depart = client.post(f"/comptes/oidc/{identifiant}/login/", {"process": process})
    assert depart.status_code == 302, depart.content.decode()[:500]
    autorisation = requests.get(depart["Location"], allow_redirects=False, timeout=5)
    retour = urlparse(autorisation.headers["Location"])
    return f"{retour.path}?{retour.query}"


def _second_facteur(client: Client) -> None:
    reponse = client.post(reverse("mfa_authenticate"), {"code": _code_totp()})
    assert reponse.status_code == 302 and reponse["Location"] == "/"


def test_the_providers_are_off_by_default_no_button_and_no_url_answering(
    settings: SettingsWrapper,
) -> None:
    assert reglages.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] == []
    client = Client()
    page = client.get(reverse("account_login")).content.decode()
    assert "FranceConnect" not in page and "Pro Santé Connect" not in page
    for url in (
        "/comptes/oidc/franceconnect/login/",
        "/comptes/oidc/franceconnect/login/callback/?code=x&state=y",
        "/comptes/oidc/prosanteconnect/login/",
        "/comptes/3rdparty/",
        "/comptes/3rdparty/signup/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/comptes/oidc/franceconnect/login/").status_code == 404


def test_the_environment_turns_a_provider_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRANCECONNECT_CLIENT_ID", "id-fc")
    monkeypatch.setenv("FRANCECONNECT_SECRET", "secret-fc")
    assert reglages._fournisseur_oidc("FRANCECONNECT", "franceconnect", "FranceConnect", []) == []
    monkeypatch.setenv("FRANCECONNECT_SERVER_URL", "https://fc.exemple.test/api/v2")
    (appli,) = reglages._fournisseur_oidc("FRANCECONNECT", "franceconnect", "FranceConnect", [])
    assert appli["client_id"] == "id-fc" and appli["secret"] == "secret-fc"
    assert appli["settings"]["server_url"] == "https://fc.exemple.test/api/v2"


def test_a_configured_provider_shows_its_button_and_an_unconfigured_one_stays_404(
    settings: SettingsWrapper,
) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = reglages_fournisseurs("http://127.0.0.1:9", "franceconnect")
    page = Client().get(reverse("account_login")).content.decode()
    assert "Se connecter avec FranceConnect" in page
    assert "Pro Santé Connect" not in page
    assert Client().post("/comptes/oidc/prosanteconnect/login/").status_code == 404


def test_an_unknown_franceconnect_identity_is_refused_and_creates_nothing(
    fournisseur: Fournisseur,
) -> None:
    fournisseur.identite = {"sub": "fc-inconnu", "email": "inconnu@exemple.test"}
    avant = Utilisateur.objects.count()
    client = Client()
    reponse = client.get(_passer_par_le_fournisseur(client, "franceconnect"))
    assert reponse.status_code == 403
    assert "encore reliée à aucun espace santé" in reponse.content.decode()
    assert fournisseur.echanges == 1  # the provider was really asked
    assert Utilisateur.objects.count() == avant
    assert not SocialAccount.objects.exists()
    assert "_auth_user_id" not in client.session


def test_the_same_email_does_not_open_an_existing_space(
    fournisseur: Fournisseur, titulaire: Espace
) -> None:
    """Matching on e-mail would hand a space to whoever shares the mailbox: never done."""
    fournisseur.identite = {"sub": "fc-meme-courriel", "email": titulaire.titulaire.email}
    client = Client()
    reponse = client.get(_passer_par_le_fournisseur(client, "franceconnect"))
    assert reponse.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_holder_links_franceconnect_then_logs_in_with_it_and_the_second_factor(
    fournisseur: Fournisseur, titulaire: Espace
) -> None:
    fournisseur.identite = {"sub": "fc-123", "given_name": "Camille", "family_name": "DURAND"}
    client = Client()
    client.force_login(titulaire.titulaire)  # (a TOTP code serves once: kept for the end)
    lien = client.get(_passer_par_le_fournisseur(client, "franceconnect", process="connect"))
    assert lien.status_code == 302
    compte = SocialAccount.objects.get(provider="franceconnect")
    assert compte.uid == "fc-123" and compte.user == titulaire.titulaire
    liste = client.get(reverse("socialaccount_connections")).content.decode()
    assert f'name="account" value="{compte.pk}"' in liste
    client.post(reverse("account_logout"))

    client = Client()
    reponse = client.get(_passer_par_le_fournisseur(client, "franceconnect"))
    assert reponse.status_code == 302 and reponse["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # not in before the second factor
    _second_facteur(client)
    assert client.session["_auth_user_id"] == str(titulaire.titulaire.pk)


def test_a_verified_professional_logs_in_with_pro_sante_connect_by_rpps(
    fournisseur: Fournisseur,
) -> None:
    pro = ProfessionnelFactory()
    fournisseur.identite = {"sub": "psc-abc", "preferred_username": f"8{pro.rpps}"}
    client = Client()
    reponse = client.get(_passer_par_le_fournisseur(client, "prosanteconnect"))
    assert reponse.status_code == 302 and reponse["Location"] == reverse("mfa_authenticate")
    _second_facteur(client)
    assert client.session["_auth_user_id"] == str(pro.utilisateur.pk)
    assert SocialAccount.objects.get(provider="prosanteconnect").user == pro.utilisateur


@pytest.mark.parametrize("statut", ["en_attente", "suspendu", "refuse"])
def test_pro_sante_connect_refuses_an_unverified_professional(
    fournisseur: Fournisseur, statut: str
) -> None:
    pro = ProfessionnelFactory(statut=statut)
    fournisseur.identite = {"sub": "psc-x", "SubjectNameID": f"8{pro.rpps}"}
    client = Client()
    reponse = client.get(_passer_par_le_fournisseur(client, "prosanteconnect"))
    assert reponse.status_code == 403
    assert "Aucun compte professionnel vérifié" in reponse.content.decode()
    assert "_auth_user_id" not in client.session


def test_pro_sante_connect_refuses_an_unknown_rpps(fournisseur: Fournisseur) -> None:
    fournisseur.identite = {"sub": "psc-y", "preferred_username": "810000000009"}
    client = Client()
    reponse = client.get(_passer_par_le_fournisseur(client, "prosanteconnect"))
    assert reponse.status_code == 403
    assert not SocialAccount.objects.exists()


def test_a_linked_professional_who_is_later_suspended_is_refused(fournisseur: Fournisseur) -> None:
    pro = ProfessionnelFactory()
    fournisseur.identite = {"sub": "psc-z", "preferred_username": f"8{pro.rpps}"}
    client = Client()
    client.get(_passer_par_le_fournisseur(client, "prosanteconnect"))
    pro.statut = "suspendu"
    pro.save()
    client = Client()
    reponse = client.get(_passer_par_le_fournisseur(client, "prosanteconnect"))
    assert reponse.status_code == 403


def test_the_login_page_may_send_its_forms_on_to_a_configured_provider() -> None:
    """Browsers check the redirect after a form post against form-action too."""
    fournisseurs = reglages_fournisseurs("https://fc.exemple.test:8443/api/v2", "franceconnect")
    assert reglages.origines_oidc(fournisseurs) == ["https://fc.exemple.test:8443"]
    assert reglages.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] == ["'self'"]


def test_parametres_lead_to_franceconnect_only_when_it_is_configured(
    settings: SettingsWrapper, titulaire: Espace
) -> None:
    client = Client()
    client.force_login(titulaire.titulaire)
    url = reverse("profil:parametres", args=[titulaire.uuid])
    lien = f'href="{reverse("socialaccount_connections")}"'
    assert lien not in client.get(url).content.decode()
    settings.SOCIALACCOUNT_PROVIDERS = reglages_fournisseurs("http://127.0.0.1:9", "franceconnect")
    assert lien in client.get(url).content.decode()
