"""The help centre, the contact form and the accessibility statement: open to everyone."""

from __future__ import annotations

from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from espace_sante.comptes.models import Utilisateur
from espace_sante.lib.http import client_ip

from . import services
from .forms import ContactForm, RechercheForm
from .models import Categorie, Theme

# Tickets opened per address and per account (django-ratelimit's rate syntax).
CONTACT_RATE = getattr(settings, "AIDE_CONTACT_RATE", "5/h")


def index(request: HttpRequest) -> HttpResponse:
    form = RechercheForm(request.GET or None)
    recherche = form.cleaned_data["q"] if form.is_valid() else ""
    questions = services.questions_publiees(recherche=recherche)
    themes = [
        (theme, Theme(theme).label, list(groupe))
        for theme, groupe in groupby(questions, key=lambda q: q.theme)
    ]
    return render(
        request,
        "aide/index.html",
        {"form": form, "recherche": recherche, "themes": themes, "total": len(questions)},
    )


def _trop_de_demandes(request: HttpRequest) -> bool:
    """Counted on each ticket tried: per address, and per account when logged in."""
    par_ip = is_ratelimited(
        request,
        group="aide.contact.ip",
        key=lambda _g, r: client_ip(r),
        rate=CONTACT_RATE,
        increment=True,
    )
    par_compte = request.user.is_authenticated and is_ratelimited(
        request,
        group="aide.contact.compte",
        key=lambda _g, r: str(r.user.uuid),
        rate=CONTACT_RATE,
        increment=True,
    )
    return bool(par_ip or par_compte)


def contact(request: HttpRequest) -> HttpResponse:
    utilisateur = request.user if isinstance(request.user, Utilisateur) else None
    connecte = utilisateur is not None
    # ``?sujet=accessibilite`` (the accessibility statement's link) chooses the subject
    sujet = request.GET.get("sujet", "")
    form = ContactForm(
        request.POST or None,
        connecte=connecte,
        initial={"categorie": sujet} if sujet in Categorie.values else None,
    )
    if request.method == "POST" and form.is_valid():
        if _trop_de_demandes(request):
            form.add_error(
                None,
                _(
                    "Vous avez envoyé plusieurs demandes en peu de temps. "
                    "Réessayez dans une heure, nous traitons déjà les précédentes."
                ),
            )
        else:
            demande = services.demande_creer(
                categorie=form.cleaned_data["categorie"],
                message=form.cleaned_data["message"],
                email=utilisateur.email if utilisateur else form.cleaned_data["email"],
                utilisateur=utilisateur,
            )
            messages.success(
                request,
                _(
                    "Votre demande est enregistrée sous le numéro %(numero)s. "
                    "Un e-mail de confirmation vous est envoyé."
                )
                % {"numero": demande.numero},
            )
            return redirect("aide:contact_envoyee")
    return render(request, "aide/contact.html", {"form": form}, status=200)


def contact_envoyee(request: HttpRequest) -> HttpResponse:
    return render(request, "aide/contact_envoyee.html")


def accessibilite(request: HttpRequest) -> HttpResponse:
    return render(request, "aide/accessibilite.html")
