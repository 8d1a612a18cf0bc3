"""Which documents an actor may see (DESIGN.md §3–§4), at the query level."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Max,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone

from espace_sante.acces import Acces, AccesPatient, documents_lisibles, refus_a_signaler
from espace_sante.coffre.champs import chiffrer_texte, dechiffrer_texte
from espace_sante.coffre.cles import CleIndisponible
from espace_sante.taches.services import en_attente_expression, objets_en_attente
from profil.models import Espace

from .models import (
    Document,
    ReglagesDossier,
    Source,
    Statut,
    VersionDocuments,
    empreinte_dossier,
)
from .types import Categorie


def documents_visibles(*, acces: Acces) -> QuerySet[Document]:
    """Documents of the space the actor may read, by the one policy (DESIGN.md §4):
    ``espace_sante.acces`` decides for the holder, a representative and a professional."""
    return documents_lisibles(acces=acces)


def document_pour_acteur(
    *, acces: Acces, document_uuid: uuid.UUID, supprime: bool = False
) -> Document:
    documents = (
        documents_supprimes(acces=acces) if supprime else documents_visibles(acces=acces)
    ).select_related("blob", "version_precedente", "version_suivante")
    document = documents.filter(uuid=document_uuid).first()
    if document is None:
        raise Http404
    return document


def documents_supprimes(*, acces: Acces) -> QuerySet[Document]:
    """The holder's bin (nothing for a professional: deleted means gone for them)."""
    return documents_lisibles(acces=acces, supprimes=True).order_by("-supprime_le")


@dataclass(frozen=True)
class Refus:
    """A refused file, told to the holder's side once: what, when, why, and what to do."""

    uuid: uuid.UUID
    titre: str
    nom_fichier: str
    le: date
    motif: str


def refus_du_titulaire(*, acces: AccesPatient) -> list[Refus]:
    """The notices "Fichiers refusés" of the documents page (at most 50, newest first); the
    title and file name are decrypted here, for the page only."""
    return [
        Refus(
            uuid=d.uuid,
            titre=d.titre,
            nom_fichier=d.nom_fichier,
            le=timezone.localtime(d.traite_le or d.cree_le).date(),
            motif=d.motif_erreur,
        )
        for d in refus_a_signaler(acces=acces)[:50]
    ]


def refus_pour_acteur(*, acces: AccesPatient, document_uuid: uuid.UUID) -> Document | None:
    """The refused file behind a notice, or ``None``."""
    return refus_a_signaler(acces=acces).filter(uuid=document_uuid).first()


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
}


def _cherche(texte: str, recherche: str) -> bool:
    return recherche in texte.casefold()


def _en_memoire(documents: QuerySet[Document], filtres: Filtres) -> QuerySet[Document]:
    """Title and author are encrypted (docs/DOCUMENTS.md): a search on them, or the sort by
    title, decrypts the space's candidate rows (those the other filters, in SQL, kept) in
    memory, then returns them by id, in order. One query more, only when asked for."""
    auteur = filtres.auteur.casefold()
    recherche = filtres.recherche.casefold()
    lignes = [
        (pk, titre)
        for pk, titre, nom in documents.values_list("id", "titre", "auteur_nom")
        if (not auteur or _cherche(nom, auteur))
        and (not recherche or _cherche(titre, recherche) or _cherche(nom, recherche))
    ]
    if filtres.tri != "titre":
        return documents.filter(id__in=[pk for pk, _ in lignes]).order_by(
            *TRIS.get(filtres.tri, TRIS["-date_acte"])
        )
    lignes.sort(key=lambda ligne: (ligne[1].casefold(), ligne[0]))
    if not lignes:
        return documents.none()
    rang = Case(
        *(When(id=pk, then=Value(i)) for i, (pk, _) in enumerate(lignes)),
        output_field=IntegerField(),
    )
    return documents.filter(id__in=[pk for pk, _ in lignes]).order_by(rang)


def documents_filtres(*, acces: Acces, filtres: Filtres) -> QuerySet[Document]:
    documents = documents_visibles(acces=acces).exclude(statut=Statut.ARCHIVE)
    if filtres.categorie:
        documents = documents.filter(categorie=filtres.categorie)
    if filtres.type_code:
        documents = documents.filter(type_code=filtres.type_code)
    if filtres.source:
        documents = documents.filter(source=filtres.source)
    if filtres.du:
        documents = documents.filter(date_acte__gte=filtres.du)
    if filtres.au:
        documents = documents.filter(date_acte__lte=filtres.au)
    if filtres.dossier:
        documents = documents.filter(
            dossier_empreinte=empreinte_dossier(acces.espace.pk, filtres.dossier)
        )
    if filtres.auteur or filtres.recherche or filtres.tri == "titre":
        return _en_memoire(documents, filtres)
    return documents.order_by(*TRIS.get(filtres.tri, TRIS["-date_acte"]))


