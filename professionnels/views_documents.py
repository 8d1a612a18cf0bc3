"""A professional reads a patient's document: its page, its original, its previews. The page
shows the content through the patient's own presenter and include
(``dossier.lecture_document``, ``dossier/_apercu_document.html``): the same PDF, images, DICOM
frames, CDA narrative, embedded PDF and reasons for no preview, with this professional's
addresses. Each read is traced (``consultations.consultation_tracer``)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from dossier.lecture_document import VuesDocument, document_presenter
from dossier.reponses import reponse_apercu, reponse_contenu
from espace_sante.acces import marque_secret, peut_liberer, peut_remplacer, profil_lisible
from espace_sante.journal.models import Action
from espace_sante.lib.http import client_ip

from . import consultations
from .views import _document


@login_required
def document(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID
) -> HttpResponse:
    acces, doc = _document(request, espace_uuid, document_uuid)
    consultations.consultation_tracer(
        acces=acces,
        action=Action.DOCUMENT_CONSULTE,
        objet_type="document",
        objet_id=str(doc.uuid),
        ip=client_ip(request),
        **marque_secret(doc),
    )
    espace = acces.espace.uuid
    carnet = reverse("professionnels:profil", args=[espace])
    vues = VuesDocument(
        contenu="professionnels:contenu",
        apercu="professionnels:apercu",
        resultats=reverse("professionnels:resultats", args=[espace]),
        carnet=carnet if profil_lisible(acces=acces) else None,
    )
    return render(
        request,
        "professionnels/document.html",
        {
            "acces": acces,
            "document": doc,
            "type": doc.type_document,
            "presentation": document_presenter(acces=acces, document=doc, vues=vues),
            "peut_liberer": peut_liberer(acces=acces, document=doc),
            "peut_remplacer": peut_remplacer(acces=acces, document=doc),
        },
    )


@login_required
def contenu(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID
) -> HttpResponseBase:
    acces, doc = _document(request, espace_uuid, document_uuid)
    en_ligne = request.GET.get("en_ligne") == "1"
    if doc.blob is not None:
        consultations.consultation_tracer(
            acces=acces,
            action=Action.DOCUMENT_CONSULTE if en_ligne else Action.DOCUMENT_TELECHARGE,
            objet_type="document",
            objet_id=str(doc.uuid),
            ip=client_ip(request),
            **marque_secret(doc),
        )
    return reponse_contenu(request, acces, doc, en_ligne=en_ligne)


@login_required
def apercu(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID, genre: str, rang: int
) -> HttpResponseBase:
    acces, doc = _document(request, espace_uuid, document_uuid)
    return reponse_apercu(request, acces, doc, genre, rang)
