"""A professional's Résultats pages for a patient: the same context as the holder's pages
(``dossier.resultats.presentation``), on the results of the documents this professional may
read (the habilitation matrix lets their profession read biology, the patient has not hidden
them); each reading is traced like a document's (``consultations.consultation_tracer``)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from dossier.models import Document
from dossier.resultats.presentation import (
    ANALYSE_ZERO,
    ZERO,
    Liens,
    contexte_analyse,
    contexte_liste,
)
from espace_sante.acces import AccesPro, marque_secret
from espace_sante.journal.models import Action
from espace_sante.lib.http import client_ip

from . import consultations
from .views import _acces_pro


def _liens(espace_uuid: uuid.UUID) -> Liens:
    return Liens(
        document=reverse("professionnels:document", args=[espace_uuid, ZERO]),
        analyse=reverse("professionnels:resultats_analyse", args=[espace_uuid, ANALYSE_ZERO]),
    )


def _tracer(request: HttpRequest, acces: AccesPro, analyse: str, secret: Document | None) -> None:
    consultations.consultation_tracer(
        acces=acces,
        action=Action.RESULTATS_CONSULTES,
        objet_type="resultats",
        objet_id=analyse,
        ip=client_ip(request),
        **marque_secret(secret),
    )


@login_required
def resultats(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces_pro(request, espace_uuid)
    contexte, secret = contexte_liste(acces=acces, liens=_liens(acces.espace.uuid))
    _tracer(request, acces, "", secret)
    return render(request, "professionnels/resultats.html", contexte)


@login_required
def resultats_analyse(request: HttpRequest, espace_uuid: uuid.UUID, analyse: str) -> HttpResponse:
    acces = _acces_pro(request, espace_uuid)
    contexte, secret = contexte_analyse(
        acces=acces, analyse=analyse, liens=_liens(acces.espace.uuid)
    )
    _tracer(request, acces, analyse, secret)
    return render(request, "professionnels/resultats_analyse.html", contexte)
