from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import urgences_en_cours


def professionnel_courant(request: HttpRequest) -> dict[str, Any]:
    """On a professional's pages: who they are, and the emergency accesses still running (the
    banner stays on every page for as long as one runs)."""
    professionnel = getattr(request, "professionnel", None)
    if professionnel is None:
        return {}
    return {
        "professionnel_courant": professionnel,
        "urgences_courantes": urgences_en_cours(professionnel=professionnel),
    }
