"""The professional's search among their patients: by name (accents and case aside), INS or
birth date, only among the spaces they may open now (``espaces_autorises``: a patient who has
not authorised them is never found, whatever is typed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from espace_sante.acces import professionnel_actif

from . import selectors
from .forms import RecherchePatientForm
from .views import _professionnel, page_indisponible


@login_required
def recherche(request: HttpRequest) -> HttpResponse:
    professionnel = _professionnel(request, verifie=False)
    if not professionnel_actif(professionnel):  # awaiting verification, suspended: say why
        return page_indisponible(request, professionnel, titre=_("Rechercher un patient"))
    form = RecherchePatientForm(request.GET or None)
    patients = None
    if form.is_bound and form.is_valid():
        patients = selectors.patients_du_professionnel(
            professionnel=professionnel, criteres=form.cleaned_data["q"]
        )
    return render(
        request,
        "professionnels/recherche.html",
        {
            "professionnel": professionnel,
            "form": form,
            "patients": patients,
            "plafond": selectors.RESULTATS_PATIENTS_MAX,
        },
    )
