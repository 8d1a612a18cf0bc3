"""The Documents pages of a space: browse, add, read, control."""

from __future__ import annotations

import uuid
from functools import lru_cache
from itertools import groupby
from types import MappingProxyType
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from espace_sante.acces import (
    AccesPatient,
    Rubrique,
    espace_pour_acteur_avec,
    espace_pour_lecture,
    peut_remplacer,
)
from espace_sante.coffre.services import StockageIndisponible
from espace_sante.coffre.televersement import (
    FichierChiffre,
    TeleversementRefuse,
    fichier_televerse,
    televersement_ouvrir,
    vue_de_televersement,
)
from espace_sante.journal.models import Action
from espace_sante.lib.http import client_ip, ecrit
from espace_sante.taches.services import objets_en_attente

from . import selectors, services
from .forms import DepotForm, FiltresForm, ReglagesForm, RemplacementForm
from .lecture_document import VuesDocument, document_presenter
from .models import Document
from .presentation import CHAMPS_LIGNE, lignes_documents
from .reponses import reponse_apercu, reponse_contenu
from .types import TYPES, Categorie

PAR_PAGE = 25
PANNE_STOCKAGE = _lazy(
    "Le stockage des documents est momentanément indisponible : rien n'a été gardé. "
    "Réessayez dans quelques minutes."
)
PANNE_STOCKAGE_FICHIER = _lazy(
    "Le fichier « %(nom)s » n'a pas été gardé : le stockage des documents est momentanément "
    "indisponible. Réessayez dans quelques minutes."
)


def _acces(
    request: HttpRequest,
    espace_uuid: uuid.UUID,
    *avec: str,
    lecture: bool = False,
    rubrique: Rubrique = Rubrique.DOCUMENTS,
    formulaire: bool = False,
) -> AccesPatient:
    """The space, or 404; with ``lecture`` (a page that only reads) a closed space stays
    readable by its holder. The documents' pages are the ``DOCUMENTS`` part of the space (a
    carer's perimeter); the visibility settings and the DMP import are its management.
    ``formulaire``: a page that shows a form to add, change or delete asks for writing on its
    GET too (a read-only carer is not shown a form whose sending would be refused)."""
    if lecture:
        acces = espace_pour_lecture(
            utilisateur=request.user,  # type: ignore[arg-type]
            espace_uuid=espace_uuid,
            avec=avec,
            rubrique=rubrique,
        )
    else:
        acces = espace_pour_acteur_avec(
            utilisateur=request.user,  # type: ignore[arg-type]
            espace_uuid=espace_uuid,
            avec=avec,
            rubrique=rubrique,
            ecriture=formulaire or ecrit(request),
        )
    request.acces = acces  # type: ignore[attr-defined]
    return acces


def _ecriture(acces: AccesPatient) -> dict[str, bool]:
    """What the page may offer: adding, changing or deleting documents (an open space, and a
    person who writes there — never a read-only carer), and the management's links (the DMP
    import: never a carer's)."""
    ouvert = acces.espace.ouvert
    return {
        "ecriture": ouvert and acces.peut_ecrire(Rubrique.DOCUMENTS),
        "gestion": ouvert and acces.peut_ecrire(Rubrique.GESTION),
    }


_PAGES = ("documents", "chronologie", "deposer", "corbeille", "selection", "reglages", "import_dmp")


@lru_cache(maxsize=1024)
def _liens_espace(espace_uuid: uuid.UUID, prefixe: str, urlconf: str) -> MappingProxyType[str, str]:
    liens = {nom: reverse(f"dossier:{nom}", urlconf=urlconf, args=[espace_uuid]) for nom in _PAGES}
    return MappingProxyType(liens)


