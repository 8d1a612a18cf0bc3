"""allauth's URLs, with those of FranceConnect / Pro Santé Connect answering 404 while no
provider is configured (docs/CONNEXION.md)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth import urls as allauth_urls
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver

from .adapters import fournisseurs_configures

_PREFIXES_EXTERNES = ("3rdparty/", "social/", "oidc/", "^(?P<provider_id>")


def _si_configure(vue: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(vue)
    def garde(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not fournisseurs_configures():
            raise Http404
        return vue(request, *args, **kwargs)

    return garde


def _garder(motif: URLPattern | URLResolver) -> URLPattern | URLResolver:
    if isinstance(motif, URLPattern):
        vue = _si_configure(motif.callback)
        return URLPattern(motif.pattern, vue, motif.default_args, motif.name)
    return URLResolver(
        motif.pattern,
        [_garder(m) for m in motif.url_patterns],
        motif.default_kwargs,
        motif.app_name,
        motif.namespace,
    )


urlpatterns = [
    _garder(motif) if str(motif.pattern).startswith(_PREFIXES_EXTERNES) else motif
    for motif in allauth_urls.urlpatterns
]
