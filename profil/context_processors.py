from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import espaces_accessibles


def espace_courant(request: HttpRequest) -> dict[str, Any]:
    """The space the page acts for (set by the view after its access check), and — lazily —
    the spaces the person may switch to."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "acces_courant": getattr(request, "acces", None),
        "acces_possibles": SimpleLazyObject(lambda: espaces_accessibles(utilisateur=user)),
    }
