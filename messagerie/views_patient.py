"""The messagerie's pages on the patient's side, under the space they act for: the inbox, a
new conversation, a thread (read, reply, archive, delete), its attachments (download, file
among the documents), and the fragment a thread's page polls for new messages (htmx).

Reads take a closed space too (its conversations stay readable); writing there is refused by
the services' rules, and the pages offer no form."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from espace_sante.acces import AccesPatient, Rubrique, espace_pour_acteur
from espace_sante.acces.messagerie import (
    AccesFil,
    fil_pour_acces,
    peut_ajouter_aux_documents,
    peut_ecrire_a_un_professionnel,
    professionnels_joignables,
    refus_d_ecrire,
)
from espace_sante.coffre.http import reponse_blob
from espace_sante.coffre.services import BlobIllisible, StockageIndisponible
from espace_sante.coffre.televersement import (
    FichierChiffre,
    televersement_ouvrir,
    vue_de_televersement,
)
from espace_sante.comptes.models import Utilisateur
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import client_ip, ecrit
from professionnels.models import Professionnel

from . import selectors, services
from .forms import EcrireForm, ReponseForm
from .limites import TROP_DE_MESSAGES, oublier_non_lus, trop_de_messages
from .models import EtatFil, Message

logger = logging.getLogger(__name__)

PAR_PAGE = 25
ESPACE_FERME = _lazy(
    "Cet espace santé est fermé : ses conversations se lisent, on ne peut plus y écrire."
)
PANNE_STOCKAGE = _lazy(
    "Le stockage des fichiers est momentanément indisponible : rien n'a été envoyé. Réessayez "
    "dans quelques minutes."
)
# "le 3 décembre 2026 à 14 h 05", as the thread's messages say it.


# --- Finding what the person may see (404 otherwise) -------------------------------------------


def _acces(
    request: HttpRequest, espace_uuid: uuid.UUID, *, formulaire: bool = False
) -> AccesPatient:
    """The space the person acts for, open or closed (its conversations stay readable).
    ``formulaire``: a page that shows a form to add, change or delete asks for writing on its
    GET too (a read-only carer is not shown a form whose sending would be refused)."""
    acces = espace_pour_acteur(
        utilisateur=request.user,  # type: ignore[arg-type]
        espace_uuid=espace_uuid,
        ouvert=False,
        rubrique=Rubrique.MESSAGERIE,
        ecriture=formulaire or ecrit(request),
    )
    request.acces = acces  # type: ignore[attr-defined]
    return acces


def _fil(request: HttpRequest, espace_uuid: uuid.UUID, fil_uuid: uuid.UUID) -> AccesFil:
    """A thread of the space the person reads (a minor's secret one is not, for a
    representative), or 404."""
    return fil_pour_acces(acces=_acces(request, espace_uuid), fil_uuid=fil_uuid)


def _url_fil(acces_fil: AccesFil) -> str:
    return reverse("messagerie:fil", args=[acces_fil.fil.espace.uuid, acces_fil.fil.uuid])


def _etat(acces_fil: AccesFil) -> EtatFil | None:
    """Where this person stands in the thread (archived, deleted), if they ever acted in it."""
    return EtatFil.objects.filter(fil=acces_fil.fil, utilisateur=acces_fil.utilisateur).first()


# --- Sending: the attachments, the flood limit ---------------------------------------------------


def _pieces(request: HttpRequest) -> tuple[list[FichierChiffre], str | None]:
    """The attached files (encrypted by the vault's handler), or the refusal to show (nothing
    kept). After ``televersement_ouvrir``."""
    recus = [f for f in request.FILES.getlist("pieces") if isinstance(f, FichierChiffre)]
    refus = getattr(request, "refus_televersement", None)
    if not refus and any(f.size == 0 for f in recus):
        refus = _("Un fichier joint est vide : choisissez-en un autre.")
    if refus:
        _abandonner(recus)
        return [], str(refus)
    return recus, None


def _abandonner(fichiers: list[FichierChiffre]) -> None:
    for fichier in fichiers:
        if not fichier.stocke:
            fichier.abandonner()


def _envoye(request: HttpRequest, professionnel: Professionnel) -> None:
    messages.success(request, _("Message envoyé à %(nom)s.") % {"nom": professionnel.nom_affiche})


# --- The inbox -----------------------------------------------------------------------------------


_CASES = ("non_lus", "avec_pieces", "archives")
_CHAMPS_FILTRES = frozenset((*_CASES, "professionnel"))
_OUI = frozenset({"on", "1", "true"})
_COLONNES = (
    "uuid",
    "sujet",
    "dernier_message_le",
    "ferme_le",
    "non_lus",
    "avec_pieces",
    "professionnel__profession",
    "professionnel__utilisateur__prenom",
    "professionnel__utilisateur__nom",
    "professionnel__utilisateur__email",
)

_COLONNES_NOM = _COLONNES[-4:]


def _filtres(
    request: HttpRequest, professionnels: list[tuple[str, str]]
) -> tuple[selectors.Filtres, dict[str, Any]]:
    """The filters the query string asks for, and what the form shows checked. An unknown
    professional (not one of the space's threads) filters nothing."""
    if _CHAMPS_FILTRES.isdisjoint(request.GET):
        return selectors.Filtres(), {}
    coches = {nom: request.GET.get(nom, "").lower() in _OUI for nom in _CASES}
    choisi = request.GET.get("professionnel", "")
    professionnel = next((valeur for valeur, _nom in professionnels if valeur == choisi), None)
    filtres = selectors.Filtres(
        non_lus=coches["non_lus"],
        avec_pieces=coches["avec_pieces"],
        archives=coches["archives"],
        professionnel_uuid=uuid.UUID(professionnel) if professionnel is not None else None,
    )
    return filtres, {**coches, "professionnel": professionnel or ""}


def _nom_du_professionnel(ligne: dict[str, Any]) -> str:
    """The professional's name as their model says it, from the row's columns."""
    return Professionnel(
        profession=ligne["professionnel__profession"],
        utilisateur=Utilisateur(
            prenom=ligne["professionnel__utilisateur__prenom"],
            nom=ligne["professionnel__utilisateur__nom"],
            email=ligne["professionnel__utilisateur__email"],
        ),
    ).nom_affiche


def _quand(moment: datetime, mois: list[str]) -> str:
    """``moment_en_mots`` ("1er décembre 2026 à 14 h 05") for the inbox's 25 rows, without
    the general formatter (a tenth of the page's time)."""
    jour = "1er" if moment.day == 1 else moment.day
    return f"{jour} {mois[moment.month]} {moment.year} à {moment.hour} h {moment.minute:02d}"


def _lignes(fils: list[dict[str, Any]], url_boite: str) -> list[dict[str, Any]]:
    """The inbox's rows, ready to show (values, not model instances: the list is only shown,
    and building a thread, its space and its professional for each row cost more than the
    page's query)."""
    noms: dict[tuple[str, ...], str] = {}  # a few professionals for many threads
    mois = [""] + [str(MONTHS[numero]) for numero in range(1, 13)]
    lignes = []
    for ligne in fils:
        cle = tuple(ligne[c] for c in _COLONNES_NOM)
        if cle not in noms:
            noms[cle] = _nom_du_professionnel(ligne)
        lignes.append(
            {
                "url": f"{url_boite}{ligne['uuid']}/",
                "sujet": ligne["sujet"],
                "professionnel": noms[cle],
                "non_lus": ligne["non_lus"],
                "avec_pieces": ligne["avec_pieces"],
                "ferme": ligne["ferme_le"] is not None,
                "quand": _quand(timezone.localtime(ligne["dernier_message_le"]), mois),
            }
        )
    return lignes


@login_required
@require_GET
def boite(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    professionnels = selectors.noms_des_professionnels_des_fils(acces)
    filtres, coches = _filtres(request, professionnels)
    fils = selectors.BoitePatient(acces, filtres)
    page = Paginator(cast("Any", fils), PAR_PAGE).get_page(request.GET.get("page"))
    requete = request.GET.copy()
    requete.pop("page", None)
    ouvert = acces.espace.ouvert
    url_boite = reverse("messagerie:boite", args=[acces.espace.uuid])
    return render(
        request,
        "messagerie/patient/boite.html",
        {
            "acces": acces,
            "url_boite": url_boite,
            "professionnels": professionnels,
            "coches": coches,
            "filtre_actif": filtres != selectors.Filtres(),
            "archives": filtres.archives,
            "page": page,
            "lignes": _lignes(list(page.object_list), url_boite),
            "requete": requete.urlencode(),
            "ouvert": ouvert,
            # Never offered to a read-only carer; the management's link never to a carer.
            "peut_ecrire": ouvert
            and acces.peut_ecrire(Rubrique.MESSAGERIE)
            and peut_ecrire_a_un_professionnel(acces),
            "gestion": acces.peut_lire(Rubrique.GESTION),
        },
    )


# --- A new conversation --------------------------------------------------------------------------


@login_required
@vue_de_televersement
def ecrire(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, formulaire=True)
    if not acces.espace.ouvert:
        messages.error(request, ESPACE_FERME)
        return redirect("messagerie:boite", acces.espace.uuid)
    joignables = professionnels_joignables(acces)
    if request.method != "POST":
        pro = request.GET.get("pro", "")
        form = EcrireForm(professionnels=joignables, initial={"professionnel": pro})
        return render(request, "messagerie/patient/ecrire.html", _page_ecrire(acces, form))
    televersement_ouvrir(request)
    fichiers, refus = _pieces(request)
    form = EcrireForm(request.POST, request.FILES, professionnels=joignables)
    if refus:
        form.is_valid()
        form.add_error("pieces", refus)
    statut = 400
    if form.is_valid():
        if trop_de_messages(request):
            form.add_error(None, TROP_DE_MESSAGES)
            statut = 429
        else:
            professionnel = form.cleaned_data["professionnel"]
            try:
                fil = services.fil_ouvrir_patient(
                    acces=acces,
                    professionnel=professionnel,
                    sujet=form.cleaned_data["sujet"],
                    corps=form.cleaned_data["corps"],
                    fichiers=fichiers,
                    ip=client_ip(request),
                )
            except Refus as erreur:
                form.add_error("pieces" if fichiers else None, erreur.message)
            except StockageIndisponible:
                form.add_error(None, PANNE_STOCKAGE)
                statut = 503
            else:
                _envoye(request, professionnel)
                return redirect("messagerie:fil", acces.espace.uuid, fil.uuid)
    _abandonner(fichiers)
    return render(
        request, "messagerie/patient/ecrire.html", _page_ecrire(acces, form), status=statut
    )


def _page_ecrire(acces: AccesPatient, form: EcrireForm) -> dict[str, Any]:
    return {"acces": acces, "form": form}


# --- A thread ------------------------------------------------------------------------------------


def _ecriture(acces_fil: AccesFil) -> bool:
    """Whether the thread's page offers to reply, file or delete (never to a read-only
    carer)."""
    return acces_fil.acces is not None and acces_fil.acces.peut_ecrire(Rubrique.MESSAGERIE)


def _peut_ajouter(acces_fil: AccesFil) -> bool:
    """Whether an attachment may be added to the documents: also a writer of the documents."""
    return (
        _ecriture(acces_fil)
        and acces_fil.acces is not None
        and acces_fil.acces.peut_ecrire(Rubrique.DOCUMENTS)
        and peut_ajouter_aux_documents(acces_fil)
    )


LECTURE_SEULE = _lazy(
    "Vous pouvez lire cette conversation, mais pas y répondre : la personne qui vous a confié "
    "son espace peut vous donner aussi le droit d’ajouter et de modifier."
)


def _page_fil(acces_fil: AccesFil, form: ReponseForm) -> dict[str, Any]:
    liste = selectors.messages_du_fil(acces_fil)
    etat = _etat(acces_fil)
    ecriture = _ecriture(acces_fil)
    return {
        "ecriture": ecriture,
        "acces": acces_fil.acces,
        "acces_fil": acces_fil,
        "fil": acces_fil.fil,
        "liste_messages": liste,
        "url_nouveaux": _url_nouveaux(acces_fil, liste[-1].cree_le if liste else None),
        "accuses": _accuses(acces_fil, liste),
        "refus": refus_d_ecrire(acces_fil) if ecriture else LECTURE_SEULE,
        "peut_ajouter": _peut_ajouter(acces_fil),
        "archive": etat is not None and etat.archive,
        "supprime": etat is not None and etat.supprime,
        "form": form,
    }


def _accuses(acces_fil: AccesFil, liste: list[Message]) -> list[selectors.Accuse]:
    """The other side's read receipts that tell something: read since this person's last
    message (none before they wrote)."""
    miens = [m.cree_le for m in liste if m.auteur_id == acces_fil.utilisateur.pk]
    if not miens:
        return []
    return [a for a in selectors.accuses(acces_fil) if a.lu_le >= miens[-1]]


def _url_nouveaux(acces_fil: AccesFil, apres: datetime | None) -> str:
    url = reverse("messagerie:nouveaux", args=[acces_fil.fil.espace.uuid, acces_fil.fil.uuid])
    quand = apres or acces_fil.fil.cree_le
    return f"{url}?{urlencode({'apres': quand.isoformat()})}"


@login_required
@require_GET
def fil(request: HttpRequest, espace_uuid: uuid.UUID, fil_uuid: uuid.UUID) -> HttpResponse:
    acces_fil = _fil(request, espace_uuid, fil_uuid)
    if services.fil_lire(acces=acces_fil, ip=client_ip(request)):
        oublier_non_lus(acces_fil.fil.espace, [acces_fil.utilisateur])
    return render(request, "messagerie/patient/fil.html", _page_fil(acces_fil, ReponseForm()))


@login_required
@require_GET
def nouveaux(request: HttpRequest, espace_uuid: uuid.UUID, fil_uuid: uuid.UUID) -> HttpResponse:
    """The messages written since ``apres`` and the poller that follows them (htmx swaps the
    old poller for both); 204 when there is nothing new (htmx then swaps nothing)."""
    acces_fil = _fil(request, espace_uuid, fil_uuid)
    try:
        apres = datetime.fromisoformat(request.GET.get("apres", ""))
    except ValueError:
        return HttpResponseBadRequest()
    if timezone.is_naive(apres):
        apres = timezone.make_aware(apres)
    liste = selectors.messages_du_fil(acces_fil, apres=apres)
    if not liste:
        return HttpResponse(status=204)
    if any(m.auteur_id != acces_fil.utilisateur.pk for m in liste):
        services.fil_lire(acces=acces_fil, ip=client_ip(request))  # shown: read now
        oublier_non_lus(acces_fil.fil.espace, [acces_fil.utilisateur])
    return render(
        request,
        "messagerie/patient/_nouveaux_messages.html",
        {
            "acces_fil": acces_fil,
            "liste_messages": liste,
            "peut_ajouter": _peut_ajouter(acces_fil),
            "url_nouveaux": _url_nouveaux(acces_fil, liste[-1].cree_le),
        },
    )


@login_required
@vue_de_televersement
def repondre(request: HttpRequest, espace_uuid: uuid.UUID, fil_uuid: uuid.UUID) -> HttpResponse:
    acces_fil = _fil(request, espace_uuid, fil_uuid)
    if request.method != "POST":
        return redirect(_url_fil(acces_fil))
    televersement_ouvrir(request)
    fichiers, refus = _pieces(request)
    form = ReponseForm(request.POST, request.FILES)
    if refus:
        form.is_valid()
        form.add_error("pieces", refus)
    statut = 400
    if (refus_fil := refus_d_ecrire(acces_fil)) is not None:
        form.is_valid()
        form.add_error(None, refus_fil)
        statut = 403
    elif form.is_valid():
        if trop_de_messages(request):
            form.add_error(None, TROP_DE_MESSAGES)
            statut = 429
        else:
            try:
                message = services.message_repondre(
                    acces=acces_fil,
                    corps=form.cleaned_data["corps"],
                    fichiers=fichiers,
                    ip=client_ip(request),
                )
            except Refus as erreur:
                form.add_error("pieces" if fichiers else None, erreur.message)
            except StockageIndisponible:
                form.add_error(None, PANNE_STOCKAGE)
                statut = 503
            else:
                _envoye(request, acces_fil.fil.professionnel)
                return redirect(f"{_url_fil(acces_fil)}#message-{message.uuid}")
    _abandonner(fichiers)
    return render(request, "messagerie/patient/fil.html", _page_fil(acces_fil, form), status=statut)


# --- Archive, delete (for this person only) ------------------------------------------------------

_RANGEMENTS = {
    "archiver": ({"archive": True}, _lazy("Conversation archivée.")),
    "desarchiver": ({"archive": False}, _lazy("Conversation remise dans votre messagerie.")),
    "restaurer": ({"supprime": False}, _lazy("Conversation remise dans votre messagerie.")),
}


@login_required
@require_POST
def ranger(request: HttpRequest, espace_uuid: uuid.UUID, fil_uuid: uuid.UUID) -> HttpResponse:
    acces_fil = _fil(request, espace_uuid, fil_uuid)
    rangement = _RANGEMENTS.get(request.POST.get("action", ""))
    if rangement is None:
        raise Http404
    valeurs, texte = rangement
    services.fil_ranger(acces=acces_fil, **valeurs)
    messages.success(request, texte)
    return redirect(_url_fil(acces_fil))


@login_required
def supprimer(request: HttpRequest, espace_uuid: uuid.UUID, fil_uuid: uuid.UUID) -> HttpResponse:
    """A confirmation page (GET), then the deletion from this person's messagerie (POST): the
    professional keeps theirs, and a new message brings the thread back."""
    acces_fil = _fil(request, espace_uuid, fil_uuid)
    if request.method != "POST":
        return render(
            request,
            "messagerie/patient/supprimer.html",
            {"acces": acces_fil.acces, "fil": acces_fil.fil},
        )
    services.fil_ranger(acces=acces_fil, supprime=True)
    messages.success(
        request,
        _(
            "Conversation supprimée de votre messagerie. %(nom)s garde la sienne ; un nouveau "
            "message la fera réapparaître."
        )
        % {"nom": acces_fil.fil.professionnel.nom_affiche},
    )
    return redirect("messagerie:boite", acces_fil.fil.espace.uuid)


# --- Attachments ---------------------------------------------------------------------------------


def _piece_illisible(erreur: BlobIllisible) -> None:
    logger.error("messagerie: pièce jointe illisible (%s)", erreur.code)


@login_required
@require_GET
def piece(
    request: HttpRequest, espace_uuid: uuid.UUID, fil_uuid: uuid.UUID, piece_uuid: uuid.UUID
) -> HttpResponseBase:
    acces_fil = _fil(request, espace_uuid, fil_uuid)
    jointe = services.piece_pour_acces(acces=acces_fil, piece_uuid=piece_uuid)
    services.piece_telechargement(acces=acces_fil, piece=jointe, ip=client_ip(request))
    return reponse_blob(
        request, jointe.blob, nom_fichier=jointe.nom, en_cas_d_echec=_piece_illisible
    )


@login_required
@require_POST
def piece_ajouter(
    request: HttpRequest, espace_uuid: uuid.UUID, fil_uuid: uuid.UUID, piece_uuid: uuid.UUID
) -> HttpResponse:
    acces_fil = _fil(request, espace_uuid, fil_uuid)
    jointe = services.piece_pour_acces(acces=acces_fil, piece_uuid=piece_uuid)
    try:
        document = services.piece_ajouter_aux_documents(
            acces=acces_fil, piece=jointe, ip=client_ip(request)
        )
    except Refus as erreur:
        messages.error(request, erreur.message)
    except StockageIndisponible:
        messages.error(request, PANNE_STOCKAGE)
    else:
        # "En traitement" until it is checked: never said available before.
        messages.success(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _(
                    "« %(titre)s » est ajouté à vos documents ; il sera consultable dès qu'il "
                    "aura été vérifié."
                )
                % {"titre": document.titre},
                reverse("dossier:document", args=[acces_fil.fil.espace.uuid, document.uuid]),
                _("Voir le document"),
            ),
        )
    return redirect(f"{_url_fil(acces_fil)}#message-{jointe.message.uuid}")
