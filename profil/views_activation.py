"""Activation of a pre-created space by the person (anonymous pages): code, INS and birth
date, then the login chosen; or opposition. One answer for every failure (docs/PROFIL.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from allauth.account.internal.flows.login import record_authentication
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.decorators import ratelimit

from espace_sante.comptes.forms import IdentifiantsForm
from espace_sante.journal.models import Action
from espace_sante.journal.selectors import evenements_de_l_espace
from espace_sante.journal.services import Acteur
from espace_sante.lib.http import client_ip, ratelimit_ip
from espace_sante.lib.identifiants import normaliser

from . import services
from .forms import ActivationForm, ConfirmationForm
from .models import CodeActivation, Espace

SESSION_ESPACE = "espace_courant"
SESSION_ACTIVATION = "activation_verifiee"
DUREE_ACTIVATION = timedelta(minutes=15)
EVENEMENTS_PAR_PAGE = 25


# --- Activation by the person (anonymous) ------------------------------------------------------


def _activation_en_session(request: HttpRequest) -> tuple[Espace, CodeActivation] | None:
    donnees = request.session.get(SESSION_ACTIVATION)
    if not donnees:
        return None
    verifie_le = parse_datetime(donnees.get("le", ""))
    if verifie_le is None or timezone.now() - verifie_le > DUREE_ACTIVATION:
        request.session.pop(SESSION_ACTIVATION, None)
        return None
    code = CodeActivation.objects.select_related("espace").filter(pk=donnees.get("code")).first()
    if code is None or not code.utilisable:
        request.session.pop(SESSION_ACTIVATION, None)
        return None
    return code.espace, code


def _cle_ins(group: str, request: HttpRequest) -> str:
    """Throttle per INS too (whether it has a space or not): many addresses cannot try one
    person's code faster than one address could."""
    return "ins:" + normaliser(str(request.POST.get("ins", "")))


@ratelimit(key=ratelimit_ip, rate=lambda g, r: _taux_activation(), method="POST", block=True)
@ratelimit(key=_cle_ins, rate=lambda g, r: _taux_activation_ins(), method="POST", block=True)
def activation(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        messages.warning(
            request, _("Déconnectez-vous avant d'activer l'espace santé d'une autre personne.")
        )
        return redirect("accueil")
    form = ActivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _espace, code = services.espace_activation_verifier(
                ins=form.cleaned_data["ins"],
                date_naissance=form.cleaned_data["date_naissance"],
                code=form.cleaned_data["code"],
                ip=client_ip(request),
            )
        except services.Refus as refus:
            form.add_error(None, refus.message)
        else:
            request.session.cycle_key()
            request.session[SESSION_ACTIVATION] = {
                "code": code.pk,
                "le": timezone.now().isoformat(),
            }
            if request.POST.get("choix") == "opposer":
                return redirect("profil:activation_opposition")
            return redirect("profil:activation_identifiants")
    return render(request, "profil/activation.html", {"form": form})


def _taux_activation() -> str:
    return str(settings.ACTIVATION_RATE_LIMIT)


def _taux_activation_ins() -> str:
    return str(settings.ACTIVATION_RATE_LIMIT_INS)


def _code_verifie(
    vue: Callable[[HttpRequest, Espace, CodeActivation], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The second steps of activation need a code verified in this session, minutes ago."""

    @wraps(vue)
    def enveloppe(request: HttpRequest) -> HttpResponse:
        verifie = _activation_en_session(request)
        if verifie is None:
            messages.error(request, _("Saisissez d'abord votre code d'activation."))
            return redirect("profil:activation")
        return vue(request, *verifie)

    return enveloppe


@_code_verifie
def activation_identifiants(
    request: HttpRequest, espace: Espace, code: CodeActivation
) -> HttpResponse:
    form = IdentifiantsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            utilisateur = services.espace_activer(
                espace=espace,
                code=code,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                ip=client_ip(request),
            )
        except services.Refus as refus:
            form.add_error(None, refus.message)
        else:
            request.session.pop(SESSION_ACTIVATION, None)
            login(request, utilisateur, backend="django.contrib.auth.backends.ModelBackend")
            # The password was just chosen: count it as a fresh authentication, so that
            # setting up the second factor does not ask for it again.
            record_authentication(
                request,
                utilisateur,
                method="password",
                email=utilisateur.email,
                reauthenticated=True,
            )
            messages.success(
                request,
                _(
                    "Votre espace santé est activé. Protégez maintenant votre compte "
                    "par une double authentification."
                ),
            )
            _signaler_essais_echoues(request, espace)
            return redirect("accueil")
    return render(request, "profil/activation_identifiants.html", {"form": form, "espace": espace})


def _signaler_essais_echoues(request: HttpRequest, espace: Espace) -> None:
    """The holder learns, on activating, of the failed tries made with their INS and birth date
    (each is in their activity history, with its date and address)."""
    essais = (
        evenements_de_l_espace(espace_uuid=espace.uuid, professionnels=False)
        .filter(action__in=[Action.ACTIVATION_ECHEC, Action.ACTIVATION_VERROUILLEE])
        .count()
    )
    if essais:
        messages.warning(
            request,
            ngettext(
                "Avant votre activation, %(n)d essai d'activation a échoué avec votre numéro "
                "INS. Il figure dans votre historique d'activité. Si ce n'était pas vous, "
                "contactez votre caisse d'assurance maladie.",
                "Avant votre activation, %(n)d essais d'activation ont échoué avec votre numéro "
                "INS. Ils figurent dans votre historique d'activité. Si ce n'était pas vous, "
                "contactez votre caisse d'assurance maladie.",
                essais,
            )
            % {"n": essais},
        )


@_code_verifie
def activation_opposition(
    request: HttpRequest, espace: Espace, code: CodeActivation
) -> HttpResponse:
    form = ConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.espace_opposer(
                espace=espace, code=code, acteur=Acteur.anonyme(), ip=client_ip(request)
            )
        except services.Refus as refus:
            form.add_error(None, refus.message)
        else:
            request.session.pop(SESSION_ACTIVATION, None)
            return render(request, "profil/opposition_faite.html")
    return render(request, "profil/activation_opposition.html", {"form": form, "espace": espace})
