from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string

from espace_sante.comptes.models import Utilisateur
from professionnels.models import Professionnel
from profil import views as profil_views
from profil.models import Espace
from profil.views import SESSION_ESPACE

from .middleware import PANNES_BASE, page_indisponible


@login_required
def accueil(request: HttpRequest) -> HttpResponse:
    """Where ``/`` (and a login: ``LOGIN_REDIRECT_URL``) leads: a professional without a space
    of their own lands on their workspace, unless they chose a space to act for in this
    session (a minor they represent); everyone else on the space they act for (profil). A
    person who is both lands on their own space, and the header links to the workspace."""
    utilisateur: Utilisateur = request.user  # type: ignore[assignment]  # login_required
    if (
        not request.session.get(SESSION_ESPACE)
        and Professionnel.objects.filter(utilisateur=utilisateur).exists()
        and not Espace.objects.filter(titulaire=utilisateur).exists()
    ):
        return redirect("professionnels:accueil")
    return profil_views.accueil(request)


def trop_de_requetes(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "429.html", status=429)


def sante(request: HttpRequest) -> HttpResponse:
    """Readiness probe for the container healthcheck (docker/healthcheck.py, which also fetches
    the login page and a static file it links): the database answers. No session, no data."""
    try:
        with connection.cursor() as curseur:
            curseur.execute("SELECT 1")
            curseur.fetchone()
    except DatabaseError:
        return HttpResponse("base de données indisponible", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def erreur_serveur(request: HttpRequest) -> HttpResponse:
    """``handler500``: the database lost outside a view (a middleware, the session) answers
    the 503 page as in a view; any other error, the 500 page. Neither touches the database."""
    if isinstance(sys.exc_info()[1], PANNES_BASE):
        return page_indisponible()
    return HttpResponse(render_to_string("500.html"), status=500)
