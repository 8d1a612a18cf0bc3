from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from profil.selectors import espace_pour_acteur

CATEGORIES = [
    "Ordonnances & soins",
    "Biologie",
    "Imagerie",
    "Comptes rendus & hospitalisation",
    "Vaccination",
    "Certificats & attestations",
    "Remboursements",
    "Mes documents",
]


@login_required
def documents(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = espace_pour_acteur(utilisateur=request.user, espace_uuid=espace_uuid)  # type: ignore[arg-type]
    request.acces = acces  # type: ignore[attr-defined]
    return render(request, "dossier/documents.html", {"acces": acces, "categories": CATEGORIES})
