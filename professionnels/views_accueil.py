"""The professional's home (``/pro/``): their patients (and why they may open each one, until
when), their latest deposits with each one's state, and what awaits them — verification,
authorisations ending within ``ECHEANCE_PROCHE``, deposits refused lately."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from espace_sante.acces import professionnel_actif

from . import depots, selectors
from .views import _professionnel

ECHEANCE_PROCHE = timedelta(days=7)


@login_required
def accueil(request: HttpRequest) -> HttpResponse:
    professionnel = _professionnel(request, verifie=False)
    if not professionnel_actif(professionnel):
        return render(request, "professionnels/pro_accueil.html", {"professionnel": professionnel})
    patients = selectors.patients_du_professionnel(professionnel=professionnel)
    limite = timezone.now() + ECHEANCE_PROCHE
    recents = list(depots.depots(professionnel=professionnel)[: depots.RECENTS])
    return render(
        request,
        "professionnels/pro_accueil.html",
        {
            "professionnel": professionnel,
            "patients": patients,
            "echeances": [p for p in patients if p.expire_le is not None and p.expire_le <= limite],
            "refus_recents": depots.refus_recents(professionnel=professionnel),
            "depots_recents": depots.etats(recents),
        },
    )
