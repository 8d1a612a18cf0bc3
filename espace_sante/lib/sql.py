"""Hand-built SQL where compiling a queryset costs more than running it, and the private ORM
API that reading its rows back into models needs — in one place.

Two shortcuts use it: the access lookup that every page of a space runs (which spaces a person
may act for: ``espace_sante.acces.espaces``) and the ingestion job's first read
(``dossier.ingestion._prendre``). Each is tested row for row against the queryset it stands for
(tests/lib/test_sql.py), on SQLite and PostgreSQL. What relies on Django's private API — the
columns read from ``_meta``, the backend's converters, ``Model.from_db``, the relations'
caches — is here alone, so that a Django upgrade has one module to check.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, OneToOneRel
from django.db.models.expressions import Col

M = TypeVar("M", bound=Model)

# A backend's (or a field's) conversion of a value read from the database: (value, expression,
# connection) → value, as the ORM applies it (on SQLite, UUIDs, dates, booleans come back as
# text or integers; an encrypted field decrypts).
Conversion = Callable[[Any, Any, BaseDatabaseWrapper], Any]


@dataclass(frozen=True)
class Lecture(Generic[M]):
    """How to read some columns of a model by hand, under a table alias, on one connection:
    the fields in the model's order (the order ``from_db`` expects), and the conversions of
    the columns that have some (by rank). Built once per connection (``lecture``)."""

    modele: type[M]
    alias: str
    champs: tuple[Field[Any, Any], ...]
    conversions: tuple[tuple[int, Col, tuple[Conversion, ...]], ...]
    connexion: BaseDatabaseWrapper
    attnames: tuple[str, ...]

    @property
    def largeur(self) -> int:
        return len(self.champs)

    def colonnes(self, prefixe: str | None = None) -> list[str]:
        """``alias.column`` for each field; with ``prefixe``, each named (``prefixe`` + its
        column) so that a UNION's ORDER BY may name them."""
        q = self.connexion.ops.quote_name
        colonnes = [f"{self.alias}.{q(str(champ.column))}" for champ in self.champs]
        if prefixe is None:
            return colonnes
        return [
            f"{colonne} AS {q(f'{prefixe}{champ.column}')}"
            for colonne, champ in zip(colonnes, self.champs, strict=True)
        ]

    def instance(self, valeurs: Sequence[Any]) -> M:
        """The model instance of one row's values (as many as ``champs``, in their order),
        converted as the ORM converts them; a partial read leaves the other fields deferred."""
        convertis = list(valeurs)
        for rang, colonne, fonctions in self.conversions:
            for fonction in fonctions:
                convertis[rang] = fonction(convertis[rang], colonne, self.connexion)
        return self.modele.from_db(self.connexion.alias, self.attnames, convertis)


# By connection (one per thread): the conversions are bound to its backend's operations.
_PAR_CONNEXION: weakref.WeakKeyDictionary[BaseDatabaseWrapper, dict[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


def lecture(
    modele: type[M],
    *,
    connexion: BaseDatabaseWrapper,
    alias: str,
    noms: tuple[str, ...] | None = None,
) -> Lecture[M]:
    """How to read ``modele`` under ``alias`` on ``connexion``: every concrete field, or the
    fields named by ``noms``."""
    par_connexion = _PAR_CONNEXION.setdefault(connexion, {})
    cle = ("lecture", modele, alias, noms)
    deja: Lecture[M] | None = par_connexion.get(cle)
    if deja is not None:
        return deja
    champs = tuple(
        champ
        for champ in modele._meta.concrete_fields
        if noms is None or champ.name in noms  # their order, which from_db expects
    )
    conversions = []
    for rang, champ in enumerate(champs):
        colonne = champ.get_col(alias)
        fonctions = (
            *connexion.ops.get_db_converters(colonne),
            *colonne.get_db_converters(connexion),
        )
        if fonctions:
            conversions.append((rang, colonne, fonctions))
    nouvelle = Lecture(
        modele,
        alias,
        champs,
        tuple(conversions),
        connexion,
        tuple(champ.attname for champ in champs),
    )
    par_connexion[cle] = nouvelle
    return nouvelle


def relation_un_a_un(modele: type[Model], nom: str) -> OneToOneRel:
    """The one-to-one relation ``nom`` that another model holds to ``modele`` (its reverse
    accessor, as ``select_related`` names it)."""
    lien = modele._meta.get_field(nom)
    if not isinstance(lien, OneToOneRel):
        raise TypeError(f"{nom}: not a one-to-one relation to {modele.__name__}")
    return lien


@dataclass(frozen=True)
class AvecUnAUn(Generic[M]):
    """A model's rows with some of its one-to-one relations read along — a LEFT JOIN each, as
    ``select_related`` would — and each row turned back into the instance with its relations
    cached (``None`` cached where a row has none: reading it then raises ``DoesNotExist``
    without asking the database, as after ``select_related``)."""

    principal: Lecture[M]
    liens: tuple[tuple[OneToOneRel, Lecture[Any]], ...]

    def colonnes(self) -> str:
        """Every column, named (the main model's by their own names, the others prefixed)."""
        return ", ".join(
            [
                *self.principal.colonnes(prefixe=""),
                *(c for _lien, suite in self.liens for c in suite.colonnes(f"{suite.alias}_")),
            ]
        )

    def jointures(self) -> str:
        q = self.principal.connexion.ops.quote_name
        cle = q(str(self.principal.modele._meta.pk.column))
        return " ".join(
            f"LEFT JOIN {q(suite.modele._meta.db_table)} {suite.alias} "
            f"ON {suite.alias}.{q(str(lien.field.column))} = {self.principal.alias}.{cle}"
            for lien, suite in self.liens
        )

    def instance(self, ligne: Sequence[Any]) -> M:
        debut = self.principal.largeur
        objet = self.principal.instance(ligne[:debut])
        for lien, suite in self.liens:
            valeurs = ligne[debut : debut + suite.largeur]
            associe = None if valeurs[0] is None else suite.instance(valeurs)
            lien.set_cached_value(objet, associe)
            if associe is not None:
                lien.field.set_cached_value(associe, objet)
            debut += suite.largeur
        return objet


def avec_un_a_un(
    modele: type[M], *, connexion: BaseDatabaseWrapper, alias: str, avec: tuple[str, ...]
) -> AvecUnAUn[M]:
    """``modele`` under ``alias`` with the one-to-one relations named by ``avec`` (aliased
    ``a0``, ``a1``…). Built once per connection."""
    par_connexion = _PAR_CONNEXION.setdefault(connexion, {})
    cle = ("avec", modele, alias, avec)
    deja: AvecUnAUn[M] | None = par_connexion.get(cle)
    if deja is None:
        deja = par_connexion[cle] = AvecUnAUn(
            lecture(modele, connexion=connexion, alias=alias),
            tuple(
                (lien, lecture(lien.related_model, connexion=connexion, alias=f"a{rang}"))
                for rang, lien in enumerate(relation_un_a_un(modele, nom) for nom in avec)
            ),
        )
    return deja


def connexion_de_lecture(modele: type[Model]) -> BaseDatabaseWrapper:
    return connections[router.db_for_read(modele)]


def lignes(
    connexion: BaseDatabaseWrapper, requete: str, parametres: Sequence[Any]
) -> list[tuple[Any, ...]]:
    with connexion.cursor() as curseur:
        curseur.execute(requete, parametres)
        return list(curseur.fetchall())
