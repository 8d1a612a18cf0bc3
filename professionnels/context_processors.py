from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import urgences_en_cours

# Set at login (``signals``): the account has a professional's workspace (the header links to
# it from every page), and, for a professional, acts for a space too (the workspace's menu
# links back to it) — without a query per page.
SESSION_COMPTE_PRO = "compte_professionnel"
SESSION_COMPTE_PATIENT = "compte_patient"


def professionnel_courant(request: HttpRequest) -> dict[str, Any]:
    """On a professional's pages: who they are, and the emergency accesses still running (the
    banner stays on every page for as long as one runs). On every page of someone logged in:
    whether their account has a professional's workspace (the header's link to it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    contexte: dict[str, Any] = {
        "compte_professionnel": bool(request.session.get(SESSION_COMPTE_PRO))
    }
    professionnel = getattr(request, "professionnel", None)
    if professionnel is not None:
        contexte["compte_professionnel"] = True
        contexte["compte_patient"] = bool(request.session.get(SESSION_COMPTE_PATIENT))
        contexte["professionnel_courant"] = professionnel
        contexte["urgences_courantes"] = urgences_en_cours(professionnel=professionnel)
    return contexte
