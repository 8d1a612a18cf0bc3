from __future__ import annotations

import sys

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from .middleware import PANNES_BASE, page_indisponible


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
