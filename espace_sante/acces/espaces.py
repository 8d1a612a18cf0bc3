"""Which spaces a logged-in person may act for, as holder or legal representative
(DESIGN.md §2–§4).

- Their own space, while it is active or closed; a pre-created space is activated first, by
  its holder. A closed space is an archive its holder still reads (``espace_pour_lecture``):
  documents, profile, history and exports, nothing written (``ouvert`` on every write path).
- The space of a minor they represent today: the representation runs, the representative's
  own space is active, the minor's space is pre-created or active.

Every portal page that belongs to a space finds it through ``espace_pour_acteur``: what the
person may not act for answers 404, exactly like what does not exist.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import Http404
from django.utils import timezone

from espace_sante.comptes.models import Utilisateur
from espace_sante.lib import sql
from profil.models import Espace, Representation, Statut, limite_naissance_mineur

from .acteurs import AccesPatient, Role

STATUTS_VISIBLES_TITULAIRE = [Statut.ACTIF, Statut.CLOTURE]
STATUTS_VISIBLES_REPRESENTANT = [Statut.CREE, Statut.ACTIF]


@cache
def _requete(avec: tuple[str, ...], vendeur: str) -> str:
    """The rule above in one statement: two indexed lookups joined by UNION ALL (an OR of
    both made PostgreSQL scan every space; a person owns one space at most, so the two parts
    never overlap). ``avec`` names one-to-one relations of the space read along.

    Written as SQL because every page of a space runs it: the same rule through the ORM (the
    space by its uuid, then a UNION of two querysets for the header's switcher) cost about
    3 ms of CPU per query to build and compile, against 0.3 ms for this statement, which
    answers both (bench/pages.py). Tested row for row against that queryset
    (tests/lib/test_sql.py)."""
    lecture = _lecture(sql.connexion_de_lecture(Espace), avec)
    q = lecture.principal.connexion.ops.quote_name
    espaces, representations = (q(m._meta.db_table) for m in (Espace, Representation))
    partie = f"SELECT {lecture.colonnes()} FROM {espaces} e {lecture.jointures()}"  # noqa: S608
    return f"""
        {partie}
        WHERE e.titulaire_id = %s AND e.statut IN (%s, %s)
        UNION ALL
        {partie}
        WHERE e.id IN (
            SELECT r.espace_id FROM {representations} r
            INNER JOIN {espaces} p ON p.id = r.representant_id
            WHERE r.fin IS NULL AND p.titulaire_id = %s AND p.statut = %s
        ) AND e.date_naissance > %s AND e.statut IN (%s, %s)
        ORDER BY date_naissance, id
    """  # noqa: S608 (no value in the text: names from the models)


def _lecture(connexion: BaseDatabaseWrapper, avec: tuple[str, ...]) -> sql.AvecUnAUn[Espace]:
    return sql.avec_un_a_un(Espace, connexion=connexion, alias="e", avec=avec)


def _acces_possibles(utilisateur: Utilisateur, avec: tuple[str, ...]) -> list[AccesPatient]:
    if not utilisateur.is_authenticated:
        return []
    connexion = sql.connexion_de_lecture(Espace)
    parametres: list[Any] = [
        utilisateur.pk,
        *STATUTS_VISIBLES_TITULAIRE,
        utilisateur.pk,
        Statut.ACTIF,
        limite_naissance_mineur(timezone.localdate()),
        *STATUTS_VISIBLES_REPRESENTANT,
    ]
    lecture = _lecture(connexion, avec)
    return [
        AccesPatient(
            espace=espace,
            role=Role.TITULAIRE if espace.titulaire_id == utilisateur.pk else Role.REPRESENTANT,
            utilisateur=utilisateur,
        )
        for espace in (
            lecture.instance(ligne)
            for ligne in sql.lignes(connexion, _requete(avec, connexion.vendor), parametres)
        )
    ]


def espaces_accessibles(*, utilisateur: Utilisateur) -> list[AccesPatient]:
    """Every space the person may act for, youngest last (by birth date)."""
    return _acces_possibles(utilisateur, ())


def espace_pour_acteur(
    *, utilisateur: Utilisateur, espace_uuid: uuid.UUID, ouvert: bool = True
) -> AccesPatient:
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
) -> AccesPatient:
    """``espace_pour_acteur``, the space's one-to-one relations named by ``avec`` read in the
    same statement (``acces.espace.<name>`` then asks nothing more of the database; it raises
    ``DoesNotExist`` when the space has no such row, as after ``select_related``)."""
    possibles = tuple(_acces_possibles(utilisateur, avec))
    acces = next((a for a in possibles if a.espace.uuid == espace_uuid), None)
    if acces is None or (ouvert and not acces.espace.ouvert):
        raise Http404
    return AccesPatient(
        espace=acces.espace, role=acces.role, utilisateur=utilisateur, possibles=possibles
    )


def lisible_clos(acces: AccesPatient) -> bool:
    """Who still reads a closed space: its holder, as long as the archive is kept. A legal
    representative reads a minor's space only while it is pre-created or active (the rule
    above: a closed space is never among theirs), and a professional sees nothing of it."""
    return acces.est_titulaire


def espace_pour_lecture(
    *, utilisateur: Utilisateur, espace_uuid: uuid.UUID, avec: tuple[str, ...] = ()
) -> AccesPatient:
    """The space for a page that only reads it: an open space as ``espace_pour_acteur``; a
    closed one too, in read-only mode, for whom ``lisible_clos`` allows; 404 otherwise."""
    acces = espace_pour_acteur_avec(
        utilisateur=utilisateur, espace_uuid=espace_uuid, avec=avec, ouvert=False
    )
    if not acces.espace.ouvert and not lisible_clos(acces):
        raise Http404
    return acces


# --- What they do with the space as a whole ----------------------------------------------------


def peut_exporter(*, acces: AccesPatient) -> bool:
    """The adult holder exports their space; a legal representative exports the minor's space
    they represent (``espace_pour_acteur`` only gives them minors' spaces), without the
    minor's secrets. Nobody else: a professional never reaches these pages."""
    if acces.est_titulaire:
        return not acces.espace.est_mineur
    return acces.espace.est_mineur
