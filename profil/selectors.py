"""Which spaces a logged-in person may act for, and as what (DESIGN.md §2–§4).

Every portal page that belongs to a space finds it through ``espace_pour_acteur``: what the
person may not act for answers 404, exactly like what does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model, OneToOneRel
from django.db.models.expressions import Col
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.models import TypeActeur
from espace_sante.journal.services import Acteur

from .models import Espace, Statut, limite_naissance_mineur

M = TypeVar("M", bound=Model)


class Role(StrEnum):
    TITULAIRE = "titulaire"
    REPRESENTANT = "representant"


@dataclass(frozen=True)
class Acces:
    espace: Espace
    role: Role
    utilisateur: Utilisateur
    # Every space the person may act for (this one included), read by the same query: the
    # header's space switcher shows them. ``None`` when not read.
    possibles: tuple[Acces, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def est_titulaire(self) -> bool:
        return self.role == Role.TITULAIRE

    @property
    def peut_regler_visibilite(self) -> bool:
        """Who decides what professionals see: the holder, or a minor's representative."""
        return self.est_titulaire or self.espace.est_mineur

    @property
    def espace_url(self) -> str:
        return reverse("profil:espace", args=[self.espace.uuid])

    @property
    def acteur(self) -> Acteur:
        type_acteur = TypeActeur.TITULAIRE if self.est_titulaire else TypeActeur.REPRESENTANT
        return Acteur.pour_utilisateur(self.utilisateur, type_acteur)


STATUTS_VISIBLES_TITULAIRE = [Statut.ACTIF, Statut.CLOTURE]
STATUTS_VISIBLES_REPRESENTANT = [Statut.CREE, Statut.ACTIF]


def _colonnes(modele: type[Model], alias: str, prefixe: str = "") -> str:
    """The model's columns, each named (``prefixe`` + its name) for the UNION's ORDER BY."""
    q = connection.ops.quote_name
    return ", ".join(
        f"{alias}.{q(str(f.column))} AS {q(f'{prefixe}{f.column}')}"
        for f in modele._meta.concrete_fields
    )


@cache
def _sql_espaces(avec: tuple[str, ...]) -> str:
    """The spaces a person may act for, in one statement: their own (active or closed), and
    the minors they represent today (link running, both spaces open). Two indexed lookups
    joined by UNION ALL (an OR of both made PostgreSQL scan every space; a person owns one
    space at most, so the two parts never overlap). ``avec`` names one-to-one relations of
    the space read along (a LEFT JOIN each, like ``select_related``).

    Written as SQL because every page of a space runs it: the same rule through the ORM (the
    space by its uuid, then a UNION of two querysets for the header's switcher) cost about
    3 ms of CPU per query to build and compile, against 0.3 ms for this statement, which
    answers both (bench/pages.py)."""
    q = connection.ops.quote_name
    colonnes, jointures = [_colonnes(Espace, "e")], []
    for rang, nom in enumerate(avec):
        lien = _relation(nom)
        colonnes.append(_colonnes(lien.related_model, f"a{rang}", f"a{rang}_"))
        table, cle = q(lien.related_model._meta.db_table), q(str(lien.field.column))
        jointures.append(f"LEFT JOIN {table} a{rang} ON a{rang}.{cle} = e.id")
    partie = f"SELECT {', '.join(colonnes)} FROM profil_espace e {' '.join(jointures)}"  # noqa: S608
    return f"""
        {partie}
        WHERE e.titulaire_id = %s AND e.statut IN (%s, %s)
        UNION ALL
        {partie}
        WHERE e.id IN (
            SELECT r.espace_id FROM profil_representation r
            INNER JOIN profil_espace p ON p.id = r.representant_id
            WHERE r.fin IS NULL AND p.titulaire_id = %s AND p.statut = %s
        ) AND e.date_naissance > %s AND e.statut IN (%s, %s)
        ORDER BY date_naissance, id
    """  # noqa: S608 (no value in the text: names from the models)


def _relation(nom: str) -> OneToOneRel:
    lien = Espace._meta.get_field(nom)
    if not isinstance(lien, OneToOneRel):
        raise TypeError(f"{nom}: not a one-to-one relation to the space")
    return lien


