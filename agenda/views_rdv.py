"""The agenda's pages on the patient's side (the holder, or a minor's representative): the
list (upcoming, past, recurring reminders, care to plan), the month (a plain table), an
appointment added, changed, deleted (a confirmation page), a recurring reminder added or
deleted, the choice of details in the e-mails. No JavaScript needed anywhere."""

from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from espace_sante.acces import AccesPatient, Rubrique, espace_pour_acteur
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import ecrit

from . import prevention, services_rdv
from .forms_rdv import PreferencesForm, RappelRecurrentForm, RendezVousForm
from .models import RendezVous

JOURS_SEMAINE = (
    _lazy("lundi"),
    _lazy("mardi"),
    _lazy("mercredi"),
    _lazy("jeudi"),
    _lazy("vendredi"),
    _lazy("samedi"),
    _lazy("dimanche"),
)


def _acces(
    request: HttpRequest, espace_uuid: uuid.UUID, *, formulaire: bool = False
) -> AccesPatient:
    """The space, or 404.
    ``formulaire``: a page that shows a form to add, change or delete asks for writing on its
    GET too (a read-only carer is not shown a form whose sending would be refused)."""
    acces = espace_pour_acteur(
        utilisateur=request.user,  # type: ignore[arg-type]
        espace_uuid=espace_uuid,
        rubrique=Rubrique.AGENDA,
        ecriture=formulaire or ecrit(request),
    )
    request.acces = acces  # type: ignore[attr-defined]
    return acces


def _ecriture(acces: AccesPatient) -> bool:
    """Whether the page offers to add, change or delete (never to a read-only carer)."""
    return acces.peut_ecrire(Rubrique.AGENDA)


def _soins(acces: AccesPatient, du: date, au: date) -> list[prevention.SoinAPrevoir]:
    """The recommended care to plan in [du, au] (``agenda.prevention``)."""
    return prevention.soins_a_prevoir(acces, du=du, au=au)


def _liste(acces: AccesPatient) -> str:
    return reverse("agenda:liste", args=[acces.espace.uuid])


# --- The list and the month ------------------------------------------------------------------


