"""The pages that bring a space's records in from outside: the import of a DMP record (an
XDM archive; docs/IMPORT_DMP.md) and the reimbursement history from the insurer
(docs/REMBOURSEMENTS.md). The holder or a representative reaches them as the Documents pages
(``views._acces``)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from espace_sante.coffre.services import StockageIndisponible
from espace_sante.coffre.televersement import (
    TeleversementRefuse,
    fichier_televerse,
    televersement_ouvrir,
    vue_de_televersement,
)
from espace_sante.lib.http import client_ip
from espace_sante.taches.services import objets_en_attente

from . import services
from .assurance.presentation import page_remboursements
from .import_dmp import import_demander
from .views import PANNE_STOCKAGE, _acces

# --- Import of a DMP record ----------------------------------------------------------------------


@login_required
@vue_de_televersement
def import_dmp(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """Upload an XDM archive exported from the DMP; a job imports it."""
    acces = _acces(request, espace_uuid)
    erreur, statut = None, 200
    if request.method == "POST":
        statut = 400
        televersement_ouvrir(request)
        try:
            fichier = fichier_televerse(request, "archive")
        except TeleversementRefuse as refus:
            erreur = refus.message
        else:
            try:
                demande = import_demander(
                    espace=acces.espace,
                    attente=fichier.attente,
                    acteur=acces.acteur,
                    demande_par=acces.utilisateur,
                )
            except StockageIndisponible:
                erreur, statut = str(PANNE_STOCKAGE), 503
            else:
                return redirect("dossier:import_dmp_etat", acces.espace.uuid, demande.uuid)
    imports = acces.espace.imports_dmp.all()[:10]
    return render(
        request,
        "dossier/import_dmp.html",
        {"acces": acces, "erreur": erreur, "imports": imports},
        status=statut if erreur else 200,
    )


@login_required
def import_dmp_etat(
    request: HttpRequest, espace_uuid: uuid.UUID, import_uuid: uuid.UUID
) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    demande = acces.espace.imports_dmp.filter(uuid=import_uuid).first()
    if demande is None:
        raise Http404
    if request.headers.get("Accept") == "application/json":  # the page's script polls this
        return JsonResponse(
            {"etat": demande.etat, "traites": demande.traites, "total": demande.total}
        )
    en_attente = bool(objets_en_attente(objet_type="import_dmp", objet_ids=[demande.pk]))
    return render(
        request,
        "dossier/import_dmp_etat.html",
        {"acces": acces, "demande": demande, "en_attente": en_attente},
    )


# --- Reimbursement history (docs/REMBOURSEMENTS.md) ----------------------------------------------


@login_required
def remboursements(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """The holder's (or a representative's) reimbursement lines: professionals have no access
    to a space through ``_acces`` (404), another space's uuid neither."""
    acces = _acces(request, espace_uuid, "synchro_remboursements")
    contexte = page_remboursements(request, acces)
    services.remboursements_consultation(acces=acces, ip=client_ip(request))
    return render(request, "dossier/remboursements.html", contexte)
