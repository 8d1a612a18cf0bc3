"""Slowing password guessing without letting a stranger lock the holder out (issue 13).

Each failed login counts against the client's address and against the account typed (whether
it exists or not). Past ``CONNEXION_ESSAIS_LIBRES`` failures, the next try waits
``CONNEXION_DELAI_BASE × 2^(failures − free)`` seconds (at most ``CONNEXION_DELAI_MAX``) after
the last failure. The address's wait is strict. The account's wait is not a lock: meanwhile the
login form asks for the second factor's code with the password, and only both right let in, so
a stranger who slows the account down cannot keep out its holder. An account without a second
factor has no such way round: it waits, or resets its password by e-mail (which clears it)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from allauth.account.forms import LoginForm
from allauth.mfa.models import Authenticator
from allauth.mfa.stages import AuthenticateStage
from allauth.mfa.totp.internal.auth import TOTP
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from espace_sante.lib.http import client_ip

SESSION_CODE_VERIFIE = "connexion_code_verifie"


def _cle(genre: str, valeur: str) -> str:
    return f"connexion:{genre}:" + hashlib.sha256(valeur.strip().lower().encode()).hexdigest()


def _attente(cle: str) -> float:
    echecs, dernier = cache.get(cle) or (0, 0.0)
    libres = settings.CONNEXION_ESSAIS_LIBRES
    if echecs < libres:
        return 0.0
    delai = min(
        settings.CONNEXION_DELAI_BASE * 2 ** (echecs - libres), settings.CONNEXION_DELAI_MAX
    )
    return max(0.0, dernier + delai - time.time())


def attente_adresse(ip: str) -> float:
    return _attente(_cle("ip", ip))


def attente_compte(email: str) -> float:
    return _attente(_cle("compte", email))


def echec_enregistrer(*, ip: str, email: str) -> None:
    for cle in (_cle("ip", ip), _cle("compte", email)):
        echecs = (cache.get(cle) or (0, 0.0))[0] + 1
        cache.set(cle, (echecs, time.time()), timeout=settings.CONNEXION_MEMOIRE)


def compte_oublier(email: str) -> None:
    cache.delete(_cle("compte", email))


def duree_lisible(secondes: float) -> str:
    minutes = int(secondes // 60) + 1
    if secondes < 60:
        return _("une minute")
    return _("%(n)d minutes") % {"n": minutes}


def refus_adresse(attente: float) -> ValidationError:
    return ValidationError(
        _("Trop d'essais depuis votre connexion. Réessayez dans %(duree)s.")
        % {"duree": duree_lisible(attente)}
    )


def _code_valide(utilisateur: Any, code: str) -> bool:
    totp = Authenticator.objects.filter(user=utilisateur, type=Authenticator.Type.TOTP).first()
    return totp is not None and TOTP(totp).validate_code(code)


class ConnexionForm(LoginForm):
    """allauth's login, plus the second factor's code while the account is slowed down."""

    code = forms.CharField(
        label=gettext_lazy("Code de votre application d'authentification"),
        help_text=gettext_lazy("Les 6 chiffres affichés par l'application, en ce moment."),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not (self.is_bound and attente_compte(str(self.data.get("login", "")))):
            del self.fields["code"]

    def clean(self) -> dict[str, Any]:
        if self._errors or "code" not in self.fields:
            return super().clean()
        request: HttpRequest = self.request
        ip = client_ip(request)
        attente = attente_adresse(ip)
        if attente:
            raise refus_adresse(attente)
        identifiants = self.user_credentials()
        code = str(self.cleaned_data.get("code") or "").replace(" ", "")
        if not code:
            raise ValidationError(
                _(
                    "Par sécurité, après plusieurs essais infructueux sur ce compte, saisissez "
                    "aussi le code de votre application d'authentification, ou réessayez dans "
                    "%(duree)s."
                )
                % {"duree": duree_lisible(attente_compte(identifiants.get("email", "")))}
            )
        utilisateur = authenticate(request, **identifiants)
        if utilisateur is None or not _code_valide(utilisateur, code):
            echec_enregistrer(ip=ip, email=identifiants.get("email", ""))
            raise ValidationError(_("L'adresse e-mail, le mot de passe ou le code est incorrect."))
        request._second_facteur_verifie = True  # type: ignore[attr-defined]
        request.session[SESSION_CODE_VERIFIE] = utilisateur.pk
        return super().clean()


class EtapeSecondFacteur(AuthenticateStage):
    """allauth's second-factor step, skipped when the login form has just checked the code."""

    def _should_handle(self, request: HttpRequest) -> bool:
        verifie = request.session.pop(SESSION_CODE_VERIFIE, None)
        if self.login.user is not None and verifie == self.login.user.pk:
            return False
        return bool(super()._should_handle(request))