@login_required
def liste(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    aujourd_hui = timezone.localdate()
    contexte = {
        "espace": acces.espace,
        "ecriture": _ecriture(acces),
        "a_venir": services_rdv.rendez_vous_a_venir(acces=acces),
        "passes": services_rdv.rendez_vous_passes(acces=acces),
        "recurrents": services_rdv.rappels_recurrents(acces=acces),
        "soins": _soins(acces, aujourd_hui, aujourd_hui + timedelta(days=365)),
        "preferences": PreferencesForm(
            initial={"details_dans_les_rappels": services_rdv.details_dans_les_rappels(acces=acces)}
        ),
        "mois_courant": aujourd_hui.strftime("%Y-%m"),
    }
    return render(request, "agenda/liste.html", contexte)


def _mois(texte: str | None) -> tuple[int, int]:
    """``?mois=2026-12``: the current month when absent or absurd."""
    aujourd_hui = timezone.localdate()
    try:
        annee, mois = (int(x) for x in (texte or "").split("-"))
        date(annee, mois, 1)
        services_rdv.verifier_date(date(annee, mois, 1))
    except (ValueError, Refus):
        return aujourd_hui.year, aujourd_hui.month
    return annee, mois


@login_required
def mois(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    annee, numero = _mois(request.GET.get("mois"))
    du, au = services_rdv.mois_bornes(annee, numero)
    par_jour: dict[date, list[RendezVous]] = {}
    for rdv in services_rdv.rendez_vous_entre(acces=acces, du=du, au=au):
        par_jour.setdefault(timezone.localtime(rdv.debut).date(), []).append(rdv)
    aujourd_hui = timezone.localdate()
    semaines = [
        [
            {
                "jour": jour,
                "du_mois": jour.month == numero,
                "aujourd_hui": jour == aujourd_hui,
                "rendez_vous": par_jour.get(jour, []),
            }
            for jour in semaine
        ]
        for semaine in calendar.Calendar(firstweekday=0).monthdatescalendar(annee, numero)
    ]
    precedent = du - timedelta(days=1)
    contexte: dict[str, Any] = {
        "espace": acces.espace,
        "ecriture": _ecriture(acces),
        "premier": du.date(),
        "semaines": semaines,
        "jours_semaine": JOURS_SEMAINE,
        "precedent": f"{precedent.year:04d}-{precedent.month:02d}",
        "suivant": f"{au.year:04d}-{au.month:02d}",
        "soins": _soins(acces, du.date(), (au - timedelta(days=1)).date()),
    }
    return render(request, "agenda/mois.html", contexte)


# --- An appointment ------------------------------------------------------------------------------


def _formulaire_rdv(
    request: HttpRequest, acces: AccesPatient, rdv: RendezVous | None
) -> HttpResponse:
    professionnels = services_rdv.professionnels_proposes(acces=acces)
    if request.method == "POST":
        form = RendezVousForm(request.POST, professionnels=professionnels)
        if form.is_valid():
            try:
                if rdv is None:
                    rdv = services_rdv.rendez_vous_creer(acces=acces, donnees=form.donnees())
                    messages.success(request, _("Rendez-vous ajouté à votre agenda."))
                else:
                    services_rdv.rendez_vous_modifier(acces=acces, rdv=rdv, donnees=form.donnees())
                    messages.success(request, _("Rendez-vous modifié."))
            except Refus as refus:
                form.add_error(None, refus.message)
            else:
                return redirect(_liste(acces))
    else:
        initial = RendezVousForm.initial_de(rdv) if rdv else {"duree_minutes": 30}
        form = RendezVousForm(initial=initial, professionnels=professionnels)
    return render(
        request,
        "agenda/rendez_vous_form.html",
        {"espace": acces.espace, "form": form, "rdv": rdv},
    )


@login_required
def ajouter(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    return _formulaire_rdv(request, _acces(request, espace_uuid, formulaire=True), None)


@login_required
def modifier(request: HttpRequest, espace_uuid: uuid.UUID, rdv_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, formulaire=True)
    rdv = services_rdv.rendez_vous_de(acces=acces, rdv_uuid=rdv_uuid)
    return _formulaire_rdv(request, acces, rdv)


@login_required
def supprimer(request: HttpRequest, espace_uuid: uuid.UUID, rdv_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, formulaire=True)
    rdv = services_rdv.rendez_vous_de(acces=acces, rdv_uuid=rdv_uuid)
    if request.method == "POST":
        services_rdv.rendez_vous_supprimer(acces=acces, rdv=rdv)
        messages.success(request, _("Rendez-vous supprimé, avec ses rappels."))
        return redirect(_liste(acces))
    return render(request, "agenda/supprimer.html", {"espace": acces.espace, "rdv": rdv})


# --- Recurring reminders, preferences -------------------------------------------------------------


@login_required
def recurrent_ajouter(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, formulaire=True)
    if request.method == "POST":
        form = RappelRecurrentForm(request.POST)
        if form.is_valid():
            try:
                services_rdv.rappel_recurrent_creer(acces=acces, donnees=form.donnees())
            except Refus as refus:
                form.add_error(None, refus.message)
            else:
                messages.success(request, _("Rappel programmé."))
                return redirect(_liste(acces))
    else:
        form = RappelRecurrentForm(initial={"intervalle": 1, "debut": timezone.localdate()})
    return render(request, "agenda/recurrent_form.html", {"espace": acces.espace, "form": form})


@login_required
def recurrent_supprimer(
    request: HttpRequest, espace_uuid: uuid.UUID, recurrent_uuid: uuid.UUID
) -> HttpResponse:
    acces = _acces(request, espace_uuid, formulaire=True)
    recurrent = services_rdv.rappel_recurrent_de(acces=acces, recurrent_uuid=recurrent_uuid)
    if request.method == "POST":
        services_rdv.rappel_recurrent_supprimer(acces=acces, recurrent=recurrent)
        messages.success(request, _("Rappel supprimé : plus aucun e-mail de sa part."))
        return redirect(_liste(acces))
    return render(
        request,
        "agenda/recurrent_supprimer.html",
        {"espace": acces.espace, "recurrent": recurrent},
    )


@login_required
@require_POST
def preferences(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, formulaire=True)
    form = PreferencesForm(request.POST)
    form.is_valid()
    details = bool(form.cleaned_data.get("details_dans_les_rappels"))
    services_rdv.preferences_modifier(acces=acces, details=details)
    messages.success(
        request,
        _("Vos e-mails de rappel diront l'objet du rendez-vous.")
        if details
        else _("Vos e-mails de rappel ne diront que la date et l'heure."),
    )
    return redirect(_liste(acces))
