"""The titulaire's and representative's pages for a space, activation, closure."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from espace_sante.acces import (
    AccesPatient,
    Rubrique,
    espace_pour_acteur,
    espace_pour_lecture,
    espaces_accessibles,
    majeur_titulaire,
    peut_ecrire_unique,
)
from espace_sante.comptes.adapters import fournisseurs_configures
from espace_sante.lib.formulations import de_nom
from espace_sante.lib.http import client_ip, ecrit

from . import profil_medical as pm
from . import services
from .forms import ClotureForm

SESSION_ESPACE = "espace_courant"
SESSION_ACTIVATION = "activation_verifiee"
DUREE_ACTIVATION = timedelta(minutes=15)


def _acces(
    request: HttpRequest,
    espace_uuid: uuid.UUID,
    *,
    ouvert: bool = True,
    rubrique: Rubrique = Rubrique.PROFIL,
    formulaire: bool = False,
) -> AccesPatient:
    """The space, or 404: the profile's pages are its ``PROFIL`` part (a carer's perimeter);
    the settings, closure and activation its management.
    ``formulaire``: a page that shows a form to add, change or delete asks for writing on its
    GET too (a read-only carer is not shown a form whose sending would be refused)."""
    acces = espace_pour_acteur(
        utilisateur=request.user,  # type: ignore[arg-type]
        espace_uuid=espace_uuid,
        ouvert=ouvert,
        rubrique=rubrique,
        ecriture=formulaire or ecrit(request),
    )
    request.acces = acces  # type: ignore[attr-defined]
    return acces


def _lecture(request: HttpRequest, espace_uuid: uuid.UUID) -> AccesPatient:
    """``_acces`` for a page that only reads: a closed space stays readable by its holder."""
    acces = espace_pour_lecture(
        utilisateur=request.user,  # type: ignore[arg-type]
        espace_uuid=espace_uuid,
        rubrique=Rubrique.PROFIL,
    )
    request.acces = acces  # type: ignore[attr-defined]
    return acces


# --- Home and switching between spaces ---------------------------------------------------------


@login_required
def accueil(request: HttpRequest) -> HttpResponse:
    acces = espaces_accessibles(utilisateur=request.user)  # type: ignore[arg-type]
    courant = request.session.get(SESSION_ESPACE)
    for choix in acces:
        if str(choix.espace.uuid) == courant:
            return redirect(choix.espace_url)
    propres = [a for a in acces if a.est_titulaire]
    if propres:
        return redirect(propres[0].espace_url)
    if len(acces) == 1:
        return redirect(acces[0].espace_url)
    return render(request, "profil/espaces.html", {"acces_liste": acces})


@login_required
def espaces(request: HttpRequest) -> HttpResponse:
    acces = espaces_accessibles(utilisateur=request.user)  # type: ignore[arg-type]
    return render(request, "profil/espaces.html", {"acces_liste": acces})


@login_required
@require_POST
def espace_basculer(request: HttpRequest) -> HttpResponse:
    try:
        cible = uuid.UUID(request.POST.get("espace", ""))
    except ValueError as exc:
        raise Http404 from exc
    # Switching is reading: every proche reaches the home of the spaces they act for.
    acces = espace_pour_acteur(
        utilisateur=request.user,  # type: ignore[arg-type]
        espace_uuid=cible,
        ouvert=False,
        rubrique=Rubrique.ACCUEIL,
    )
    request.acces = acces  # type: ignore[attr-defined]
    request.session[SESSION_ESPACE] = str(acces.espace.uuid)
    services.espace_basculer(acces=acces, ip=client_ip(request))
    messages.info(
        request,
        _("Vous agissez maintenant pour l'espace %(de_nom)s.")
        % {"de_nom": de_nom(acces.espace.nom_complet)},
    )
    return redirect(acces.espace_url)


@login_required
def profil_medical(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _lecture(request, espace_uuid)
    sections = pm.sections_lues(acces=acces)
    courbes, imc = pm.courbes(acces=acces)
    return render(
        request,
        "profil/profil_medical.html",
        {
            "acces": acces,
            "sections": sections,
            "reserves_aux_majeurs": majeur_titulaire(acces),
            # What the page may offer: changing the profile (never a read-only carer) and the
            # management's links (never a carer's).
            "ecriture": acces.espace.ouvert and acces.peut_ecrire(Rubrique.PROFIL),
            "gestion": acces.peut_lire(Rubrique.GESTION),
            "calendrier": pm.calendrier_vaccinal(acces=acces),
            "courbes": courbes,
            "imc": imc,
            "directives": pm.unique(acces=acces, cle="directives"),
            "personne_confiance": pm.unique(acces=acces, cle="personne_confiance"),
            "habitudes": pm.unique(acces=acces, cle="habitudes"),
            "don_organes": pm.unique(acces=acces, cle="don_organes"),
        },
    )


@login_required
def profil_ajouter(request: HttpRequest, espace_uuid: uuid.UUID, section: str) -> HttpResponse:
    return _profil_formulaire(request, espace_uuid, section, None)


@login_required
def profil_modifier(
    request: HttpRequest, espace_uuid: uuid.UUID, section: str, element_uuid: uuid.UUID
) -> HttpResponse:
    return _profil_formulaire(request, espace_uuid, section, element_uuid)


def _profil_formulaire(
    request: HttpRequest, espace_uuid: uuid.UUID, cle: str, element_uuid: uuid.UUID | None
) -> HttpResponse:
    acces = _acces(request, espace_uuid, formulaire=True)
    section = pm.section(cle)
    element = (
        pm.element_pour_acteur(acces=acces, section=section, element_uuid=element_uuid)
        if element_uuid
        else None
    )
    form = section.formulaire(request.POST or None, instance=element, espace=acces.espace)
    if request.method == "POST" and form.is_valid():
        pm.element_enregistrer(acces=acces, section=section, formulaire=form, ip=client_ip(request))
        messages.success(request, _("Votre profil médical est à jour."))
        return redirect(f"{reverse('profil:profil_medical', args=[acces.espace.uuid])}#{cle}")
    return render(
        request,
        "profil/profil_element.html",
        {
            "acces": acces,
            "section": section,
            "element": element,
            "form": form,
            "historique": pm.historique_element(acces=acces, element=element) if element else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def profil_supprimer(
    request: HttpRequest, espace_uuid: uuid.UUID, section: str, element_uuid: uuid.UUID
) -> HttpResponse:
    acces = _acces(request, espace_uuid, formulaire=True)
    choisie = pm.section(section)
    element = pm.element_pour_acteur(acces=acces, section=choisie, element_uuid=element_uuid)
    pm.element_supprimer(acces=acces, section=choisie, element=element, ip=client_ip(request))
    messages.success(request, _("L'élément est supprimé de votre profil médical."))
    return redirect(f"{reverse('profil:profil_medical', args=[acces.espace.uuid])}#{section}")


@login_required
def parametres(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, rubrique=Rubrique.GESTION)
    return render(
        request,
        "profil/parametres.html",
        {"acces": acces, "connexion_externe": bool(fournisseurs_configures())},
    )


# --- Closure and re-opening --------------------------------------------------------------------


def _titulaire(
    request: HttpRequest, espace_uuid: uuid.UUID, *, ouvert: bool = True
) -> AccesPatient:
    acces = _acces(request, espace_uuid, ouvert=ouvert, rubrique=Rubrique.GESTION)
    if not acces.est_titulaire:
        raise Http404
    return acces


@login_required
def cloturer(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _titulaire(request, espace_uuid)
    form = ClotureForm(request.POST or None, utilisateur=acces.utilisateur)
    if request.method == "POST" and form.is_valid():
        try:
            services.espace_cloturer(
                espace=acces.espace,
                acteur=acces.acteur,
                demande_suppression=form.cleaned_data["demande_suppression"],
                ip=client_ip(request),
            )
        except services.Refus as refus:
            messages.error(request, refus.message)
        else:
            messages.success(request, _("Votre espace santé est clôturé."))
        return redirect(acces.espace_url)
    return render(request, "profil/cloturer.html", {"acces": acces, "form": form})


@login_required
@require_POST
def rouvrir(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _titulaire(request, espace_uuid, ouvert=False)
    try:
        services.espace_rouvrir(espace=acces.espace, acteur=acces.acteur, ip=client_ip(request))
    except services.Refus as refus:
        messages.error(request, refus.message)
    else:
        messages.success(request, _("Votre espace santé est rouvert, avec tout son contenu."))
    return redirect(acces.espace_url)


@login_required
@require_POST
def activer_pour_mineur(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, rubrique=Rubrique.GESTION)
    if acces.est_titulaire:
        raise Http404
    try:
        services.espace_activer_pour_mineur(
            espace=acces.espace, representant=acces.utilisateur, ip=client_ip(request)
        )
    except services.Refus as refus:
        messages.error(request, refus.message)
    else:
        messages.success(
            request,
            _("L'espace santé %(de_nom)s est activé.")
            % {"de_nom": de_nom(acces.espace.nom_complet)},
        )
    return redirect(acces.espace_url)


# --- Directives anticipées, personne de confiance: the one-per-person parts ------------------


@login_required
def profil_unique(request: HttpRequest, espace_uuid: uuid.UUID, cle: str) -> HttpResponse:
    """The one-per-person parts of the profile. Directives anticipées, the personne de
    confiance and the position on organ donation belong to the adult holder alone; habits may
    be kept by a minor's representative too."""
    acces = _acces_unique(request, espace_uuid, cle)
    _modele, formulaire, titre = pm.UNIQUES[cle]
    form = formulaire(
        request.POST or None, instance=pm.unique(acces=acces, cle=cle), espace=acces.espace
    )
    if request.method == "POST" and form.is_valid():
        pm.unique_enregistrer(acces=acces, cle=cle, formulaire=form, ip=client_ip(request))
        messages.success(request, _("Enregistré."))
        return redirect(f"{reverse('profil:profil_medical', args=[acces.espace.uuid])}#{cle}")
    return render(
        request,
        "profil/profil_unique.html",
        {
            "acces": acces,
            "form": form,
            "titre": titre,
            "cle": cle,
            "existe": form.instance.pk is not None,
            "historique": pm.historique_unique(acces=acces, cle=cle),
        },
        status=400 if request.method == "POST" else 200,
    )


def _acces_unique(request: HttpRequest, espace_uuid: uuid.UUID, cle: str) -> AccesPatient:
    if cle not in pm.UNIQUES:
        raise Http404
    acces = _acces(request, espace_uuid, formulaire=True)
    if not peut_ecrire_unique(acces=acces, cle=cle):
        raise Http404
    return acces


@login_required
@require_POST
def profil_unique_supprimer(request: HttpRequest, espace_uuid: uuid.UUID, cle: str) -> HttpResponse:
    acces = _acces_unique(request, espace_uuid, cle)
    pm.unique_supprimer(acces=acces, cle=cle, ip=client_ip(request))
    messages.success(request, _("Supprimé de votre profil médical."))
    return redirect(f"{reverse('profil:profil_medical', args=[acces.espace.uuid])}#{cle}")
