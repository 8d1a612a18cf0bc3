"""Views used only by the vault's HTTP tests: upload into the vault, download from it.
Ownership is checked at the query level, like the real pages."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.http import require_POST

from espace_sante.coffre.http import reponse_blob
from espace_sante.coffre.services import BlobIllisible, blob_enregistrer
from espace_sante.coffre.televersement import (
    TeleversementRefuse,
    fichier_televerse,
    televersement_ouvrir,
    vue_de_televersement,
)
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.urls import urlpatterns as urls_portail
from tests.appli_test.models import PieceJointe


@login_required
@require_POST
@vue_de_televersement
def televerser(request: HttpRequest) -> HttpResponse:
    televersement_ouvrir(request)
    try:
        fichier = fichier_televerse(request, "fichier")
    except TeleversementRefuse as refus:
        return HttpResponseBadRequest(refus.message)
    piece = PieceJointe.objects.create(
        proprietaire=request.user, blob=blob_enregistrer(fichier.attente), nom=fichier.name
    )
    return JsonResponse({"uuid": str(piece.uuid), "blob": str(piece.blob_id)})


@login_required
def telecharger(request: HttpRequest, piece_uuid: uuid.UUID) -> HttpResponse:
    piece = get_object_or_404(
        PieceJointe.objects.select_related("blob"), uuid=piece_uuid, proprietaire=request.user
    )

    def echec(erreur: BlobIllisible) -> None:
        evenement_enregistrer(
            action=Action.FICHIER_ILLISIBLE,
            acteur=Acteur.systeme(),
            compte_uuid=request.user.uuid,  # type: ignore[union-attr]
            objet_type="blob",
            objet_id=str(piece.blob_id),
            details={"motif": erreur.code},
        )

    return reponse_blob(
        request,
        piece.blob,
        nom_fichier=piece.nom,
        en_ligne=request.GET.get("en_ligne") == "1",
        en_cas_d_echec=echec,
    )  # type: ignore[return-value]


urlpatterns = [
    path("test-coffre/televerser/", televerser, name="televerser"),
    path("test-coffre/telecharger/<uuid:piece_uuid>/", telecharger, name="telecharger"),
    *urls_portail,
]
