"""Which documents an actor may see (DESIGN.md §3–§4), at the query level."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from professionnels.politique import AccesPro, documents_lisibles
from profil.models import Espace
from profil.selectors import Acces

from .models import Document, ReglagesDossier, Source, Statut
from .types import Categorie


def documents_visibles(*, acces: Acces | AccesPro) -> QuerySet[Document]:
    """Documents of the space the actor may read, by the one policy (DESIGN.md §4):
    ``professionnels.politique`` decides for the holder, a representative and a professional."""
    return documents_lisibles(acces=acces)


def document_pour_acteur(
    *, acces: Acces | AccesPro, document_uuid: uuid.UUID, supprime: bool = False
) -> Document:
    documents = (
        documents_supprimes(acces=acces) if supprime else documents_visibles(acces=acces)
    ).select_related("blob", "version_precedente", "version_suivante")
    document = documents.filter(uuid=document_uuid).first()
    if document is None:
        raise Http404
    return document


def documents_supprimes(*, acces: Acces | AccesPro) -> QuerySet[Document]:
    """The holder's bin (nothing for a professional: deleted means gone for them)."""
    return documents_lisibles(acces=acces, supprimes=True).order_by("-supprime_le")


@dataclass(frozen=True)
class Filtres:
    categorie: str = ""
    type_code: str = ""
    source: str = ""
    auteur: str = ""
    du: date | None = None
    au: date | None = None
    recherche: str = ""
    dossier: str = ""
    tri: str = "-date_acte"


# The date sorts start with the space and the deletion mark, the same for every row of a list
# (one space, documents not deleted): PostgreSQL then reads a page in the order of the index
# (espace, supprime_le, -date_acte, -cree_le), forwards or backwards, instead of sorting every
# document of the space (first page of 2,000 documents: 0.1 ms instead of 1.8 ms).
TRIS = {
    "-date_acte": ("espace_id", "supprime_le", "-date_acte", "-cree_le", "-id"),
    "date_acte": ("-espace_id", "-supprime_le", "date_acte", "cree_le", "id"),
    "-cree_le": ("-cree_le", "-id"),
    "titre": ("titre", "id"),
}


def documents_filtres(*, acces: Acces | AccesPro, filtres: Filtres) -> QuerySet[Document]:
    documents = documents_visibles(acces=acces).exclude(statut=Statut.ARCHIVE)
    if filtres.categorie:
        documents = documents.filter(categorie=filtres.categorie)
    if filtres.type_code:
        documents = documents.filter(type_code=filtres.type_code)
    if filtres.source:
        documents = documents.filter(source=filtres.source)
    if filtres.auteur:
        documents = documents.filter(auteur_nom__icontains=filtres.auteur)
    if filtres.du:
        documents = documents.filter(date_acte__gte=filtres.du)
    if filtres.au:
        documents = documents.filter(date_acte__lte=filtres.au)
    if filtres.dossier:
        documents = documents.filter(dossier_utilisateur=filtres.dossier)
    if filtres.recherche:
        documents = documents.filter(
            Q(titre__icontains=filtres.recherche) | Q(auteur_nom__icontains=filtres.recherche)
        )
    return documents.order_by(*TRIS.get(filtres.tri, TRIS["-date_acte"]))


def comptes_par_categorie(*, acces: Acces) -> list[tuple[Categorie, int]]:
    comptes = dict(
        documents_visibles(acces=acces)
        .exclude(statut=Statut.ARCHIVE)
        .values_list("categorie")
        .annotate(n=Count("id"))
        .values_list("categorie", "n")
    )
    return [(categorie, comptes.get(categorie, 0)) for categorie in Categorie]


@dataclass(frozen=True)
class Sommaire:
    """What a list page shows besides its rows: the count of each category (archived
    documents not counted) and the person's folders (at most 100, by name)."""

    comptes: list[tuple[Categorie, int]]
    dossiers: list[str]


def sommaire_documents(*, acces: Acces) -> Sommaire:
    """``comptes_par_categorie`` and ``dossiers_utilisateur`` in one pass over the space's
    documents: one row per (category, folder) pair."""
    paires = (
        documents_visibles(acces=acces)
        .values_list("categorie", "dossier_utilisateur")
        .annotate(n=Count("id", filter=~Q(statut=Statut.ARCHIVE)))
        .order_by("dossier_utilisateur")  # the folders in the database's collation
    )
    comptes: dict[str, int] = {}
    dossiers: dict[str, None] = {}
    for categorie, dossier, n in paires:
        comptes[categorie] = comptes.get(categorie, 0) + n
        if dossier:
            dossiers[dossier] = None
    return Sommaire(
        comptes=[(categorie, comptes.get(categorie, 0)) for categorie in Categorie],
        dossiers=list(dossiers)[:100],
    )


def dossiers_utilisateur(*, acces: Acces) -> list[str]:
    """The folders the person filed documents into."""
    return list(
        documents_visibles(acces=acces)
        .exclude(dossier_utilisateur="")
        .order_by("dossier_utilisateur")
        .values_list("dossier_utilisateur", flat=True)
        .distinct()[:100]
    )


def reglages(*, acces: Acces) -> ReglagesDossier:
    """The holder's choices (defaults when never saved). Read with the space when its access
    check asked for them (``espace_pour_acteur_avec(avec=("reglages_dossier",))``: the list
    pages), else by their unique key."""
    espace = acces.espace
    if Espace.reglages_dossier.is_cached(espace):
        try:
            return espace.reglages_dossier
        except ReglagesDossier.DoesNotExist:
            return ReglagesDossier(espace=espace)
    return ReglagesDossier.objects.filter(espace=espace).first() or ReglagesDossier(espace=espace)


__all__ = ["Filtres", "Source"]
