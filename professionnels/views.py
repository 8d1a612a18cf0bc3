from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from profil.selectors import espace_pour_acteur


@login_required
def professionnels(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = espace_pour_acteur(utilisateur=request.user, espace_uuid=espace_uuid)  # type: ignore[arg-type]
    request.acces = acces  # type: ignore[attr-defined]
    return render(request, "professionnels/professionnels.html", {"acces": acces})
