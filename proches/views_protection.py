"""The protected person's answer to a curatelle: let the curator in, refuse, withdraw
(docs/PROCHES.md, "Protected adults"). Only the protected holder decides."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from espace_sante.acces import AccesPatient
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import client_ip
from profil.models import MesureProtection

from . import protection
from .views import acces_gestion


def _curatelle(
    request: HttpRequest, espace_uuid: uuid.UUID, mesure_id: int
) -> tuple[AccesPatient, MesureProtection]:
    """The holder's access and the curatelle over their space; 404 for anyone else (a
    representative, a tutor, a carer) and any other measure."""
    acces = acces_gestion(request, espace_uuid)
    if not acces.est_titulaire:
        raise Http404
    mesure = protection.curatelle_de(acces=acces, mesure_id=mesure_id)
    if mesure is None:
        raise Http404
    return acces, mesure


def _vers_proches(acces: AccesPatient) -> HttpResponse:
    return redirect("proches:proches", acces.espace.uuid)


@login_required
def accepter(request: HttpRequest, espace_uuid: uuid.UUID, mesure_id: int) -> HttpResponse:
    acces, mesure = _curatelle(request, espace_uuid, mesure_id)
    if request.method == "POST":
        try:
            protection.protection_accepter(acces=acces, mesure_id=mesure.pk, ip=client_ip(request))
        except Refus as refus:
            messages.error(request, refus.message)
        else:
            messages.success(
                request,
                _("C'est accepté : %(nom)s peut maintenant vous accompagner dans votre espace.")
                % {"nom": mesure.responsable.nom_complet},
            )
        return _vers_proches(acces)
    return render(
        request,
        "proches/protection/accepter.html",
        {"acces": acces, "espace": acces.espace, "mesure": mesure},
    )


@login_required
def refuser(request: HttpRequest, espace_uuid: uuid.UUID, mesure_id: int) -> HttpResponse:
    acces, mesure = _curatelle(request, espace_uuid, mesure_id)
    retrait = mesure.acceptee_le is not None and mesure.refusee_le is None
    if request.method == "POST":
        try:
            protection.protection_refuser(acces=acces, mesure_id=mesure.pk, ip=client_ip(request))
        except Refus as refus:
            messages.error(request, refus.message)
        else:
            messages.success(
                request,
                _(
                    "C'est noté : %(nom)s n'a pas accès à votre espace. "
                    "Vous pouvez changer d'avis à tout moment depuis cette page."
                )
                % {"nom": mesure.responsable.nom_complet},
            )
        return _vers_proches(acces)
    return render(
        request,
        "proches/protection/refuser.html",
        {"acces": acces, "espace": acces.espace, "mesure": mesure, "retrait": retrait},
    )
