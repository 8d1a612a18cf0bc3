"""A professional's deposits: "Mes dépôts" (every deposit with its state, paged), and the page
that follows one deposit until its outcome is known — en traitement, then disponible or refusé
with the reason. Without JavaScript the page offers "Actualiser"; with it, static/js/depots.js
fetches the state's fragment (``depot_etat``) until it changes. The state never says "ajouté"
before the ingestion job has accepted the content."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from espace_sante.acces import professionnel_actif

from . import depots as lectures
from .views import _professionnel, page_indisponible


@login_required
def depots(request: HttpRequest) -> HttpResponse:
    professionnel = _professionnel(request, verifie=False)
    if not professionnel_actif(professionnel):
        return page_indisponible(request, professionnel, titre=_("Mes dépôts"))
    page = Paginator(lectures.depots(professionnel=professionnel), lectures.DEPOTS_PAR_PAGE)
    page_courante = page.get_page(request.GET.get("page"))
    return render(
        request,
        "professionnels/depots.html",
        {
            "page": page_courante,
            "etats": lectures.etats(list(page_courante.object_list)),
            "hors_acces": lectures.hors_acces(professionnel=professionnel),
            "requete": "",
        },
    )


def _etat(request: HttpRequest, document_uuid: uuid.UUID) -> lectures.EtatDepot:
    professionnel = _professionnel(request)
    depot = lectures.depot_pour_professionnel(
        professionnel=professionnel, document_uuid=document_uuid
    )
    return lectures.etat(depot)


@login_required
def depot(request: HttpRequest, document_uuid: uuid.UUID) -> HttpResponse:
    return render(request, "professionnels/depot.html", {"etat": _etat(request, document_uuid)})


@login_required
def depot_etat(request: HttpRequest, document_uuid: uuid.UUID) -> HttpResponse:
    """The state's fragment alone, for the page's script."""
    return render(
        request, "professionnels/depot_etat.html", {"etat": _etat(request, document_uuid)}
    )
