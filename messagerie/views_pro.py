"""The professional's messagerie (``/pro/messagerie/``): the inbox across their patients, a
thread (read it, reply, close it, archive or delete it from their lists, download an attachment
or deposit it in the patient's dossier), and a new conversation from a patient's page. An
account awaiting verification or suspended gets the workspace's "unavailable" page. Without
JavaScript everything works (forms, links); with it, htmx fetches the thread's new messages
every 10 seconds (``nouveaux``: a plain GET returning HTML, 204 when nothing is new)."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from espace_sante.acces import acces_professionnel, peut_marquer_secret, professionnel_actif
from espace_sante.acces.messagerie import (
    AccesFil,
    acces_fil,
    fils_du_professionnel,
    peut_fermer,
    refus_d_ecrire,
)
from espace_sante.coffre.http import reponse_blob
from espace_sante.coffre.services import BlobIllisible
from espace_sante.coffre.televersement import (
    FichierChiffre,
    televersement_ouvrir,
    vue_de_televersement,
)
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import client_ip
from professionnels.models import Professionnel
from professionnels.selectors import professionnel_de
from professionnels.views import page_indisponible
from profil.models import Espace

from . import selectors, services
from .forms_pro import DeposerPieceForm, EcrireProForm, FiltresBoiteProForm, ReponseProForm
from .limites import TROP_DE_MESSAGES, trop_de_messages
from .models import Fil

FILS_PAR_PAGE = 25


# --- Who is asking -------------------------------------------------------------------------------


def _professionnel(request: HttpRequest) -> Professionnel:
    """The logged-in account's professional (404 for an account without one), whatever its
    state; the workspace's menu and banner read it from the request."""
    professionnel = professionnel_de(request.user)
    if professionnel is None:
        raise Http404
    request.professionnel = professionnel  # type: ignore[attr-defined]
    return professionnel


def _indisponible(request: HttpRequest, professionnel: Professionnel) -> HttpResponse | None:
    if professionnel_actif(professionnel):
        return None
    return page_indisponible(request, professionnel, titre=_("Messagerie"))


def _fil(request: HttpRequest, fil_uuid: uuid.UUID) -> AccesFil:
    """The professional's standing in one of their threads, or 404 (a thread of another
    professional, or one where this account is on the patient's side)."""
    acces = acces_fil(utilisateur=request.user, fil_uuid=fil_uuid)  # type: ignore[arg-type]
    if not acces.est_professionnel:
        raise Http404
    return acces


def _pieces(request: HttpRequest) -> tuple[list[FichierChiffre], str | None]:
    """The attached files (none is fine), or the upload handler's refusal (nothing kept)."""
    fichiers = [f for f in request.FILES.getlist("pieces") if isinstance(f, FichierChiffre)]
    refus = getattr(request, "refus_televersement", None)
    if refus is None and any(f.size == 0 for f in fichiers):
        refus = _("Un fichier joint est vide : rien n'a été gardé.")
    if refus:
        _abandonner(fichiers)
        return [], str(refus)
    return fichiers, None


def _abandonner(fichiers: list[FichierChiffre]) -> None:
    for fichier in fichiers:
        fichier.abandonner()


def _pret_a_envoyer(
    request: HttpRequest, form: forms.Form, fichiers: list[FichierChiffre], refus: str | None
) -> bool:
    """Whether a compose or reply form may go to the service: its files were received, its
    fields are valid and the sender is under the flood limit. Otherwise the form carries the
    error and the files are not kept."""
    if refus:
        form.is_valid()
        form.add_error("pieces", refus)
        return False
    if not form.is_valid():
        _abandonner(fichiers)
        return False
    if trop_de_messages(request):
        _abandonner(fichiers)
        form.add_error(None, TROP_DE_MESSAGES)
        return False
    return True


def _nom_patient(espace: Espace) -> str:
    return f"{espace.prenoms} {espace.nom_naissance}"


# --- The inbox -----------------------------------------------------------------------------------


def _patients_des_fils(professionnel: Professionnel) -> list[tuple[str, str]]:
    """The patients of the professional's threads (the inbox's filter), by name."""
    espaces = Espace.objects.filter(
        pk__in=fils_du_professionnel(professionnel).values("espace_id")
    ).order_by("nom_naissance", "prenoms", "pk")
    return [(str(e.uuid), _nom_patient(e)) for e in espaces]


@login_required
@require_GET
def boite(request: HttpRequest) -> HttpResponse:
    professionnel = _professionnel(request)
    if indisponible := _indisponible(request, professionnel):
        return indisponible
    form = FiltresBoiteProForm(request.GET or None, patients=_patients_des_fils(professionnel))
    donnees = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filtres = selectors.Filtres(
        non_lus=bool(donnees.get("non_lus")),
        avec_pieces=bool(donnees.get("avec_pieces")),
        archives=bool(donnees.get("archives")),
        espace_uuid=uuid.UUID(donnees["patient"]) if donnees.get("patient") else None,
    )
    page = Paginator(selectors.boite_professionnel(professionnel, filtres), FILS_PAR_PAGE)
    page_courante = page.get_page(request.GET.get("page"))
    requete = urlencode({k: v for k, v in request.GET.items() if k != "page" and k in form.fields})
    return render(
        request,
        "messagerie/pro/boite.html",
        {"form": form, "page": page_courante, "filtres": filtres, "requete": requete},
    )


