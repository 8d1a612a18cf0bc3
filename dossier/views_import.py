"""The pages that bring a space's records in from outside: the import of a DMP record (an
XDM archive; docs/IMPORT_DMP.md) and the reimbursement history from the insurer
(docs/REMBOURSEMENTS.md). The holder or a representative reaches them as the Documents pages
(``views._acces``)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from espace_sante.acces import AccesPatient, Rubrique, conflits_import_lisibles
from espace_sante.coffre.services import StockageIndisponible
from espace_sante.coffre.televersement import (
    TeleversementRefuse,
    fichier_televerse,
    televersement_ouvrir,
    vue_de_televersement,
)
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import client_ip
from espace_sante.taches.services import objets_en_attente

from . import services
from .assurance.presentation import page_remboursements
from .import_conflits import conflit_decider, conflits_a_montrer
from .import_dmp import import_demander
from .views import PANNE_STOCKAGE, _acces

# --- Import of a DMP record ----------------------------------------------------------------------


@login_required
@vue_de_televersement
def import_dmp(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """Upload an XDM archive exported from the DMP; a job imports it."""
    acces = _acces(request, espace_uuid, rubrique=Rubrique.GESTION)
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
    conflits = conflits_a_montrer(acces=acces, a_decider=True)
    return render(
        request,
        "dossier/import_dmp.html",
        {
            "acces": acces,
            "erreur": erreur,
            "imports": imports,
            "conflits": conflits,
            "conflits_a_decider": len(conflits),
        },
        status=statut if erreur else 200,
    )


@login_required
def import_dmp_etat(
    request: HttpRequest, espace_uuid: uuid.UUID, import_uuid: uuid.UUID
) -> HttpResponse:
    acces = _acces(request, espace_uuid, rubrique=Rubrique.GESTION)
    demande = acces.espace.imports_dmp.filter(uuid=import_uuid).first()
    if demande is None:
        raise Http404
    if request.headers.get("Accept") == "application/json":  # the page's script polls this
        return JsonResponse(
            {"etat": demande.etat, "traites": demande.traites, "total": demande.total}
        )
    en_attente = bool(objets_en_attente(objet_type="import_dmp", objet_ids=[demande.pk]))
    conflits = []
    if demande.etat == demande.Etat.TERMINE and demande.rapport.get("conflits"):
        conflits = conflits_a_montrer(acces=acces, uuids=demande.rapport["conflits"])
    return render(
        request,
        "dossier/import_dmp_etat.html",
        {
            "acces": acces,
            "demande": demande,
            "en_attente": en_attente,
            "conflits": conflits,
            "conflits_a_decider": sum(vu.conflit.a_decider for vu in conflits),
        },
    )


@login_required
@require_POST
def import_dmp_conflit(
    request: HttpRequest, espace_uuid: uuid.UUID, conflit_uuid: uuid.UUID
) -> HttpResponse:
    """The holder (or a representative) settles one conflict of an import: "Importer comme
    nouvelle version" or "Ignorer". Another space's conflict, or one they may not see: 404."""
    acces = _acces(request, espace_uuid, rubrique=Rubrique.GESTION)
    conflit = get_object_or_404(conflits_import_lisibles(acces=acces), uuid=conflit_uuid)
    decision = request.POST.get("decision", "")
    try:
        nouveau = conflit_decider(
            acces=acces, conflit=conflit, decision=decision, ip=client_ip(request)
        )
    except Refus as refus:
        messages.error(request, refus.message)
    else:
        messages.success(
            request,
            _(
                "Le document de l'archive est maintenant la version actuelle ; l'ancienne "
                "version reste consultable depuis le document."
            )
            if nouveau is not None
            else _("Le document de l'archive n'a pas été ajouté ; votre document reste inchangé."),
        )
    return redirect(_retour(acces, request.POST.get("retour", "")))


def _retour(acces: AccesPatient, import_uuid: str) -> str:
    """Back to the import's report the choice was made from, else to the import page."""
    try:
        demande = acces.espace.imports_dmp.filter(uuid=uuid.UUID(import_uuid)).first()
    except ValueError:
        demande = None
    if demande is not None:
        return str(reverse("dossier:import_dmp_etat", args=[acces.espace.uuid, demande.uuid]))
    return str(reverse("dossier:import_dmp", args=[acces.espace.uuid]))


# --- Reimbursement history (docs/REMBOURSEMENTS.md) ----------------------------------------------


@login_required
def remboursements(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """The holder's (or a representative's) reimbursement lines: professionals have no access
    to a space through ``_acces`` (404), another space's uuid neither."""
    acces = _acces(request, espace_uuid, "synchro_remboursements")
    contexte = page_remboursements(request, acces)
    services.remboursements_consultation(acces=acces, ip=client_ip(request))
    return render(request, "dossier/remboursements.html", contexte)
