"""The Remboursements page's context, ready to show (the view stays a few lines)."""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.urls import reverse

from espace_sante.acces import AccesPatient

from ..models import LigneRemboursement, OrigineRemboursement
from . import selectors
from .cnam_hr import documents_lire

PAR_PAGE = 50
CHAMPS_FILTRES = frozenset(selectors.FiltresRemboursementsForm.base_fields)


def _ligne(ligne: LigneRemboursement, espace_uuid: Any) -> dict[str, Any]:
    try:
        codes = json.loads(ligne.codes) if ligne.codes else {}
    except ValueError:
        codes = {}
    montants = ligne.montants
    return {
        "date": ligne.date_soins,
        "nature": selectors.LIBELLES_NATURES.get(ligne.nature, ligne.nature),
        "libelle": ligne.libelle,
        "codes": " · ".join(
            f"{cle.upper() if cle == 'atc' else codes.get('systeme', '')} {valeur}"
            for cle, valeur in codes.items()
            if cle in {"code", "atc"} and valeur
        ),
        "professionnel": ligne.professionnel,
        "quantite": ligne.quantite,
        **{nom: selectors.montant_fr(valeur) for nom, valeur in montants.items()},
        "document_url": (
            reverse("dossier:document", args=[espace_uuid, ligne.document.uuid])
            if ligne.origine == OrigineRemboursement.DOCUMENT and ligne.document is not None
            else ""
        ),
    }


def page_remboursements(request: HttpRequest, acces: AccesPatient) -> dict[str, Any]:
    documents_lire(espace=acces.espace)  # CNAM-HR documents deposited since (read once)
    toutes = selectors.remboursements_visibles(acces=acces)
    form = selectors.FiltresRemboursementsForm(
        request.GET if not CHAMPS_FILTRES.isdisjoint(request.GET) else None,
        professionnels=selectors.professionnels(toutes),
    )
    lignes = selectors.remboursements_filtres(toutes, form.filtres())
    par_annee = selectors.totaux_par_annee(lignes)
    page = Paginator(
        lignes.select_related("document").order_by("-date_soins", "-id"), PAR_PAGE
    ).get_page(request.GET.get("page"))
    requete = request.GET.copy()
    requete.pop("page", None)
    return {
        "acces": acces,
        "filtres": form,
        "page": page,
        "requete": requete.urlencode(),
        "lignes": [_ligne(ligne, acces.espace.uuid) for ligne in page.object_list],
        "par_annee": par_annee,
        "par_nature": selectors.totaux_par_nature(lignes),
        "graphique": selectors.graphique_reste_a_charge(par_annee),
        "synchro": getattr(acces.espace, "synchro_remboursements", None),
    }
