"""The Proches page of a space: who else acts for it, and the invitations (docs/PROCHES.md)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from espace_sante.acces import AccesPatient, Rubrique, espace_pour_acteur
from espace_sante.lib.http import ecrit

from . import aidants, parents, protection


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


@login_required
def proches(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = acces_gestion(request, espace_uuid)
    return render(
        request,
        "proches/proches.html",
        {
            "acces": acces,
            "parents": parents.resume(acces),
            "aidants": aidants.resume(acces),
            "protection": protection.resume(acces),
        },
    )