def _liens(acces: AccesPatient) -> MappingProxyType[str, str]:
    """The addresses of the space's document pages, for its bar and forms: the same on every
    page (reversing them cost about 60 µs each, on every page)."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _liens_espace(acces.espace.uuid, get_script_prefix(), urlconf)


def _liste_url(acces: AccesPatient) -> str:
    return _liens(acces)["documents"]


@lru_cache(maxsize=16)
def _libelles_categories(langue: str | None) -> dict[str, str]:
    """The categories' names in the active language (``langue``, the cache's key)."""
    return {categorie.value: str(categorie.label) for categorie in Categorie}


_CHAMPS_FILTRES = frozenset(FiltresForm.base_fields)


def _filtres(request: HttpRequest) -> tuple[FiltresForm | None, selectors.Filtres]:
    """The filters asked for, and their form when the query string fills it (``None`` when it
    does not: the page shows the empty form)."""
    dossier = request.GET.get("dossier", "").strip()[:100]
    if _CHAMPS_FILTRES.isdisjoint(request.GET):
        return None, selectors.Filtres(dossier=dossier)
    form = FiltresForm(request.GET)
    if form.is_valid():
        d = form.cleaned_data
        return form, selectors.Filtres(
            categorie=d["categorie"],
            type_code=d["type_code"],
            source=d["source"],
            auteur=d["auteur"].strip(),
            du=d["du"],
            au=d["au"],
            recherche=d["q"].strip(),
            dossier=dossier,
            tri=d["tri"] or "-date_acte",
        )
    return form, selectors.Filtres()


_FILTRES_VIDES: dict[str, str] = {}


def _filtres_html(form: FiltresForm | None) -> str:
    """The filter form, rendered once per language while it is empty (it is most of the
    list page's template cost)."""
    if form is not None:
        return render_to_string("dossier/_filtres.html", {"filtres": form})
    langue = get_language() or ""
    if langue not in _FILTRES_VIDES:
        vide = FiltresForm()
        _FILTRES_VIDES[langue] = render_to_string("dossier/_filtres.html", {"filtres": vide})
    return _FILTRES_VIDES[langue]


def _page(request: HttpRequest, acces: AccesPatient) -> dict[str, Any]:
    form, filtres = _filtres(request)
    # Values, not model instances: the rows are only shown (presentation.py).
    documents = selectors.avec_attente(selectors.documents_filtres(acces=acces, filtres=filtres))
    documents = documents.values(*CHAMPS_LIGNE, "en_attente")
    sommaire = selectors.sommaire_documents(acces=acces)
    paginateur = Paginator(documents, PAR_PAGE)
    if filtres == selectors.Filtres(categorie=filtres.categorie, tri=filtres.tri):
        # No other filter: the category counts already say how many there are.
        paginateur.__dict__["count"] = sum(
            n for c, n in sommaire.comptes if not filtres.categorie or c == filtres.categorie
        )
    page = paginateur.get_page(request.GET.get("page"))
    requete = request.GET.copy()
    requete.pop("page", None)
    libelles = _libelles_categories(get_language())
    return {
        "acces": acces,
        **_ecriture(acces),
        "liens": _liens(acces),
        "filtres_html": mark_safe(_filtres_html(form)),  # noqa: S308 (our template)
        "url_documents": _liste_url(acces),
        "page": page,
        "requete": requete.urlencode(),
        "categories": [
            {
                "valeur": categorie.value,
                "libelle": f"{libelles[categorie.value]} ({nombre})",
                "courante": categorie.value == filtres.categorie,
            }
            for categorie, nombre in sommaire.comptes
        ],
        "categorie_active": filtres.categorie,
        "dossiers": sommaire.dossiers,
        "dossier_actif": filtres.dossier,
        "reglages": selectors.reglages(acces=acces),
    }


@login_required
def documents(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, "reglages_dossier", "version_documents", lecture=True)
    contexte = _page(request, acces)
    contexte["lignes"] = lignes_documents(
        contexte["page"].object_list,
        url_documents=contexte["url_documents"],
        selection=contexte["ecriture"],
    )
    contexte["refus"] = selectors.refus_du_titulaire(acces=acces)
    return render(request, "dossier/documents.html", contexte)


@login_required
def chronologie(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, "reglages_dossier", "version_documents", lecture=True)
    contexte = _page(request, acces)
    contexte["mois"] = [
        (
            cle,
            lignes_documents(
                groupe, url_documents=contexte["url_documents"], selection=contexte["ecriture"]
            ),
        )
        for cle, groupe in groupby(
            contexte["page"].object_list, key=lambda d: d["date_acte"].replace(day=1)
        )
    ]
    return render(request, "dossier/chronologie.html", contexte)


def _fichiers(request: HttpRequest, champ: str) -> tuple[list[FichierChiffre], str | None]:
    """The uploaded files of a field, or the refusal message (nothing kept)."""
    try:
        fichier_televerse(request, champ)  # checks the handler's refusals and the first file
    except TeleversementRefuse as refus:
        for autre in request.FILES.getlist(champ):
            if isinstance(autre, FichierChiffre):
                autre.abandonner()
        return [], refus.message
    return [f for f in request.FILES.getlist(champ) if isinstance(f, FichierChiffre)], None


def _message_depot(deposes: list[Document]) -> str:
    """What the person is told is true: the files are received, their checks are still to
    come (a file may be refused then: it is told on the documents page), and their job may be
    waiting for the broker to come back."""
    n = len(deposes)
    if objets_en_attente(objet_type="document", objet_ids=[d.pk for d in deposes]):
        return ngettext(
            "%(n)s fichier reçu et enregistré. Son traitement est en attente : il se fera "
            "automatiquement dans quelques minutes, inutile de l'envoyer à nouveau.",
            "%(n)s fichiers reçus et enregistrés. Leur traitement est en attente : il se fera "
            "automatiquement dans quelques minutes, inutile de les envoyer à nouveau.",
            n,
        ) % {"n": n}
    return ngettext(
        "%(n)s fichier reçu ; son traitement est en cours.",
        "%(n)s fichiers reçus ; leur traitement est en cours.",
        n,
    ) % {"n": n}


CONSEIL_REFUS = _lazy(
    "Vous pouvez l'enregistrer en PDF ou en image (JPEG, PNG) depuis votre ordinateur ou votre "
    "téléphone, puis l'ajouter à nouveau."
)


def refus_en_clair(nom_fichier: str, motif: str, *, conseil: str | None = None) -> str:
    """A refused file, said once in plain words with what to do next."""
    conseil = str(CONSEIL_REFUS) if conseil is None else conseil
    return _("Le fichier « %(nom)s » n'a pas été ajouté : %(motif)s %(conseil)s") % {
        "nom": nom_fichier,
        "motif": motif.strip(),
        "conseil": conseil,
    }


@login_required
@vue_de_televersement
def deposer(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, formulaire=True)
    if request.method != "POST":
        type_demande = request.GET.get("type", "")
        initial = {"type_code": type_demande} if type_demande in TYPES else {}
        return render(
            request, "dossier/deposer.html", {"acces": acces, "form": DepotForm(initial=initial)}
        )
    televersement_ouvrir(request)
    fichiers, refus = _fichiers(request, "fichiers")
    form = DepotForm(request.POST, request.FILES)
    if refus:
        form.is_valid()
        form.add_error("fichiers", refus)
    panne = False
    if form.is_valid():
        deposes, refuses = [], []
        for fichier in fichiers:
            if panne:  # the storage is away: the files after it are not kept either
                fichier.abandonner()
                refuses.append(str(PANNE_STOCKAGE_FICHIER) % {"nom": fichier.name or ""})
                continue
            titre = form.cleaned_data["titre"]
            if len(fichiers) > 1:
                titre = f"{titre} — {fichier.name}"
            try:
                deposes.append(
                    services.document_deposer(
                        acces=acces,
                        fichier=fichier,
                        titre=titre,
                        date_acte=form.cleaned_data["date_acte"],
                        type_code=form.cleaned_data["type_code"],
                        dossier_utilisateur=form.cleaned_data["dossier_utilisateur"],
                        ip=client_ip(request),
                    )
                )
            except services.Refus as erreur:
                refuses.append(refus_en_clair(fichier.name or "", erreur.message))
            except StockageIndisponible:
                panne = True
                refuses.append(str(PANNE_STOCKAGE_FICHIER) % {"nom": fichier.name or ""})
        for message in refuses:
            form.add_error("fichiers", message)
        if deposes and not refuses:
            messages.success(request, _message_depot(deposes))
            suite = (
                reverse("dossier:document", args=[acces.espace.uuid, deposes[0].uuid])
                if len(deposes) == 1
                else _liste_url(acces)
            )
            if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                return JsonResponse({"suite": suite})  # the page's script goes there
            return redirect(suite)
        if deposes:
            # The refusals are the form's errors; what was kept is said apart, as information
            # (not a success beside a refusal), and counts only what was kept.
            messages.info(request, _message_depot(deposes))
    else:
        for fichier in fichiers:
            fichier.abandonner()
    return render(
        request,
        "dossier/deposer.html",
        {"acces": acces, "form": form},
        status=503 if panne else 400,
    )


def _document(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID, *, lecture: bool = False
) -> tuple[AccesPatient, Document]:
    acces = _acces(request, espace_uuid, lecture=lecture)
    return acces, selectors.document_pour_acteur(acces=acces, document_uuid=document_uuid)


def _vers_le_refus(acces: AccesPatient, document_uuid: uuid.UUID) -> bool:
    """Whether ``document_uuid`` is a refused file the holder's side is still to be told about
    (the page that followed its upload, reloaded once its checks refused it)."""
    return selectors.refus_pour_acteur(acces=acces, document_uuid=document_uuid) is not None


@login_required
def document(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID
) -> HttpResponse:
    acces = _acces(request, espace_uuid, lecture=True)
    try:
        doc = selectors.document_pour_acteur(acces=acces, document_uuid=document_uuid)
    except Http404:
        if not _vers_le_refus(acces, document_uuid):
            raise
        return redirect(_liste_url(acces) + "#fichiers-refuses")
    services.document_consultation(
        acces=acces, document=doc, action=Action.DOCUMENT_CONSULTE, ip=client_ip(request)
    )
    contexte = {
        "acces": acces,
        **_ecriture(acces),
        "document": doc,
        "en_attente": selectors.document_en_attente(doc),
        "type": doc.type_document,
        "presentation": document_presenter(
            acces=acces,
            document=doc,
            vues=VuesDocument(
                contenu="dossier:contenu",
                apercu="dossier:apercu",
                resultats=reverse("dossier:resultats:liste", args=[acces.espace.uuid]),
                carnet=reverse("profil:profil_medical", args=[acces.espace.uuid]),
            ),
        ),
        "versions": _versions(doc),
        "remplacement": RemplacementForm(),
        "peut_remplacer": peut_remplacer(acces=acces, document=doc),
    }
    return render(request, "dossier/document.html", contexte)


def _versions(doc: Document) -> list[Document]:
    versions: list[Document] = []
    courant = doc.version_precedente
    while courant is not None and len(versions) < 20:
        versions.append(courant)
        courant = courant.version_precedente
    return versions


@login_required
def contenu(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID
) -> HttpResponseBase:
    acces, doc = _document(request, espace_uuid, document_uuid, lecture=True)
    en_ligne = request.GET.get("en_ligne") == "1"
    if not en_ligne and doc.blob is not None:
        services.document_consultation(
            acces=acces, document=doc, action=Action.DOCUMENT_TELECHARGE, ip=client_ip(request)
        )
    return reponse_contenu(request, acces, doc, en_ligne=en_ligne)


@login_required
def apercu(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID, genre: str, rang: int
) -> HttpResponseBase:
    acces, doc = _document(request, espace_uuid, document_uuid, lecture=True)
    return reponse_apercu(request, acces, doc, genre, rang)


@login_required
def statut(request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID) -> JsonResponse:
    acces = _acces(request, espace_uuid)
    doc = selectors.refus_pour_acteur(acces=acces, document_uuid=document_uuid)
    if doc is None:  # not a refused file: a document the actor reads, or 404
        doc = selectors.document_pour_acteur(acces=acces, document_uuid=document_uuid)
    en_attente = selectors.document_en_attente(doc)
    return JsonResponse(
        {
            "statut": doc.statut,
            "libelle": _("En attente") if en_attente else doc.get_statut_display(),
            "en_attente": en_attente,
            "motif": doc.motif_erreur,
        }
    )


@login_required
@require_POST
def document_action(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID, action: str
) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    if action == "ecarter":  # the notice of a refused file, read
        refuse = selectors.refus_pour_acteur(acces=acces, document_uuid=document_uuid)
        if refuse is None:
            raise Http404
        services.refus_ecarter(acces=acces, document=refuse)
        return redirect(_liste_url(acces) + "#fichiers-refuses")
    supprime = action == "restaurer"
    doc = selectors.document_pour_acteur(
        acces=acces, document_uuid=document_uuid, supprime=supprime
    )
    ip = client_ip(request)
    try:
        if action in {"masquer", "afficher"}:
            services.documents_masquer(
                acces=acces, documents=[doc], masque=action == "masquer", ip=ip
            )
            messages.success(request, _("Visibilité du document mise à jour."))
        elif action == "supprimer":
            services.document_supprimer(acces=acces, document=doc, ip=ip)
            messages.success(
                request,
                _("Document supprimé. Vous pouvez l'annuler pendant 30 jours depuis la corbeille."),
            )
            return redirect(_liste_url(acces))
        elif action == "restaurer":
            services.document_restaurer(acces=acces, document=doc, ip=ip)
            messages.success(request, _("Document restauré."))
        else:
            raise Http404
    except services.Refus as refus:
        messages.error(request, refus.message)
    return redirect("dossier:document", acces.espace.uuid, doc.uuid)


@login_required
@require_POST
def selection(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    identifiants = []
    for valeur in request.POST.getlist("documents"):
        try:
            identifiants.append(uuid.UUID(valeur))
        except ValueError as exc:
            raise Http404 from exc
    documents = list(selectors.documents_visibles(acces=acces).filter(uuid__in=identifiants))
    if len(documents) != len(set(identifiants)):
        raise Http404
    action = request.POST.get("action")
    ip = client_ip(request)
    if not documents:
        messages.warning(request, _("Cochez au moins un document."))
    elif action in {"masquer", "afficher"}:
        try:
            n = services.documents_masquer(
                acces=acces, documents=documents, masque=action == "masquer", ip=ip
            )
            messages.success(
                request,
                ngettext("%(n)s document mis à jour.", "%(n)s documents mis à jour.", n) % {"n": n},
            )
        except services.Refus as refus:
            messages.error(request, refus.message)
    elif action == "supprimer":
        for doc in documents:
            services.document_supprimer(acces=acces, document=doc, ip=ip)
        n = len(documents)
        messages.success(
            request,
            ngettext("%(n)s document supprimé.", "%(n)s documents supprimés.", n) % {"n": n},
        )
    else:
        messages.error(request, _("Action inconnue."))
    retour = request.POST.get("retour") or ""
    return redirect(retour if _local(retour) else _liste_url(acces))


def _local(url: str | None) -> bool:
    return bool(url) and url.startswith("/") and not url.startswith("//")  # type: ignore[union-attr]


@login_required
@require_POST
def reglages(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid, rubrique=Rubrique.GESTION)
    if not acces.peut_regler_visibilite:
        raise Http404
    form = ReglagesForm(request.POST)
    if form.is_valid():
        services.dossier_regler(
            acces=acces,
            tout_masque=form.cleaned_data["tout_masque"],
            masquer_nouveaux=form.cleaned_data["masquer_nouveaux"],
            ip=client_ip(request),
        )
        messages.success(request, _("Vos choix de visibilité sont enregistrés."))
    return redirect(_liste_url(acces))


@login_required
def corbeille(request: HttpRequest, espace_uuid: uuid.UUID) -> HttpResponse:
    acces = _acces(request, espace_uuid)
    documents = selectors.documents_supprimes(acces=acces)[:200]
    return render(
        request,
        "dossier/corbeille.html",
        {"acces": acces, **_ecriture(acces), "liens": _liens(acces), "documents": documents},
    )


@login_required
@require_POST
@vue_de_televersement
def remplacer(
    request: HttpRequest, espace_uuid: uuid.UUID, document_uuid: uuid.UUID
) -> HttpResponse:
    acces, ancien = _document(request, espace_uuid, document_uuid)
    televersement_ouvrir(request)
    fichiers, refus = _fichiers(request, "fichier")
    if refus:
        messages.error(request, refus)
        return redirect("dossier:document", acces.espace.uuid, ancien.uuid)
    try:
        nouveau = services.document_remplacer(
            acces=acces,
            ancien=ancien,
            fichier=fichiers[0],
            titre=request.POST.get("titre", ""),
            ip=client_ip(request),
        )
    except services.Refus as erreur:
        messages.error(request, erreur.message)
        return redirect("dossier:document", acces.espace.uuid, ancien.uuid)
    messages.success(request, _("Nouvelle version ajoutée ; l'ancienne reste consultable."))
    return redirect("dossier:document", acces.espace.uuid, nouveau.uuid)
