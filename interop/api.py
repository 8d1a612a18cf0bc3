"""What every FHIR endpoint shares: the caller behind a bearer token (a professional's
software), the per-token rate limit, and the answers — FHIR JSON, or an ``OperationOutcome``
with a diagnostic in plain French for every refusal.

A token is good only while it has not expired, its software is still registered (revoking it
deletes its tokens) and its professional is still verified and active: otherwise 401 at once,
whatever the token's lifetime said. A scope the token lacks: 403. Someone else's object, or
one that does not exist: 404, alike (``Http404`` raised by the access package becomes one)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited
from oauth2_provider.models import AccessToken

from espace_sante.acces import professionnel_actif
from professionnels.models import Professionnel

from .models import Logiciel

TYPE_FHIR = "application/fhir+json; charset=utf-8"
LECTURE = "read"
DEPOT = "deposit"


class ErreurFhir(Exception):
    """A refusal, answered as an ``OperationOutcome`` with ``statut``."""

    def __init__(self, statut: int, code: str, diagnostic: str) -> None:
        super().__init__(diagnostic)
        self.statut = statut
        self.code = code
        self.diagnostic = diagnostic


def reponse_fhir(ressource: dict[str, Any], *, statut: int = 200) -> HttpResponse:
    reponse = HttpResponse(
        json.dumps(ressource, ensure_ascii=False, separators=(",", ":")),
        content_type=TYPE_FHIR,
        status=statut,
    )
    patch_cache_control(reponse, no_store=True, private=True)
    return reponse


def resultat_operation(code: str, diagnostic: str, *, severite: str = "error") -> dict[str, Any]:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severite, "code": code, "diagnostics": diagnostic}],
    }


def reponse_erreur(erreur: ErreurFhir) -> HttpResponse:
    reponse = reponse_fhir(resultat_operation(erreur.code, erreur.diagnostic), statut=erreur.statut)
    if erreur.statut == 401:
        reponse["WWW-Authenticate"] = 'Bearer realm="fhir", error="invalid_token"'
    return reponse


NON_TROUVE = ErreurFhir(404, "not-found", "Ressource introuvable.")


@dataclass(frozen=True)
class Appelant:
    """Who calls: the professional, through their software, with the token's scopes."""

    professionnel: Professionnel
    logiciel: Logiciel
    jeton: AccessToken

    def peut(self, scope: str) -> bool:
        return bool(self.jeton.allow_scopes([scope]))


def _jeton(request: HttpRequest) -> str:
    entete = request.headers.get("Authorization", "")
    genre, _, valeur = entete.partition(" ")
    if genre.lower() != "bearer" or not valeur.strip():
        raise ErreurFhir(
            401, "login", "Authentification requise : jeton d'accès OAuth 2.0 (Bearer) attendu."
        )
    return valeur.strip()


def appelant_de(request: HttpRequest, scope: str) -> Appelant:
    """The caller behind the request's token, or a 401/403/429 ``ErreurFhir``."""
    valeur = _jeton(request)
    jeton = (
        AccessToken.objects.select_related(
            "application__logiciel__professionnel__utilisateur", "user"
        )
        .filter(token_checksum=hashlib.sha256(valeur.encode()).hexdigest())
        .first()
    )
    if jeton is None or jeton.application is None:
        raise ErreurFhir(401, "login", "Jeton d'accès inconnu ou révoqué.")
    if jeton.is_expired():
        raise ErreurFhir(401, "expired", "Jeton d'accès expiré : demandez-en un nouveau.")
    logiciel = getattr(jeton.application, "logiciel", None)
    if logiciel is None or not logiciel.actif:
        raise ErreurFhir(401, "login", "Ce logiciel n'est plus autorisé.")
    professionnel = logiciel.professionnel
    if jeton.user_id != professionnel.utilisateur_id or not professionnel_actif(professionnel):
        raise ErreurFhir(
            401, "login", "Le compte du professionnel n'est pas (ou plus) vérifié et actif."
        )
    appelant = Appelant(professionnel=professionnel, logiciel=logiciel, jeton=jeton)
    if is_ratelimited(
        request,
        group="interop.fhir",
        key=lambda _groupe, _requete: f"jeton:{jeton.pk}",
        rate=settings.FHIR_RATE_LIMIT,
        increment=True,
    ):
        raise ErreurFhir(
            429, "throttled", "Trop de requêtes pour ce jeton : réessayez dans un moment."
        )
    if not appelant.peut(scope):
        portee = "lecture (read)" if scope == LECTURE else "dépôt (deposit)"
        raise ErreurFhir(403, "forbidden", f"Ce jeton ne donne pas le droit de {portee} demandé.")
    return appelant


VueFhir = Callable[..., HttpResponseBase]


def vue_fhir(*, methodes: tuple[str, ...], scope: str | None) -> Callable[[VueFhir], VueFhir]:
    """An API endpoint: its methods (405 otherwise), the scope its token needs (``None``: no
    token, as ``metadata``), and every refusal as an ``OperationOutcome``. The view receives
    the ``Appelant`` as its second argument when a scope is named."""

    def decorateur(vue: VueFhir) -> VueFhir:
        @csrf_exempt
        @functools.wraps(vue)
        def enveloppe(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                if request.method not in methodes:
                    reponse = reponse_erreur(
                        ErreurFhir(405, "not-supported", "Méthode non prise en charge ici.")
                    )
                    reponse["Allow"] = ", ".join(methodes)
                    return reponse
                if scope is None:
                    return vue(request, *args, **kwargs)
                return vue(request, appelant_de(request, scope), *args, **kwargs)
            except ErreurFhir as erreur:
                return reponse_erreur(erreur)
            except Http404:
                return reponse_erreur(NON_TROUVE)

        enveloppe.api_fhir = True  # type: ignore[attr-defined]
        enveloppe.scope_fhir = scope  # type: ignore[attr-defined]
        return enveloppe

    return decorateur