@cache
def _convertisseurs(
    modele: type[Model], vendeur: str
) -> tuple[tuple[int, Col, tuple[Any, ...]], ...]:
    """The database backend's conversions of a model's columns, as the ORM applies them (on
    SQLite, UUIDs, dates and booleans are read as text or integers), by column rank."""
    colonnes = [f.get_col(modele._meta.db_table) for f in modele._meta.concrete_fields]
    return tuple(
        (rang, colonne, tuple(fonctions))
        for rang, colonne in enumerate(colonnes)
        if (
            fonctions := connection.ops.get_db_converters(colonne)
            + colonne.get_db_converters(connection)
        )
    )


def _instance(modele: type[M], valeurs: list[Any]) -> M:
    for rang, colonne, fonctions in _convertisseurs(modele, connection.vendor):
        for fonction in fonctions:
            valeurs[rang] = fonction(valeurs[rang], colonne, connection)
    noms = [f.attname for f in modele._meta.concrete_fields]
    return modele.from_db(connection.alias, noms, valeurs)


def _espace(ligne: tuple[Any, ...], avec: tuple[str, ...]) -> Espace:
    largeur = len(Espace._meta.concrete_fields)
    espace = _instance(Espace, list(ligne[:largeur]))
    for nom in avec:
        lien = _relation(nom)
        suite = largeur + len(lien.related_model._meta.concrete_fields)
        valeurs = list(ligne[largeur:suite])
        objet = None if valeurs[0] is None else _instance(lien.related_model, valeurs)
        lien.set_cached_value(espace, objet)  # as select_related does: None when absent
        if objet is not None:
            lien.field.set_cached_value(objet, espace)
        largeur = suite
    return espace


def _acces_possibles(utilisateur: Utilisateur, avec: tuple[str, ...]) -> list[Acces]:
    if not utilisateur.is_authenticated:
        return []
    parametres: list[Any] = [
        utilisateur.pk,
        *STATUTS_VISIBLES_TITULAIRE,
        utilisateur.pk,
        Statut.ACTIF,
        limite_naissance_mineur(timezone.localdate()),
        *STATUTS_VISIBLES_REPRESENTANT,
    ]
    with connection.cursor() as curseur:
        curseur.execute(_sql_espaces(avec), parametres)
        lignes = curseur.fetchall()
    return [
        Acces(
            espace=espace,
            role=Role.TITULAIRE if espace.titulaire_id == utilisateur.pk else Role.REPRESENTANT,
            utilisateur=utilisateur,
        )
        for espace in (_espace(ligne, avec) for ligne in lignes)
    ]


def espaces_accessibles(*, utilisateur: Utilisateur) -> list[Acces]:
    return _acces_possibles(utilisateur, ())


def espace_pour_acteur(
    *, utilisateur: Utilisateur, espace_uuid: uuid.UUID, ouvert: bool = True
) -> Acces:
    """The space this person may act for, or 404. With ``ouvert``, a closed space is refused
    too (its holder only sees the closure page). The returned access also carries every space
    the person may switch to (``possibles``): one query for both."""
    return espace_pour_acteur_avec(
        utilisateur=utilisateur, espace_uuid=espace_uuid, ouvert=ouvert, avec=()
    )


def espace_pour_acteur_avec(
    *,
    utilisateur: Utilisateur,
    espace_uuid: uuid.UUID,
    avec: tuple[str, ...],
    ouvert: bool = True,
) -> Acces:
    """``espace_pour_acteur``, the space's one-to-one relations named by ``avec`` read in the
    same statement (``acces.espace.<name>`` then asks nothing more of the database; it raises
    ``DoesNotExist`` when the space has no such row, as after ``select_related``)."""
    possibles = tuple(_acces_possibles(utilisateur, avec))
    acces = next((a for a in possibles if a.espace.uuid == espace_uuid), None)
    if acces is None or (ouvert and not acces.espace.ouvert):
        raise Http404
    return Acces(espace=acces.espace, role=acces.role, utilisateur=utilisateur, possibles=possibles)


def espace_du_titulaire(*, utilisateur: Utilisateur) -> Espace | None:
    return Espace.objects.filter(titulaire=utilisateur).first()