# --- A new conversation --------------------------------------------------------------------------


@login_required
@vue_de_televersement
def ecrire(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    """A new conversation with the patient of this space (the holder, or a minor's
    representatives), by a professional who may open it (404 otherwise)."""
    professionnel = _professionnel(request)
    if indisponible := _indisponible(request, professionnel):
        return indisponible
    acces = acces_professionnel(professionnel=professionnel, espace_uuid=espace_uuid)
    mineur = peut_marquer_secret(acces)
    if request.method != "POST":
        return render(
            request,
            "messagerie/pro/ecrire.html",
            {"acces": acces, "form": EcrireProForm(mineur=mineur)},
        )
    televersement_ouvrir(request)
    form = EcrireProForm(request.POST, request.FILES, mineur=mineur)
    fichiers, refus = _pieces(request)
    if _pret_a_envoyer(request, form, fichiers, refus):
        try:
            fil = services.fil_ouvrir_professionnel(
                acces=acces,
                sujet=form.cleaned_data["sujet"],
                corps=form.cleaned_data["corps"],
                fichiers=fichiers,
                secret_mineur=bool(form.cleaned_data.get("secret_mineur")),
                ip=client_ip(request),
            )
        except Refus as erreur:
            form.add_error(None, erreur.message)
        else:
            messages.success(
                request, _("Message envoyé à %(nom)s.") % {"nom": _nom_patient(acces.espace)}
            )
            return redirect("messagerie:pro_fil", fil.uuid)
    return render(request, "messagerie/pro/ecrire.html", {"acces": acces, "form": form}, status=400)


# --- A thread ------------------------------------------------------------------------------------


def _page_fil(
    request: HttpRequest,
    acces: AccesFil,
    *,
    reponse: ReponseProForm | None = None,
    status: int = 200,
) -> HttpResponse:
    refus = refus_d_ecrire(acces)
    liste = selectors.messages_du_fil(acces)
    return render(
        request,
        "messagerie/pro/fil.html",
        {
            "acces_fil": acces,
            "fil": acces.fil,
            "messages_fil": liste,
            "dernier": liste[-1].cree_le if liste else acces.fil.cree_le,
            "accuses": selectors.accuses(acces),
            "refus": refus,
            "form": (reponse or ReponseProForm()) if refus is None else None,
            "depot": DeposerPieceForm(),
            "peut_fermer": peut_fermer(acces),
            "etat": acces.fil.etats.filter(utilisateur=acces.utilisateur).first(),
        },
        status=status,
    )


@login_required
@vue_de_televersement
def fil(request: HttpRequest, fil_uuid: uuid.UUID) -> HttpResponse:
    """The thread (read now: the read receipt), and its reply form (POST)."""
    professionnel = _professionnel(request)
    if indisponible := _indisponible(request, professionnel):
        return indisponible
    acces = _fil(request, fil_uuid)
    if request.method != "POST":
        services.fil_lire(acces=acces, ip=client_ip(request))
        return _page_fil(request, acces)
    televersement_ouvrir(request)
    if refus_d_ecrire(acces) is not None:  # the page says why, in place of the form
        _abandonner(_pieces(request)[0])
        return _page_fil(request, acces, status=403)
    form = ReponseProForm(request.POST, request.FILES)
    fichiers, refus = _pieces(request)
    if _pret_a_envoyer(request, form, fichiers, refus):
        try:
            services.message_repondre(
                acces=acces,
                corps=form.cleaned_data["corps"],
                fichiers=fichiers,
                ip=client_ip(request),
            )
        except Refus as erreur:
            form.add_error(None, erreur.message)
        else:
            messages.success(
                request,
                _("Message envoyé à %(nom)s.") % {"nom": _nom_patient(acces.fil.espace)},
            )
            return redirect("messagerie:pro_fil", acces.fil.uuid)
    return _page_fil(request, acces, reponse=form, status=400)


@login_required
@require_GET
def nouveaux(request: HttpRequest, fil_uuid: uuid.UUID) -> HttpResponse:
    """The messages written after ``apres`` (the page's last one), for htmx: they and a new
    poller replace the poller; 204 (nothing to swap) when there is none."""
    professionnel = _professionnel(request)
    if indisponible := _indisponible(request, professionnel):
        return indisponible
    acces = _fil(request, fil_uuid)
    apres: datetime | None = parse_datetime(request.GET.get("apres", ""))
    if apres is None:
        raise Http404
    liste = selectors.messages_du_fil(acces, apres=apres)
    if not liste:
        return HttpResponse(status=204)
    services.fil_lire(acces=acces, ip=client_ip(request))  # shown on the open page: read
    return render(
        request,
        "messagerie/pro/_nouveaux.html",
        {
            "acces_fil": acces,
            "fil": acces.fil,
            "messages_fil": liste,
            "dernier": liste[-1].cree_le,
            "depot": DeposerPieceForm(),
        },
    )


@login_required
def clore(request: HttpRequest, fil_uuid: uuid.UUID) -> HttpResponse:
    """Close the thread: GET asks for confirmation (no script), POST closes."""
    professionnel = _professionnel(request)
    if indisponible := _indisponible(request, professionnel):
        return indisponible
    acces = _fil(request, fil_uuid)
    if request.method == "POST":
        try:
            services.fil_fermer(acces=acces, ip=client_ip(request))
        except Refus as erreur:
            messages.error(request, erreur.message)
        else:
            messages.success(
                request, _("Conversation close : ni vous ni le patient ne pouvez plus y écrire.")
            )
        return redirect("messagerie:pro_fil", acces.fil.uuid)
    if acces.fil.ferme:
        return redirect("messagerie:pro_fil", acces.fil.uuid)
    return render(request, "messagerie/pro/clore.html", {"fil": acces.fil})


RANGEMENTS = {
    "archiver": ({"archive": True}, _("Conversation archivée.")),
    "desarchiver": ({"archive": False}, _("Conversation remise dans votre boîte de réception.")),
    "supprimer": (
        {"supprime": True},
        _("Conversation retirée de votre messagerie (le patient garde la sienne)."),
    ),
}


@login_required
@require_POST
def ranger(request: HttpRequest, fil_uuid: uuid.UUID) -> HttpResponse:
    """Archive, bring back, or delete the thread from this professional's lists."""
    professionnel = _professionnel(request)
    if indisponible := _indisponible(request, professionnel):
        return indisponible
    acces = _fil(request, fil_uuid)
    choix = RANGEMENTS.get(request.POST.get("action", ""))
    if choix is None:
        messages.error(request, _("Action inconnue : rien n'a été changé."))
        return redirect("messagerie:pro_fil", acces.fil.uuid)
    valeurs, message = choix
    services.fil_ranger(acces=acces, **valeurs)
    messages.success(request, message)
    if valeurs.get("supprime"):
        return redirect("messagerie:pro_boite")
    return redirect("messagerie:pro_fil", acces.fil.uuid)


# --- Attachments ---------------------------------------------------------------------------------


@login_required
@require_GET
def piece(request: HttpRequest, fil_uuid: uuid.UUID, piece_uuid: uuid.UUID) -> HttpResponseBase:
    """An attachment, downloaded (journaled), never shown inline."""
    professionnel = _professionnel(request)
    if indisponible := _indisponible(request, professionnel):
        return indisponible
    acces = _fil(request, fil_uuid)
    jointe = services.piece_pour_acces(acces=acces, piece_uuid=piece_uuid)

    def echec(erreur: BlobIllisible) -> None:
        return None  # the vault's page says it; nothing to mark on an attachment

    reponse = reponse_blob(
        request, jointe.blob, nom_fichier=jointe.nom, en_ligne=False, en_cas_d_echec=echec
    )
    if reponse.status_code < 300:
        services.piece_telechargement(acces=acces, piece=jointe, ip=client_ip(request))
    return reponse


@login_required
@require_POST
def piece_deposer(request: HttpRequest, fil_uuid: uuid.UUID, piece_uuid: uuid.UUID) -> HttpResponse:
    """Deposit an attachment in the patient's dossier, through the deposit service (the access
    and the type checked again, the ingestion job): it is "en cours de vérification" until the
    job accepts it — "Mes dépôts" follows it."""
    professionnel = _professionnel(request)
    if indisponible := _indisponible(request, professionnel):
        return indisponible
    acces = _fil(request, fil_uuid)
    jointe = services.piece_pour_acces(acces=acces, piece_uuid=piece_uuid)
    form = DeposerPieceForm(request.POST)
    if not form.is_valid():
        for erreurs in form.errors.values():
            for erreur in erreurs:
                messages.error(request, erreur)
        return redirect(_ancre(acces.fil, jointe.message.uuid))
    try:
        document = services.piece_deposer_au_dossier(
            acces=acces,
            piece=jointe,
            type_code=form.cleaned_data["type_code"],
            ip=client_ip(request),
        )
    except Refus as erreur:
        messages.error(request, erreur.message)
        return redirect(_ancre(acces.fil, jointe.message.uuid))
    messages.success(
        request,
        _(
            "« %(nom)s » est transmis au dossier de %(patient)s : il est en cours de "
            "vérification. Suivez-le ci-dessous ou dans « Mes dépôts »."
        )
        % {"nom": jointe.nom, "patient": _nom_patient(acces.fil.espace)},
    )
    return redirect("professionnels:depot", document.uuid)


def _ancre(fil: Fil, message_uuid: uuid.UUID) -> str:
    return reverse("messagerie:pro_fil", args=[fil.uuid]) + f"#message-{message_uuid}"
