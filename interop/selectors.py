"""ITI-67's search, as a filter over what the access package lets the professional read (the
same ``documents_visibles`` as the web pages: matrix, masks, blocking)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from dossier.models import Document, Statut
from dossier.selectors import documents_visibles
from dossier.types import Categorie
from espace_sante.lib.identifiants import OID_RPPS
from professionnels.models import Professionnel

from .acces import AccesLogiciel
from .api import ErreurFhir
from .ressources import STATUTS_SERVIS

STATUTS = {
    "current": (Statut.DISPONIBLE, Statut.EN_TRAITEMENT),
    "superseded": (Statut.ARCHIVE,),
    "entered-in-error": (),
}
PREFIXES = ("eq", "ne", "ge", "le", "gt", "lt")
_DATE = re.compile(r"^(eq|ne|ge|le|gt|lt)?(\d{4}-\d{2}-\d{2})(T.*)?$")


def _invalide(diagnostic: str) -> ErreurFhir:
    return ErreurFhir(400, "invalid", diagnostic)


def _jetons(valeurs: list[str]) -> list[tuple[str, str]]:
    """FHIR token parameters (``system|code`` or ``code``, comma for OR), repeated for AND: here
    every value is an OR of its own and the repetitions intersect."""
    resultat = []
    for valeur in valeurs:
        for partie in valeur.split(","):
            systeme, barre, code = partie.partition("|")
            resultat.append((systeme, code) if barre else ("", systeme))
    return resultat


@dataclass(frozen=True)
class Recherche:
    statuts: tuple[str, ...] | None = None
    types: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    dates: tuple[tuple[str, date], ...] = ()
    auteurs: tuple[str, ...] = field(default=())

    @classmethod
    def lire(
        cls,
        *,
        status: list[str],
        types: list[str],
        category: list[str],
        dates: list[str],
        auteur: list[str],
    ) -> Recherche:
        statuts: list[str] | None = None
        if status:
            statuts = []
            for _systeme, code in _jetons(status):
                if code not in STATUTS:
                    raise _invalide(f"Statut inconnu : « {code} » (current, superseded).")
                statuts.extend(STATUTS[code])
        categories = [code for _s, code in _jetons(category)]
        for code in categories:
            if code not in Categorie.values:
                raise _invalide(f"Catégorie inconnue : « {code} ».")
        jours = []
        for valeur in dates:
            correspondance = _DATE.match(valeur)
            if correspondance is None:
                raise _invalide(f"Date illisible : « {valeur} » (attendu : [ge|le|…]AAAA-MM-JJ).")
            try:
                jour = date.fromisoformat(correspondance.group(2))
            except ValueError as erreur:
                raise _invalide(f"Date impossible : « {valeur} ».") from erreur
            jours.append((correspondance.group(1) or "eq", jour))
        auteurs = []
        for systeme, code in _jetons(auteur):
            if systeme and systeme.removeprefix("urn:oid:") != OID_RPPS:
                raise _invalide("Auteur : seul l'identifiant RPPS (IDNPS) est pris en charge.")
            auteurs.append(code[1:] if len(code) == 12 and code.startswith("8") else code)
        return cls(
            statuts=tuple(statuts) if statuts is not None else None,
            types=tuple(code for _s, code in _jetons(types)),
            categories=tuple(categories),
            dates=tuple(jours),
            auteurs=tuple(auteurs),
        )


def _filtre_date(prefixe: str, jour: date) -> Q:
    champ = "cree_le__date"
    return {
        "eq": Q(**{champ: jour}),
        "ne": ~Q(**{champ: jour}),
        "ge": Q(**{f"{champ}__gte": jour}),
        "le": Q(**{f"{champ}__lte": jour}),
        "gt": Q(**{f"{champ}__gt": jour}),
        "lt": Q(**{f"{champ}__lt": jour}),
    }[prefixe]


def documents_api(*, acces: AccesLogiciel, recherche: Recherche) -> QuerySet[Document]:
    """What the professional may read of the space (``documents_visibles``), filtered."""
    statuts = recherche.statuts if recherche.statuts is not None else STATUTS_SERVIS
    documents = documents_visibles(acces=acces).filter(
        statut__in=[s for s in statuts if s in STATUTS_SERVIS]
    )
    if recherche.types:
        documents = documents.filter(type_code__in=recherche.types)
    if recherche.categories:
        documents = documents.filter(categorie__in=recherche.categories)
    for prefixe, jour in recherche.dates:
        documents = documents.filter(_filtre_date(prefixe, jour))
    if recherche.auteurs:
        ids = [
            str(u)
            for u in Professionnel.objects.filter(rpps__in=recherche.auteurs).values_list(
                "utilisateur__uuid", flat=True
            )
        ]
        documents = documents.filter(auteur_type="professionnel", auteur_id__in=ids)
    return documents.select_related("espace", "version_precedente").order_by("-cree_le", "-id")
