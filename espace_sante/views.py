from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def trop_de_requetes(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "429.html", status=429)


def sante(request: HttpRequest) -> HttpResponse:
    """Liveness probe for the container healthcheck: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")
