"""Who an identity from FranceConnect or Pro Santé Connect may log in as (docs/CONNEXION.md).

Neither provider ever creates an account nor a health space: a space is opened only with the
activation code (DESIGN.md §2), a professional account only once an operator verified it.

- **FranceConnect** (patients): an identity is linked to an account only by its holder, once
  logged in with password and second factor (allauth's "connect" process, from the
  second-factor page). Afterwards it logs in to that account. An identity linked to no account
  is refused with a notice that says how to link it. E-mail and civil-status traits are never
  matched: a shared mailbox or a namesake must not open someone else's space.
- **Pro Santé Connect** (professionals): the identity carries the RPPS (the national identifier
  ``8`` + RPPS in ``SubjectNameID``/``preferred_username``, or ``SubjectRefPro``); it logs in
  to the verified professional holding that RPPS, and only while they stay verified. Unknown
  or unverified RPPS: a refusal notice.

Either way, our second factor is still asked afterwards (the login stages run as for a
password): FranceConnect's usual level is not "substantial" (eIDAS), so it does not replace it.
"""

from __future__ import annotations

import re
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import _build_apps_from_settings as _apps_des_reglages
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.http import Http404, HttpRequest
from django.shortcuts import render

from espace_sante.comptes.adapters import fournisseurs_configures
from professionnels.models import Professionnel, StatutProfessionnel

FRANCECONNECT = "franceconnect"
PROSANTECONNECT = "prosanteconnect"
_RPPS = re.compile(r"^8?(\d{11})$")


def rpps_de_l_identite(donnees: dict[str, Any]) -> str | None:
    """The RPPS that Pro Santé Connect's claims carry (userinfo, else ID token), or None."""
    revendications = {**donnees.get("id_token", {}), **donnees.get("userinfo", {})}
    for champ in ("SubjectNameID", "preferred_username", "SubjectRefPro"):
        valeur = revendications.get(champ)
        if isinstance(valeur, dict):  # SubjectRefPro: {"codeCivilite": …, "exercices": […]}
            valeur = valeur.get("SubjectNameID") or valeur.get("identifiant")
        trouve = _RPPS.match(str(valeur or "").strip())
        if trouve:
            return trouve.group(1)
    return None


def utilisateur_pour_rpps(rpps: str | None) -> Any | None:
    """The account of the verified professional holding this RPPS, or None."""
    if not rpps:
        return None
    pro = (
        Professionnel.objects.select_related("utilisateur")
        .filter(rpps=rpps, statut=StatutProfessionnel.VERIFIE, utilisateur__is_active=True)
        .first()
    )
    return pro.utilisateur if pro is not None else None


def _refus(request: HttpRequest, *, fournisseur: str) -> ImmediateHttpResponse:
    return ImmediateHttpResponse(
        render(request, "socialaccount/refus.html", {"fournisseur": fournisseur}, status=403)
    )


class AdaptateurConnexionExterne(DefaultSocialAccountAdapter):  # type: ignore[misc]
    """allauth's social login, restricted to existing accounts (module docstring)."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def list_apps(
        self, request: HttpRequest | None, provider: Any = None, client_id: Any = None
    ) -> list[Any]:
        """The providers come from the environment only (docs/CONNEXION.md), never from
        allauth's table of apps: nothing to read in the database, and the login page of a
        deployment without FranceConnect asks it nothing."""
        if not fournisseurs_configures():
            return []
        apps = _apps_des_reglages(provider=provider, client_id=client_id)
        return [app for liste in apps.values() for app in liste]

    def get_provider(self, request: HttpRequest, provider: str, client_id: Any = None) -> Any:
        # "openid_connect" with a client id: a login in progress, read back from the session.
        configure = provider in fournisseurs_configures() or (
            provider == "openid_connect" and client_id and fournisseurs_configures()
        )
        if not configure:
            raise Http404
        return super().get_provider(request, provider, client_id=client_id)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        fournisseur = sociallogin.account.provider
        if fournisseur == PROSANTECONNECT:
            utilisateur = utilisateur_pour_rpps(rpps_de_l_identite(sociallogin.account.extra_data))
            if utilisateur is None:
                raise _refus(request, fournisseur=PROSANTECONNECT)
            if sociallogin.is_existing and sociallogin.user.pk != utilisateur.pk:
                raise _refus(request, fournisseur=PROSANTECONNECT)
            if not sociallogin.is_existing:
                sociallogin.connect(request, utilisateur)
            return
        if sociallogin.is_existing:
            return
        lier = sociallogin.state.get("process") == AuthProcess.CONNECT
        if lier and request.user.is_authenticated:
            return  # the holder links the identity to their own account
        raise _refus(request, fournisseur=FRANCECONNECT)