def avec_attente(documents: QuerySet[Document]) -> QuerySet[Document]:
    """``en_attente``: the document is "en traitement" and its job has not reached the broker
    yet (the broker was away: docs/TACHES.md). Looked up only for such rows."""
    return documents.annotate(
        en_attente=Case(
            When(statut=Statut.EN_TRAITEMENT, then=en_attente_expression("document")),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def document_en_attente(document: Document) -> bool:
    """The same, for one document (one query, only while it is "en traitement")."""
    return document.statut == Statut.EN_TRAITEMENT and bool(
        objets_en_attente(objet_type="document", objet_ids=[document.pk])
    )


def comptes_par_categorie(*, acces: AccesPatient) -> list[tuple[Categorie, int]]:
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


def _noms_dossiers(noms: dict[str, str]) -> list[str]:
    """At most 100 folder names (one per blind index), by name."""
    return sorted(noms.values(), key=lambda nom: (nom.casefold(), nom))[:100]


def _noms_en_clair(empreintes_noms: dict[str, str]) -> list[str]:
    """Decrypt one (raw, encrypted) name per folder."""
    etiquette = Document._meta.get_field("dossier_utilisateur").etiquette
    return _noms_dossiers(
        {e: dechiffrer_texte(nom, etiquette=etiquette) for e, nom in empreintes_noms.items()}
    )


# One of the encrypted names of a folder, as stored: decrypted once per folder, not per row.
_NOM_BRUT = Max(Cast("dossier_utilisateur", TextField()))


def _sommaire_calcule(*, acces: AccesPatient) -> Sommaire:
    """``comptes_par_categorie`` and ``dossiers_utilisateur`` in one pass over the space's
    documents: one row per (category, folder) pair, grouped on the folder's blind index; the
    name of each folder is one of its (encrypted) names, decrypted here."""
    paires = (
        documents_visibles(acces=acces)
        .values_list("categorie", "dossier_empreinte")
        .annotate(n=Count("id", filter=~Q(statut=Statut.ARCHIVE)), nom=_NOM_BRUT)
        .order_by()
    )
    comptes: dict[str, int] = {}
    dossiers: dict[str, str] = {}
    for categorie, empreinte, n, nom in paires:
        comptes[categorie] = comptes.get(categorie, 0) + n
        if empreinte and nom:
            dossiers.setdefault(empreinte, nom)
    return Sommaire(
        comptes=[(categorie, comptes.get(categorie, 0)) for categorie in Categorie],
        dossiers=_noms_en_clair(dossiers),
    )


# The summary of a space as one reader sees it, cached while the space's documents do not
# change: the key carries the space's ``VersionDocuments`` token, which the database's
# triggers renew at every write to its documents (dossier/declencheurs.py), so an entry is
# never read after a write. What the holder and a representative see differ (a minor's
# secrets), hence one entry each. The entry is encrypted (counts and folder names are health
# metadata: the cache holds no plaintext), bound to its key by the encryption's label.
SOMMAIRE_DUREE = 6 * 3600  # seconds; the token, not this, keeps entries true


def _version_documents(espace: Espace) -> str:
    """The space's token: read with the space when its access check asked for it
    (``avec=("version_documents",)``: the list pages), else by its key; "" when the space
    never had a document written."""
    if Espace.version_documents.is_cached(espace):
        try:
            return espace.version_documents.jeton
        except VersionDocuments.DoesNotExist:
            return ""
    jeton = VersionDocuments.objects.filter(espace_id=espace.pk).values_list("jeton", flat=True)
    return jeton.first() or ""


def sommaire_documents(*, acces: AccesPatient) -> Sommaire:
    """What the list pages show besides their rows, for this reader (``Sommaire``)."""
    jeton = _version_documents(acces.espace)
    if not jeton:  # no document was ever written: nothing to count, nothing to key on
        return _sommaire_calcule(acces=acces)
    # The holder reads every document; a representative, tutor or carer the same ones, without
    # a minor's secrets (``lit_les_secrets``): two cached summaries.
    lecteur = "titulaire" if acces.est_titulaire else "representant"
    etiquette = f"dossier.sommaire|{acces.espace.uuid}|{lecteur}"
    cle = f"dossier:sommaire:{acces.espace.uuid}:{lecteur}:{jeton}"
    chiffre = cache.get(cle)
    if chiffre is not None:
        try:
            contenu = json.loads(dechiffrer_texte(chiffre, etiquette=etiquette))
            return Sommaire(
                comptes=[(Categorie(c), n) for c, n in contenu["comptes"]],
                dossiers=contenu["dossiers"],
            )
        except (CleIndisponible, ValueError, KeyError, TypeError):
            pass  # written under a retired key, or altered: computed again below
    sommaire = _sommaire_calcule(acces=acces)
    contenu = {
        "comptes": [[categorie.value, n] for categorie, n in sommaire.comptes],
        "dossiers": sommaire.dossiers,
    }
    cache.set(cle, chiffrer_texte(json.dumps(contenu), etiquette=etiquette), SOMMAIRE_DUREE)
    return sommaire


def dossiers_utilisateur(*, acces: AccesPatient) -> list[str]:
    """The folders the person filed documents into."""
    return _noms_en_clair(
        dict(
            documents_visibles(acces=acces)
            .exclude(dossier_empreinte="")
            .values_list("dossier_empreinte")
            .annotate(nom=_NOM_BRUT)
            .values_list("dossier_empreinte", "nom")
            .order_by()
        )
    )


def reglages(*, acces: AccesPatient) -> ReglagesDossier:
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
