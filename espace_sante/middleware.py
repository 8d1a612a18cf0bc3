"""Two guards every response and request of the portal goes through.

- ``LimiteCorpsMiddleware`` refuses (413) a body longer than its URL accepts, from the declared
  ``Content-Length``, before a byte of it is read (even on a URL that does not exist): an upload
  URL (``vue_de_televersement``) takes ``VAULT_MAX_UPLOAD`` and the multipart framing, any other
  URL ``DATA_UPLOAD_MAX_MEMORY_SIZE``. A body without a length (chunked) is left to the upload
  handler, which stops at the limit while it streams. A view may answer the refusal in its own
  format (the FHIR API: an ``OperationOutcome``) through its ``reponse_413`` attribute.
- ``PasDeCacheMiddleware`` marks every response to a logged-in person, and every download,
  ``Cache-Control: no-store, private``: health pages must not stay in a shared cache or in the
  browser's. Static files are served before it (WhiteNoise) and stay cacheable.
- ``PanneBaseMiddleware`` answers a clear 503 page (``Retry-After``) when the database is
  restarting, instead of a 500 (docs/PLATFORM.md, "Pannes et reprise").
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control

from espace_sante.coffre.televersement import limite_televersement

Reponse = Callable[[HttpRequest], HttpResponseBase]
logger = logging.getLogger(__name__)


def _longueur_declaree(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class LimiteCorpsMiddleware:
    """Before any middleware reads a body (the CSRF check does, in ``process_view``), and for
    URLs that do not resolve too (Django's 404 page parses the body as well)."""

    def __init__(self, get_response: Reponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        longueur = _longueur_declaree(request)
        limite = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limite is None or longueur <= limite:
            return self.get_response(request)
        vue = _vue(request)  # resolved only for a long body
        televersement = bool(getattr(vue, "televersement", False))
        if televersement and longueur <= limite_televersement():
            return self.get_response(request)
        mo = (settings.VAULT_MAX_UPLOAD if televersement else limite) / (1024 * 1024)
        propre = getattr(vue, "reponse_413", None)
        if propre is not None:
            return propre(request, mo)
        return render(
            request,
            "413.html",
            {"televersement": televersement, "maximum_mo": mo},
            status=413,
        )


def _vue(request: HttpRequest) -> Callable[..., HttpResponseBase] | None:
    try:
        return resolve(request.path_info, getattr(request, "urlconf", None)).func
    except Resolver404:
        return None


class PasDeCacheMiddleware:
    def __init__(self, get_response: Reponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        reponse = self.get_response(request)
        utilisateur = getattr(request, "user", None)
        connecte = utilisateur is not None and utilisateur.is_authenticated
        telechargement = isinstance(reponse, StreamingHttpResponse | FileResponse) or (
            reponse.get("Content-Disposition", "").startswith("attachment")
        )
        if (connecte or telechargement) and not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(reponse, no_store=True, private=True)
        return reponse


# --- The database restarting: a 503 page, not a 500 -------------------------------------------

PANNES_BASE = (OperationalError, InterfaceError)
REESSAYER_APRES = 30  # seconds (Retry-After)


def page_indisponible() -> HttpResponse:
    """Rendered without the request: nothing in it may need the database (no session, no user),
    and nothing was written (the service's transaction was rolled back with the connection)."""
    reponse = HttpResponse(render_to_string("503.html"), status=503)
    reponse["Retry-After"] = str(REESSAYER_APRES)
    patch_cache_control(reponse, no_store=True, private=True)
    return reponse


class PanneBaseMiddleware:
    """A view that loses the database (it restarts) answers the 503 page; the connection is
    replaced at the end of the request (``close_old_connections`` sees the error) or checked
    at the next one (``CONN_HEALTH_CHECKS``). Errors outside views go to ``handler500``, which
    answers the same page (``espace_sante.views.erreur_serveur``)."""

    def __init__(self, get_response: Reponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, PANNES_BASE):
            return None
        logger.warning("base de données indisponible (%s) : réponse 503", type(exception).__name__)
        return page_indisponible()
