from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from django.conf import settings
from django.http import HttpRequest

from espace_sante.lib.http import client_ip

from . import connexion


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are only created by activating a space (or by an operator): no open sign-up.
    Failed logins slow the address and the account down instead of locking the account
    (connexion.py)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        attente = connexion.attente_adresse(client_ip(request))
        if attente:
            raise connexion.refus_adresse(attente)
        if not getattr(request, "_second_facteur_verifie", False):
            attente = connexion.attente_compte(str(credentials.get("email", "")))
            if attente:
                raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        connexion.echec_enregistrer(ip=client_ip(request), email=str(credentials.get("email", "")))

    def login(self, request: HttpRequest, user: Any) -> None:
        """A fresh login (password or second factor checked a moment ago) counts as a recent
        authentication: setting up a factor or viewing the recovery codes right after it does
        not ask for the password again (ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
        super().login(request, user)
        methodes = [r.get("method") for r in get_authentication_records(request, user)]
        for methode in ("mfa", "password"):
            if methode in methodes:
                record_authentication(request, user, method=methode, reauthenticated=True)
                break

    def get_login_stages(self) -> list[str]:
        return [
            "espace_sante.comptes.connexion.EtapeSecondFacteur"
            if etape == "allauth.mfa.stages.AuthenticateStage"
            else etape
            for etape in super().get_login_stages()
        ]


def fournisseurs_configures() -> list[str]:
    """The OpenID Connect providers (FranceConnect, Pro Santé Connect) set up by environment."""
    applis = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).get("openid_connect", {})
    return [appli["provider_id"] for appli in applis.get("APPS", [])]
