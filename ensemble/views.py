"""The pages that read across the space: the activity history, the printable summary and
directives, and "Télécharger toutes mes données" (docs/EXPORT.md)."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import datetime

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dossier.models import Source
from dossier.services import document_creer
from espace_sante.acces import (
    AccesPatient,
    Rubrique,
    espace_pour_acteur,
    espace_pour_lecture,
    majeur_titulaire,
    peut_exporter,
)
from espace_sante.coffre.http import reponse_blob
from espace_sante.coffre.services import BlobIllisible
from espace_sante.journal.points import empreinte_espace
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import client_ip, ecrit
from espace_sante.taches.services import en_attente_expression, objets_en_attente
from profil import profil_medical as pm
from profil.models import ExportDonnees

from . import export as export_
from .forms import HistoriqueFiltreForm
from .historique import evenements_historique, lignes_historique
from .synthese import directives_pdf as fabriquer_directives
from .synthese import synthese_pdf
from .tableau_de_bord import derniere_visite, tableau_de_bord, tableaux_des_enfants

EVENEMENTS_PAR_PAGE = 25
# The space the person acts for, remembered between pages (profil.views.SESSION_ESPACE).
SESSION_ESPACE = "espace_courant"
# The person's previous log-in, read once per session (tableau_de_bord.derniere_visite).
SESSION_VISITE = "derniere_visite"

logger = logging.getLogger(__name__)


def _acces(
    request: HttpRequest,
    espace_uuid: uuid.UUID,
    rubrique: Rubrique,
    *,
    lecture: bool = False,
) -> AccesPatient:
    """The space the page acts for, or 404; with ``lecture`` (a page that only reads, and the
    export of one's data) a closed space stays reachable by its holder. ``rubrique``: the part
    of the space the page belongs to (a carer's perimeter)."""
    if lecture:
        acces = espace_pour_lecture(
            utilisateur=request.user,  # type: ignore[arg-type]
            espace_uuid=espace_uuid,
            rubrique=rubrique,
        )
    else:
        acces = espace_pour_acteur(
            utilisateur=request.user,  # type: ignore[arg-type]
            espace_uuid=espace_uuid,
            rubrique=rubrique,
            ecriture=ecrit(request),
        )
    request.acces = acces  # type: ignore[attr-defined]
    return acces


# --- Home -------------------------------------------------------------------------------------


@login_required
def espace_accueil(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """The home of a space: what is new and what to do, for the space and, for a holder, for
    each child they represent; a closed space's home explains the closure."""
    acces = _acces(request, espace_uuid, Rubrique.ACCUEIL, lecture=True)
    if not acces.espace.ouvert:
        return render(request, "profil/espace_cloture.html", {"acces": acces})
    request.session[SESSION_ESPACE] = str(acces.espace.uuid)
    visite = _visite(request)
    return render(
        request,
        "profil/espace_accueil.html",
        {
            "acces": acces,
            "tableau": tableau_de_bord(acces=acces, visite=visite),
            "enfants": tableaux_des_enfants(acces=acces, visite=visite),
            "premiere_visite": visite is None,
        },
    )


def _visite(request: HttpRequest) -> datetime | None:
    if SESSION_VISITE not in request.session:
        visite = derniere_visite(utilisateur=request.user)  # type: ignore[arg-type]
        request.session[SESSION_VISITE] = visite.isoformat() if visite else ""
    valeur = request.session[SESSION_VISITE]
    return datetime.fromisoformat(valeur) if valeur else None


# --- Activity history --------------------------------------------------------------------------


@login_required
def historique(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, Rubrique.HISTORIQUE, lecture=True)
    onglet = "professionnels" if request.GET.get("onglet") == "professionnels" else "moi"
    filtres = HistoriqueFiltreForm(request.GET or None)
    criteres = filtres.cleaned_data if filtres.is_bound and filtres.is_valid() else {}
    evenements = evenements_historique(
        acces=acces,
        professionnels=onglet == "professionnels",
        du=criteres.get("du"),
        au=criteres.get("au"),
        action=criteres.get("action", ""),
    )
    page = Paginator(evenements, EVENEMENTS_PAR_PAGE).get_page(request.GET.get("page"))
    lignes = lignes_historique(evenements=page.object_list, acces=acces)
    requete = request.GET.copy()
    requete.pop("page", None)
    return render(
        request,
        "ensemble/historique.html",
        {
            "acces": acces,
            "onglet": onglet,
            "filtres": filtres,
            "page": page,
            "lignes": lignes,
            "requete": requete.urlencode(),
        },
    )


@login_required
def historique_empreinte(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """A signed digest of the history as it stands, to check later that nothing was rewritten
    (docs/JOURNAL.md: ``python manage.py verify_journal --empreinte fichier.json``)."""
    acces = _acces(request, espace_uuid, Rubrique.HISTORIQUE, lecture=True)
    empreinte = empreinte_espace(espace_uuid=acces.espace.uuid)
    reponse = HttpResponse(
        json.dumps(empreinte, ensure_ascii=False, indent=2), content_type="application/json"
    )
    nom = f"empreinte-historique-{timezone.localdate():%Y-%m-%d}.json"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


# --- Directives anticipées and the printable summary ------------------------------------------


def _majeur_titulaire(request: HttpRequest, espace_uuid: uuid.UUID) -> AccesPatient:
    acces = _acces(request, espace_uuid, Rubrique.PROFIL)
    if not majeur_titulaire(acces):
        raise Http404
    return acces


@login_required
def directives_pdf(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _majeur_titulaire(request, espace_uuid)
    directives = pm.unique(acces=acces, cle="directives")
    if directives is None:
        raise Http404
    return _pdf(
        fabriquer_directives(espace=acces.espace, directives=directives),
        "directives-anticipees.pdf",
    )


@login_required
def synthese(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """GET: the one-page summary to print; POST: the same, kept in the dossier (DOCPAT08)."""
    acces = _acces(request, espace_uuid, Rubrique.PROFIL)
    contenu = synthese_pdf(acces=acces)
    if request.method != "POST":
        return _pdf(contenu, "synthese-medicale.pdf")
    document = document_creer(
        espace=acces.espace,
        contenu=contenu,
        nom_fichier="synthese-medicale.pdf",
        titre=_("Synthèse de mon profil médical"),
        date_acte=timezone.localdate(),
        type_code="DOCPAT08",
        auteur=acces.acteur,
        source=Source.PATIENT,
        media_type="application/pdf",
    )
    messages.success(request, _("La synthèse est enregistrée dans vos documents."))
    return redirect("dossier:document", acces.espace.uuid, document.uuid)


def _pdf(contenu: bytes, nom: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{nom}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Cache-Control"] = "no-store"
    return reponse


# --- "Télécharger toutes mes données" (docs/EXPORT.md) ------------------------------------------


@login_required
def exports(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """The person's exports of this space, each with its state, and the button to ask."""
    acces = _acces(request, espace_uuid, Rubrique.GESTION, lecture=True)
    return render(
        request,
        "ensemble/export.html",
        {
            "acces": acces,
            # en_attente: its job has not reached the broker yet (docs/TACHES.md)
            "exports": export_.exports_de(acces=acces).annotate(
                en_attente=en_attente_expression("export")
            )[:10],
            "peut_exporter": peut_exporter(acces=acces),
            "validite": settings.EXPORT_VALIDITE_JOURS,
        },
    )


@login_required
@require_POST
def export_demander(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, Rubrique.GESTION, lecture=True)
    try:
        _export, nouveau = export_.export_demander(acces=acces, ip=client_ip(request))
    except Refus as refus:
        messages.error(request, refus.message)
        return redirect("ensemble:exports", acces.espace.uuid)
    if nouveau and objets_en_attente(objet_type="export", objet_ids=[_export.pk]):
        messages.success(
            request,
            _(
                "Votre demande d'export est enregistrée. Sa préparation est en attente et "
                "commencera automatiquement dans quelques minutes ; un e-mail vous préviendra "
                "quand il sera prêt. Inutile de la refaire."
            ),
        )
    elif nouveau:
        messages.success(
            request,
            _("Votre export est en préparation. Un e-mail vous préviendra quand il sera prêt."),
        )
    else:
        messages.info(request, _("Un export est déjà en préparation : le voici."))
    return redirect("ensemble:exports", acces.espace.uuid)


@login_required
def export_telecharger(
    request: HttpRequest, espace_uuid: uuid.UUID, export_uuid: uuid.UUID
) -> HttpResponseBase:
    """The archive, decrypted as it streams, to the person who asked for it alone, after they
    typed their password again; once expired, a page that says so (410)."""
    acces = _acces(request, espace_uuid, Rubrique.GESTION, lecture=True)
    export = export_.export_pour_acteur(acces=acces, export_uuid=export_uuid)
    if export_.export_expire(export):
        return render(request, "ensemble/export_expire.html", {"acces": acces}, status=410)
    if not export.telechargeable():
        raise Http404
    return _export_envoyer(request, acces, export)


@reauthentication_required
def _export_envoyer(
    request: HttpRequest, acces: AccesPatient, export: ExportDonnees
) -> HttpResponseBase:
    assert export.blob is not None
    if "Range" not in request.headers:  # one event per download, not per resumed part
        export_.export_telecharge(acces=acces, export=export, ip=client_ip(request))

    def echec(erreur: BlobIllisible) -> None:
        logger.error("export %s illisible : %s", export.uuid, erreur.code)

    return reponse_blob(
        request,
        export.blob,
        nom_fichier=f"espace-sante-{export.pret_le:%Y-%m-%d}.zip",
        en_ligne=False,
        en_cas_d_echec=echec,
    )
