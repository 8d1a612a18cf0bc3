"""Professionals' pages, and the patient's page "Mes professionnels de santé"."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.account.decorators import reauthentication_required
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from dossier import services as documents
from dossier.models import Document
from dossier.selectors import Filtres, document_pour_acteur, documents_filtres
from dossier.types import Categorie
from espace_sante.acces import (
    AccesPatient,
    AccesPro,
    acces_professionnel,
    directives_lisibles,
    espace_pour_acteur,
    nombre_hors_matrice,
    peut_ecrire_section,
    peut_etre_medecin_traitant,
    peut_marquer_secret,
    professionnel_actif,
    profil_lisible,
)
from espace_sante.coffre.televersement import (
    TeleversementRefuse,
    fichier_televerse,
    televersement_ouvrir,
    vue_de_televersement,
)
from espace_sante.journal.models import Action
from espace_sante.lib.http import client_ip, ratelimit_ip
from profil import profil_medical as pm

from . import consultations, selectors, services
from .forms import (
    AccorderForm,
    ConfirmationForm,
    DepotProForm,
    InscriptionForm,
    RechercheForm,
    ReglagesAccesForm,
    UrgenceForm,
)
from .models import Professionnel

DOCUMENTS_PAR_PAGE = 25

# --- The patient's side ------------------------------------------------------------------------


def _acces_patient(request: HttpRequest, espace_uuid: uuid.UUID) -> AccesPatient:
    acces = espace_pour_acteur(utilisateur=request.user, espace_uuid=espace_uuid)  # type: ignore[arg-type]
    request.acces = acces  # type: ignore[attr-defined]
    return acces


def _decideur(request: HttpRequest, espace_uuid: uuid.UUID) -> AccesPatient:
    acces = _acces_patient(request, espace_uuid)
    if not acces.peut_regler_visibilite:
        raise Http404
    return acces


def _liste(acces: AccesPatient) -> str:
    return reverse("professionnels:liste", args=[acces.espace.uuid])


@login_required
def professionnels(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces_patient(request, espace_uuid)
    recherche = RechercheForm(request.GET or None)
    resultats = None
    if recherche.is_bound and recherche.is_valid() and recherche.cleaned_data["q"]:
        resultats = selectors.professionnels_rechercher(texte=recherche.cleaned_data["q"])
    reglages = services.reglages_acces(espace=acces.espace)
    return render(
        request,
        "professionnels/mes_professionnels.html",
        {
            "acces": acces,
            "lignes": selectors.professionnels_de_l_espace(espace=acces.espace),
            "recherche": recherche,
            "profil_lisible": profil_lisible(acces=acces),
            "resultats": (
                None
                if resultats is None
                else [(p, peut_etre_medecin_traitant(p)) for p in resultats]
            ),
            "reglages": ReglagesAccesForm(
                initial={
                    "urgence_autorisee": reglages.urgence_autorisee,
                    "notifier_premier_acces": reglages.notifier_premier_acces,
                    "notifier_nouveau_document": reglages.notifier_nouveau_document,
                }
            ),
        },
    )


def _decision(
    gabarit: str, formulaire: type[Any]
) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """A patient decision about one professional: GET shows the confirmation page, POST (after
    a recent password check) calls the service and returns to the list."""

    def decorateur(service: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @login_required
        @reauthentication_required(allow_get=True)
        @wraps(service)
        def vue(
            request: HttpRequest, espace_uuid: uuid.UUID, professionnel_uuid: uuid.UUID
        ) -> HttpResponse:
            acces = _decideur(request, espace_uuid)
            professionnel = selectors.professionnel_pour_patient(
                professionnel_uuid=professionnel_uuid, espace=acces.espace
            )
            form = formulaire(request.POST or None)
            if request.method == "POST" and form.is_valid():
                try:
                    message = service(
                        acces=acces,
                        professionnel=professionnel,
                        ip=client_ip(request),
                        **form.cleaned_data,
                    )
                except services.Refus as refus:
                    messages.error(request, refus.message)
                else:
                    messages.success(request, message)
                    return redirect(_liste(acces))
            return render(
                request,
                gabarit,
                {"acces": acces, "professionnel": professionnel, "form": form},
            )

        return vue

    return decorateur


@_decision("professionnels/accorder.html", AccorderForm)
def accorder(*, acces: AccesPatient, professionnel: Professionnel, ip: str, jusqu_au: Any) -> str:
    services.acces_accorder(acces=acces, professionnel=professionnel, jusqu_au=jusqu_au, ip=ip)
    return _("%(nom)s peut désormais consulter votre dossier.") % {"nom": professionnel.nom_affiche}


@_decision("professionnels/bloquer.html", ConfirmationForm)
def bloquer(
    *, acces: AccesPatient, professionnel: Professionnel, ip: str, confirmation: bool
) -> str:
    services.professionnel_bloquer(acces=acces, professionnel=professionnel, ip=ip)
    return _(
        "Vous avez bloqué %(nom)s : aucune consultation de votre dossier ne lui est plus "
        "possible, même en urgence."
    ) % {"nom": professionnel.nom_affiche}


def _action_simple(
    service: Callable[..., Any], message: Any
) -> Callable[[HttpRequest, uuid.UUID, uuid.UUID], HttpResponse]:
    @login_required
    @require_POST
    def vue(
        request: HttpRequest, espace_uuid: uuid.UUID, professionnel_uuid: uuid.UUID
    ) -> HttpResponse:
        acces = _decideur(request, espace_uuid)
        professionnel = selectors.professionnel_pour_patient(
            professionnel_uuid=professionnel_uuid, espace=acces.espace
        )
        try:
            service(acces=acces, professionnel=professionnel, ip=client_ip(request))
        except services.Refus as refus:
            messages.error(request, refus.message)
        else:
            messages.success(request, message % {"nom": professionnel.nom_affiche})
        return redirect(_liste(acces))

    return vue


revoquer = _action_simple(services.acces_revoquer, gettext_lazy("L'accès de %(nom)s est retiré."))
debloquer = _action_simple(
    services.professionnel_debloquer, gettext_lazy("%(nom)s n'est plus bloqué.")
)
medecin_traitant = _action_simple(
    services.medecin_traitant_designer, gettext_lazy("%(nom)s est votre médecin traitant.")
)
medecin_traitant_retirer = _action_simple(
    services.medecin_traitant_retirer,
    gettext_lazy("%(nom)s n'est plus votre médecin traitant."),
)


@login_required
@require_POST
def reglages(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _decideur(request, espace_uuid)
    form = ReglagesAccesForm(request.POST)
    if form.is_valid():
        try:
            services.reglages_acces_modifier(
                acces=acces, ip=client_ip(request), **form.cleaned_data
            )
        except services.Refus as refus:
            messages.error(request, refus.message)
        else:
            messages.success(request, _("Vos réglages sont enregistrés."))
    return redirect(_liste(acces))


# --- The professional's side ---------------------------------------------------------------------


def _cle_email(group: str, request: HttpRequest) -> str:
    return "email:" + str(request.POST.get("email", "")).strip().lower()


@ratelimit(
    key=ratelimit_ip,
    rate=lambda g, r: settings.PRO_INSCRIPTION_RATE_LIMIT,
    method="POST",
    block=True,
)
@ratelimit(
    key=_cle_email,
    rate=lambda g, r: settings.PRO_INSCRIPTION_RATE_LIMIT_EMAIL,
    method="POST",
    block=True,
)
def inscription(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("professionnels:accueil")
    form = InscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        try:
            services.professionnel_inscrire(
                email=donnees["email"],
                mot_de_passe=donnees["password1"],
                prenom=donnees["prenom"],
                nom=donnees["nom"],
                rpps=donnees["rpps"],
                profession=donnees["profession"],
                specialite=donnees.get("specialite", ""),
                lieu_nom=donnees["lieu_nom"],
                lieu_code_postal=donnees["lieu_code_postal"],
                lieu_ville=donnees["lieu_ville"],
                ip=client_ip(request),
            )
        except services.Refus as refus:
            form.add_error(None, refus.message)
        else:
            # The same page whatever the address and the RPPS: the rest comes by e-mail.
            return render(request, "professionnels/inscription_recue.html")
    return render(request, "professionnels/inscription.html", {"form": form})


def _professionnel(request: HttpRequest, *, verifie: bool = True) -> Professionnel:
    professionnel = selectors.professionnel_de(request.user)
    if professionnel is None or (verifie and not professionnel_actif(professionnel)):
        raise Http404
    request.professionnel = professionnel  # type: ignore[attr-defined]
    return professionnel


def _acces_pro(request: HttpRequest, espace_uuid: uuid.UUID) -> AccesPro:
    acces = acces_professionnel(professionnel=_professionnel(request), espace_uuid=espace_uuid)
    request.acces_pro = acces  # type: ignore[attr-defined]
    return acces


def page_indisponible(
    request: HttpRequest, professionnel: Professionnel, *, titre: str
) -> HttpResponse:
    """A page of the workspace that needs a verified account, asked for by one that is not
    (awaiting verification, suspended, refused): it says why, instead of a bare 404."""
    return render(
        request,
        "professionnels/indisponible.html",
        {"professionnel": professionnel, "titre": titre},
        status=403,
    )


@login_required
def patient(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces_pro(request, espace_uuid)
    categorie = request.GET.get("categorie", "")
    categorie = categorie if categorie in Categorie.values else ""
    recherche = " ".join(request.GET.get("q", "").split())[:100]
    documents = documents_filtres(
        acces=acces, filtres=Filtres(categorie=categorie, recherche=recherche)
    )
    page = Paginator(documents, DOCUMENTS_PAR_PAGE)
    page_courante = page.get_page(request.GET.get("page"))
    consultations.consultation_tracer(
        acces=acces, action=Action.DOSSIER_CONSULTE, ip=client_ip(request)
    )
    return render(
        request,
        "professionnels/patient.html",
        {
            "acces": acces,
            "page": page_courante,
            "categories": Categorie.choices,
            "categorie": categorie,
            "recherche": recherche,
            "profil_lisible": profil_lisible(acces=acces),
            "hors_matrice": nombre_hors_matrice(acces=acces),
            "requete": urlencode({"categorie": categorie, "q": recherche}),
        },
    )


def _document(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID
) -> tuple[AccesPro, Document]:
    acces = _acces_pro(request, espace_uuid)
    document = document_pour_acteur(acces=acces, document_uuid=document_uuid)
    return acces, document


@login_required
def urgence(request: HttpRequest) -> HttpResponse:
    professionnel = _professionnel(request, verifie=False)
    if not professionnel_actif(professionnel):
        return page_indisponible(request, professionnel, titre=_("Accès en urgence"))
    form = UrgenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        espace = selectors.espace_pour_urgence(
            ins=donnees["ins"], date_naissance=donnees["date_naissance"]
        )
        if espace is None:
            form.add_error(
                None,
                _("Aucun espace santé ouvert ne correspond à cet INS et cette date de naissance."),
            )
        else:
            try:
                consultations.urgence_ouvrir(
                    professionnel=professionnel,
                    espace=espace,
                    mode=donnees["mode"],
                    motif=donnees["motif"],
                    ip=client_ip(request),
                )
            except services.Refus as refus:
                form.add_error(None, refus.message)
            else:
                return redirect("professionnels:patient", espace.uuid)
    return render(
        request,
        "professionnels/urgence.html",
        {"form": form, "professionnel": professionnel},
    )


@login_required
@vue_de_televersement
def deposer(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """A professional deposits a document: same vault, same ingestion pipeline as the patient's
    deposits; the type comes from the national list."""
    acces = _acces_pro(request, espace_uuid)
    mineur = peut_marquer_secret(acces)
    if request.method != "POST":
        return render(
            request,
            "professionnels/deposer.html",
            {"acces": acces, "form": DepotProForm(mineur=mineur)},
        )
    televersement_ouvrir(request)
    form = DepotProForm(request.POST, request.FILES, mineur=mineur)
    fichier = None
    try:
        fichier = fichier_televerse(request, "fichier")
    except TeleversementRefuse as refus:
        form.is_valid()
        form.add_error("fichier", refus.message)
    if fichier is not None and form.is_valid():
        donnees = form.cleaned_data
        try:
            doc = services.depot_deposer(
                professionnel=acces.professionnel,
                espace=acces.espace,
                fichier=fichier,
                metadonnees=services.MetadonneesDepot(
                    titre=donnees["titre"],
                    date_acte=donnees["date_acte"],
                    type_code=donnees["type_code"],
                    invisible_patient=donnees["invisible_patient"],
                    masque_ps=donnees["masque_ps"],
                    invisible_representants=donnees.get("invisible_representants", False),
                ),
                ip=client_ip(request),
            )
        except services.Refus as refus:
            form.add_error(None, refus.message)
        else:
            # Not "ajouté": whether it is (a CDA's INS, a readable file) is the job's to say,
            # and the next page follows it.
            return redirect("professionnels:depot", doc.uuid)
    elif fichier is not None:
        fichier.abandonner()
    return render(
        request, "professionnels/deposer.html", {"acces": acces, "form": form}, status=400
    )


@login_required
@require_POST
def liberer(request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID) -> HttpResponse:
    acces, doc = _document(request, espace_uuid, document_uuid)
    try:
        documents.document_liberer(acces=acces, document=doc, ip=client_ip(request))
    except documents.Refus as refus:
        messages.error(request, refus.message)
    else:
        messages.success(request, _("Le document est désormais visible du patient."))
    return redirect("professionnels:document", acces.espace.uuid, doc.uuid)


@login_required
@require_POST
@vue_de_televersement
def remplacer(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID
) -> HttpResponse:
    """The author replaces their document with a new version; the old one stays readable."""
    acces, ancien = _document(request, espace_uuid, document_uuid)
    televersement_ouvrir(request)
    try:
        fichier = fichier_televerse(request, "fichier")
        nouveau = documents.document_remplacer(
            acces=acces, ancien=ancien, fichier=fichier, ip=client_ip(request)
        )
    except (TeleversementRefuse, documents.Refus) as refus:
        messages.error(request, refus.message)
        return redirect("professionnels:document", acces.espace.uuid, ancien.uuid)
    messages.success(request, _("Nouvelle version ajoutée ; l'ancienne reste consultable."))
    return redirect("professionnels:document", acces.espace.uuid, nouveau.uuid)


# --- The patient's medical profile, read by a professional -----------------------------------


def _acces_profil(request: HttpRequest, espace_uuid: uuid.UUID) -> AccesPro:
    acces = _acces_pro(request, espace_uuid)
    if not profil_lisible(acces=acces):
        raise Http404
    return acces


@login_required
def profil(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces_profil(request, espace_uuid)
    consultations.consultation_tracer(
        acces=acces, action=Action.PROFIL_CONSULTE, objet_type="profil", ip=client_ip(request)
    )
    courbes, imc = pm.courbes(acces=acces)
    return render(
        request,
        "professionnels/profil.html",
        {
            "acces": acces,
            "sections": pm.sections_lues(acces=acces),
            "calendrier": pm.calendrier_vaccinal(acces=acces),
            "courbes": courbes,
            "imc": imc,
            "habitudes": pm.unique(acces=acces, cle="habitudes"),
            "personne_confiance": pm.unique(acces=acces, cle="personne_confiance"),
            "don_organes": pm.unique(acces=acces, cle="don_organes"),
            "directives_lisibles": directives_lisibles(acces=acces),
            "directives": pm.unique(acces=acces, cle="directives"),
        },
    )


@login_required
def profil_ajouter(request: HttpRequest, espace_uuid: uuid.UUID, section: str) -> HttpResponse:
    acces = _acces_profil(request, espace_uuid)
    if not peut_ecrire_section(acces=acces, cle=section):
        raise Http404
    choisie = pm.section(section)
    form = choisie.formulaire(request.POST or None, espace=acces.espace)
    if peut_marquer_secret(acces):
        form.fields["secret_mineur"] = forms.BooleanField(
            label=_("Masqué aux représentants légaux (secret du mineur)"), required=False
        )
    if request.method == "POST" and form.is_valid():
        pm.element_enregistrer(
            acces=acces,
            section=choisie,
            formulaire=form,
            secret_mineur=bool(form.cleaned_data.get("secret_mineur")),
            ip=client_ip(request),
        )
        messages.success(request, _("Ajouté au profil médical du patient."))
        return redirect("professionnels:profil", acces.espace.uuid)
    return render(
        request,
        "professionnels/profil_ajouter.html",
        {"acces": acces, "section": choisie, "form": form},
        status=400 if request.method == "POST" else 200,
    )
