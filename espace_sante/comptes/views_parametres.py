"""The account's settings, for every person (patients, representatives, professionals): e-mail,
phone number, the e-mails they receive. Linked from the space's Paramètres page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from espace_sante.lib.erreurs import Refus

from . import parametres
from .forms_parametres import EmailForm, NotificationsForm, TelephoneForm
from .models import NOTIFICATIONS_FACULTATIVES, Utilisateur


def _utilisateur(request: HttpRequest) -> Utilisateur:
    assert isinstance(request.user, Utilisateur)
    return request.user


@login_required
def compte(request: HttpRequest) -> HttpResponse:
    utilisateur = _utilisateur(request)
    refusees = set(utilisateur.notifications_refusees or [])
    return render(
        request,
        "comptes/parametres_compte.html",
        {
            "utilisateur": utilisateur,
            "form_notifications": NotificationsForm(
                initial={
                    "recues": [t.value for t in NOTIFICATIONS_FACULTATIVES if t not in refusees]
                }
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_changer(request: HttpRequest) -> HttpResponse:
    utilisateur = _utilisateur(request)
    form = EmailForm(request.POST or None, utilisateur=utilisateur)
    if request.method == "POST" and form.is_valid():
        parametres.email_changement_demander(
            utilisateur=utilisateur, nouvel_email=form.cleaned_data["email"]
        )
        return render(
            request, "comptes/email_envoye.html", {"nouvel_email": form.cleaned_data["email"]}
        )
    return render(request, "comptes/email_changer.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def email_confirmer(request: HttpRequest, jeton: str) -> HttpResponse:
    """GET shows the button (a mail scanner opening the link changes nothing); POST switches."""
    utilisateur = _utilisateur(request)
    try:
        if request.method == "POST":
            nouvel_email = parametres.email_changer(
                utilisateur=utilisateur, jeton=jeton, request=request
            )
            messages.success(
                request,
                _("L'adresse e-mail de votre compte est maintenant %(email)s.")
                % {"email": nouvel_email},
            )
            return redirect("comptes:compte")
        nouvel_email = parametres.email_jeton_lire(utilisateur=utilisateur, jeton=jeton)
    except Refus as refus:
        return render(request, "comptes/email_confirmer.html", {"refus": refus.message})
    return render(request, "comptes/email_confirmer.html", {"nouvel_email": nouvel_email})


@login_required
@require_http_methods(["GET", "POST"])
def telephone_changer(request: HttpRequest) -> HttpResponse:
    utilisateur = _utilisateur(request)
    form = TelephoneForm(request.POST or None, initial={"telephone": utilisateur.telephone})
    if request.method == "POST" and form.is_valid():
        parametres.telephone_changer(
            utilisateur=utilisateur, telephone=form.cleaned_data["telephone"], request=request
        )
        messages.success(request, _("Votre numéro de téléphone est enregistré."))
        return redirect("comptes:compte")
    return render(request, "comptes/telephone_changer.html", {"form": form})


@login_required
@require_http_methods(["POST"])
def notifications_choisir(request: HttpRequest) -> HttpResponse:
    utilisateur = _utilisateur(request)
    form = NotificationsForm(request.POST)
    if form.is_valid():
        parametres.notifications_choisir(
            utilisateur=utilisateur, refusees=form.refusees(), request=request
        )
        messages.success(request, _("Vos choix d'e-mails sont enregistrés."))
    return redirect("comptes:compte")
