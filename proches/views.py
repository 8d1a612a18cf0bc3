"""The Proches page of a space: who else acts for it, and the invitations (docs/PROCHES.md)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from espace_sante.acces import AccesPatient, Rubrique, espace_pour_acteur
from espace_sante.lib.http import ecrit

from . import aidants, parents, protection
from .forms_aidants import InvitationAidantForm


def acces_gestion(request: HttpRequest, espace_uuid: uuid.UUID) -> AccesPatient:
    """The space, for whom manages it (never a carer: 404)."""
    acces = espace_pour_acteur(
        utilisateur=request.user,  # type: ignore[arg-type]
        espace_uuid=espace_uuid,
        rubrique=Rubrique.GESTION,
        ecriture=ecrit(request),
    )
    request.acces = acces  # type: ignore[attr-defined]
    return acces


def page_proches(
    request: HttpRequest, acces: AccesPatient, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """The hub page; a form sent back with its errors replaces the empty one (``extra``)."""
    resume_aidants = aidants.resume(acces)
    contexte: dict[str, Any] = {
        "acces": acces,
        "parents": parents.resume(acces),
        "aidants": resume_aidants,
        "protection": protection.resume(acces),
    }
    if resume_aidants.get("peut_inviter"):
        contexte["form_aidant"] = InvitationAidantForm()
    contexte.update(extra)
    return render(request, "proches/proches.html", contexte, status=status)


@login_required
def proches(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = acces_gestion(request, espace_uuid)
    return page_proches(request, acces)
