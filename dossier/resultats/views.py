"""The holder's (or a representative's) Résultats pages: every analysis with its latest value,
and one analysis' trend. Professionals have their own pages on the same context
(``professionnels/views_resultats.py``)."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from espace_sante.lib.http import client_ip

from ..views import _acces
from . import services
from .presentation import ANALYSE_ZERO, ZERO, Liens, contexte_analyse, contexte_liste


def _liens(espace_uuid: uuid.UUID) -> Liens:
    return Liens(
        document=reverse("dossier:document", args=[espace_uuid, ZERO]),
        analyse=reverse("dossier:resultats:analyse", args=[espace_uuid, ANALYSE_ZERO]),
    )


@login_required
def resultats(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, "version_documents")  # the cache's token, with the space
    contexte, secret = contexte_liste(acces=acces, liens=_liens(acces.espace.uuid))
    services.resultats_consultation(acces=acces, secret=secret, ip=client_ip(request))
    return render(request, "dossier/resultats.html", contexte)


@login_required
def resultats_analyse(request: HttpRequest, espace_uuid: uuid.UUID, analyse: str) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    contexte, secret = contexte_analyse(
        acces=acces, analyse=analyse, liens=_liens(acces.espace.uuid)
    )
    services.resultats_consultation(
        acces=acces, analyse=analyse, secret=secret, ip=client_ip(request)
    )
    return render(request, "dossier/resultats_analyse.html", contexte)
