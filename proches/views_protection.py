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

# The holder's answers to a curatelle ("refuser" also withdraws an acceptance).
CHOIX = ("accepter", "refuser")


def _curatelle(
    request: HttpRequest, espace_uuid: uuid.UUID
) -> tuple[AccesPatient, MesureProtection]:
    """The holder's access and the curatelle over their space the form names; 404 for anyone
    else (a representative, a tutor, a carer) and any other measure."""
    acces = acces_gestion(request, espace_uuid)
    if not acces.est_titulaire:
        raise Http404
    try:
        mesure_id = int(request.POST.get("mesure") or request.GET.get("mesure") or "")
    except ValueError as exc:
        raise Http404 from exc
    mesure = protection.curatelle_de(acces=acces, mesure_id=mesure_id)
    if mesure is None:
        raise Http404
    return acces, mesure


@login_required
def decider(request: HttpRequest, espace_uuid: uuid.UUID, choix: str) -> HttpResponse:
    """GET: what the answer means; POST: the answer (accept, or refuse / withdraw)."""
    if choix not in CHOIX:
        raise Http404
    acces, mesure = _curatelle(request, espace_uuid)
    retrait = mesure.acceptee_le is not None and mesure.refusee_le is None
    if request.method == "POST":
        service = (
            protection.protection_accepter if choix == "accepter" else protection.protection_refuser
        )
        try:
            service(acces=acces, mesure_id=mesure.pk, ip=client_ip(request))
        except Refus as refus:
            messages.error(request, refus.message)
        else:
            messages.success(request, _message(choix) % {"nom": mesure.responsable.nom_complet})
        return redirect("proches:proches", acces.espace.uuid)
    return render(
        request,
        f"proches/protection/{choix}.html",
        {"acces": acces, "espace": acces.espace, "mesure": mesure, "retrait": retrait},
    )


def _message(choix: str) -> str:
    if choix == "accepter":
        return _("C'est accepté : %(nom)s peut maintenant vous accompagner dans votre espace.")
    return _(
        "C'est noté : %(nom)s n'a pas accès à votre espace. "
        "Vous pouvez changer d'avis à tout moment depuis cette page."
    )
