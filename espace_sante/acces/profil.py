"""The medical profile (DESIGN.md §6): who reads it, who writes which part of it.

Reads: the holder and representatives read the profile — a representative without the
minor's secrets; a professional with an access reads it if the matrix lets their profession
read type DOCPAT08 and the holder has not hidden everything, and the directives anticipées if
it lets them read type EXPPAT_3.

Entries taken from a document (vaccinations read at its ingestion: ``document_uuid``) are read
with their document: by whoever reads that document (``documents_lisibles``: not once it is
deleted, held back from the patient, hidden from professionals, a minor's secret for a
representative, or out of a professional's matrix), and only while it is the current version.

Writes: the holder and representatives write every section; a professional adds measures and
vaccinations only, shown as theirs. The directives anticipées, the personne de confiance and
the position on organ donation belong to the adult holder alone (the law reserves them to
adults); habits may be kept by a minor's representative too.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Q, QuerySet

from dossier.models import Statut
from profil.models import ElementProfil

from .acteurs import Acces, AccesPatient, AccesPro
from .documents import documents_lisibles
from .matrice import TYPE_DIRECTIVES, TYPE_PROFIL, lit
from .secret_mineur import lit_les_secrets

E = TypeVar("E", bound=ElementProfil)

SECTIONS_PROFESSIONNELS = frozenset({"mesures", "vaccinations"})
RESERVES_AUX_MAJEURS = frozenset({"directives", "personne_confiance", "don_organes"})


# --- Reads --------------------------------------------------------------------------------------


def profil_lisible(*, acces: Acces) -> bool:
    if isinstance(acces, AccesPro):
        return not acces.tout_masque and lit(acces.matrice, TYPE_PROFIL)
    return True


def directives_lisibles(*, acces: Acces) -> bool:
    """(``profil_lisible`` already said they read the profile.)"""
    if isinstance(acces, AccesPro):
        return lit(acces.matrice, TYPE_DIRECTIVES)
    return True


def entrees_profil_lisibles(*, acces: Acces, modele: type[E]) -> QuerySet[E]:
    """A space's profile entries of one kind the actor may read (the caller has checked
    ``profil_lisible``): a legal representative never reads the minor's secrets; an entry
    taken from a document is read with that document, while it is the current version."""
    entrees = modele._default_manager.filter(espace=acces.espace)
    if not lit_les_secrets(acces):
        entrees = entrees.filter(secret_mineur=False)
    if any(champ.name == "document_uuid" for champ in modele._meta.concrete_fields):
        sources = documents_lisibles(acces=acces).exclude(statut=Statut.ARCHIVE)
        entrees = entrees.filter(
            Q(document_uuid__isnull=True) | Q(document_uuid__in=sources.values("uuid"))
        )
    return entrees


# --- Writes -------------------------------------------------------------------------------------


def majeur_titulaire(acces: Acces) -> bool:
    """The adult holder of the space."""
    return acces.est_titulaire and not acces.espace.est_mineur


def peut_ecrire_section(*, acces: Acces, cle: str) -> bool:
    """May the actor add to a section of the profile (allergies, measures…)?"""
    return not acces.est_professionnel or cle in SECTIONS_PROFESSIONNELS


def peut_ecrire_unique(*, acces: AccesPatient, cle: str) -> bool:
    """May the holder or representative write a one-per-person part of the profile?"""
    return cle not in RESERVES_AUX_MAJEURS or majeur_titulaire(acces)
