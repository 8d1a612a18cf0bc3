"""Which spaces a logged-in person may act for, as holder or legal representative
(DESIGN.md §2–§4).

- Their own space, while it is active or closed; a pre-created space is activated first, by
  its holder. A closed space is an archive its holder still reads (``espace_pour_lecture``):
  documents, profile, history and exports, nothing written (``ouvert`` on every write path).
- The space of a minor they represent today: the representation runs, the representative's
  own space is active, the minor's space is pre-created or active.
- The space of an adult under a tutelle they are in charge of (the measure runs: pre-created or
  active space), or under a curatelle the protected person accepted (active space).
- The active space of a holder who made them their carer: the delegation is accepted, not
  revoked, its end date not passed.

Their own space active in every case but the first. A carer reaches only the parts of the space
(``Rubrique``) their perimeter opens, and writes only if the delegation says so; a page names
its part and whether it writes (``espace_pour_acteur(rubrique=…, ecriture=…)``).

Every portal page that belongs to a space finds it through ``espace_pour_acteur``: what the
person may not act for answers 404, exactly like what does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from functools import cache
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import Http404
from django.utils import timezone

from espace_sante.comptes.models import Utilisateur
from espace_sante.lib import sql
from profil.models import (
    Delegation,
    Espace,
    MesureProtection,
    Representation,
    Statut,
    TypeProtection,
    limite_naissance_mineur,
)

from .acteurs import AccesPatient, Role, Rubrique

STATUTS_VISIBLES_TITULAIRE = [Statut.ACTIF, Statut.CLOTURE]
STATUTS_VISIBLES_REPRESENTANT = [Statut.CREE, Statut.ACTIF]


# When one person reaches a space in two ways (a tutor who is also a carer), the stronger one.
_FORCE = {Role.TITULAIRE: 5, Role.REPRESENTANT: 4, Role.TUTEUR: 3, Role.CURATEUR: 2, Role.AIDANT: 1}


@cache
def _requete(avec: tuple[str, ...], vendeur: str) -> str:
    """The rule above in one statement: indexed lookups joined by UNION ALL (an OR of them made
    PostgreSQL scan every space). Each part says as what the person comes (role, a carer's
    perimeter and writing, the proche's own sex). ``avec`` names one-to-one relations of the
    space read along.

    Written as SQL because every page of a space runs it: the same rule through the ORM (the
    space by its uuid, then a UNION of two querysets for the header's switcher) cost about
    3 ms of CPU per query to build and compile, against 0.3 ms for this statement, which
    answers both (bench/pages.py). Tested row for row against that queryset
    (tests/lib/test_sql.py)."""
    lecture = _lecture(sql.connexion_de_lecture(Espace), avec)
    q = lecture.principal.connexion.ops.quote_name
    espaces, representations, delegations, mesures = (
        q(m._meta.db_table) for m in (Espace, Representation, Delegation, MesureProtection)
    )
    colonnes = lecture.colonnes()
    jointures = lecture.jointures()

    def partie(role: str, perimetre: str, ecriture: str, sexe: str, suite: str) -> str:
        return (
            f"SELECT {colonnes}, {role} AS acces_role, {perimetre} AS acces_perimetre, "  # noqa: S608
            f"{ecriture} AS acces_ecriture, {sexe} AS acces_sexe "
            f"FROM {espaces} e {jointures} {suite}"
        )

    rien = "CAST(NULL AS VARCHAR(10))"
    vide = "CAST('' AS VARCHAR(1))"
    vrai = "CAST(1 AS BOOLEAN)" if vendeur == "postgresql" else "1"
    tutelle = f"'{TypeProtection.TUTELLE.value}'"
    return f"""
        {partie(f"'{Role.TITULAIRE.value}'", rien, vrai, vide, "")}
        WHERE e.titulaire_id = %s AND e.statut IN (%s, %s)
        UNION ALL
        {partie(f"'{Role.REPRESENTANT.value}'", rien, vrai, vide, "")}
        WHERE e.id IN (
            SELECT r.espace_id FROM {representations} r
            INNER JOIN {espaces} p ON p.id = r.representant_id
            WHERE r.fin IS NULL AND p.titulaire_id = %s AND p.statut = %s
        ) AND e.date_naissance > %s AND e.statut IN (%s, %s)
        UNION ALL
        {
        partie(
            f"'{Role.AIDANT.value}'",
            "d.perimetre",
            "d.ecriture",
            "p.sexe",
            f'''
            INNER JOIN {delegations} d ON d.espace_id = e.id
            INNER JOIN {espaces} p ON p.id = d.aidant_id''',
        )
    }
        WHERE p.titulaire_id = %s AND p.statut = %s AND d.acceptee_le IS NOT NULL
          AND d.revoquee_le IS NULL AND (d.fin IS NULL OR d.fin >= %s) AND e.statut = %s
        UNION ALL
        {
        partie(
            f"CASE WHEN m.type = {tutelle} THEN '{Role.TUTEUR.value}' "
            f"ELSE '{Role.CURATEUR.value}' END",
            f"CASE WHEN m.type = {tutelle} THEN {rien} ELSE 'tout' END",
            vrai,
            "p.sexe",
            f'''
            INNER JOIN {mesures} m ON m.espace_id = e.id
            INNER JOIN {espaces} p ON p.id = m.responsable_id''',
        )
    }
        WHERE p.titulaire_id = %s AND p.statut = %s AND m.debut <= %s
          AND (m.fin IS NULL OR m.fin >= %s) AND e.date_naissance <= %s
          AND (
            (m.type = {tutelle} AND e.statut IN (%s, %s))
            OR (m.type <> {tutelle} AND m.acceptee_le IS NOT NULL AND m.refusee_le IS NULL
                AND e.statut = %s)
          )
        ORDER BY date_naissance, id
    """  # noqa: S608 (no value in the text: names from the models, the roles' constants)


def _lecture(connexion: BaseDatabaseWrapper, avec: tuple[str, ...]) -> sql.AvecUnAUn[Espace]:
    return sql.avec_un_a_un(Espace, connexion=connexion, alias="e", avec=avec)


def _acces_possibles(utilisateur: Utilisateur, avec: tuple[str, ...]) -> list[AccesPatient]:
    if not utilisateur.is_authenticated:
        return []
    connexion = sql.connexion_de_lecture(Espace)
    aujourd_hui = timezone.localdate()
    majorite = limite_naissance_mineur(aujourd_hui)
    parametres: list[Any] = [
        utilisateur.pk,
        *STATUTS_VISIBLES_TITULAIRE,
        utilisateur.pk,
        Statut.ACTIF,
        majorite,
        *STATUTS_VISIBLES_REPRESENTANT,
        utilisateur.pk,
        Statut.ACTIF,
        aujourd_hui,
        Statut.ACTIF,
        utilisateur.pk,
        Statut.ACTIF,
        aujourd_hui,
        aujourd_hui,
        majorite,
        *STATUTS_VISIBLES_REPRESENTANT,
        Statut.ACTIF,
    ]
    lecture = _lecture(connexion, avec)
    par_espace: dict[int, AccesPatient] = {}
    for ligne in sql.lignes(connexion, _requete(avec, connexion.vendor), parametres):
        role, perimetre, ecriture, sexe = ligne[-4:]
        acces = AccesPatient(
            espace=lecture.instance(ligne[:-4]),
            role=Role(role),
            utilisateur=utilisateur,
            perimetre=perimetre,
            ecriture=bool(ecriture),
            sexe=sexe or "",
        )
        deja = par_espace.get(acces.espace.pk)
        if deja is None or _FORCE[acces.role] > _FORCE[deja.role]:
            par_espace[acces.espace.pk] = acces
    return list(par_espace.values())


def espaces_accessibles(*, utilisateur: Utilisateur) -> list[AccesPatient]:
    """Every space the person may act for, youngest last (by birth date)."""
    return _acces_possibles(utilisateur, ())


def espace_pour_acteur(
    *,
    utilisateur: Utilisateur,
    espace_uuid: uuid.UUID,
    ouvert: bool = True,
    rubrique: Rubrique = Rubrique.GESTION,
    ecriture: bool = False,
) -> AccesPatient:
    """The space this person may act for, or 404. With ``ouvert``, a closed space is refused
    too (its holder only sees the closure page). ``rubrique`` is the part of the space the page
    belongs to and ``ecriture`` whether it changes anything: a carer outside their perimeter,
    or writing with a read-only delegation, gets 404 (the default, ``GESTION``, is never a
    carer's). The returned access also carries every space the person may switch to
    (``possibles``): one query for both."""
    return espace_pour_acteur_avec(
        utilisateur=utilisateur,
        espace_uuid=espace_uuid,
        ouvert=ouvert,
        avec=(),
        rubrique=rubrique,
        ecriture=ecriture,
    )


def espace_pour_acteur_avec(
    *,
    utilisateur: Utilisateur,
    espace_uuid: uuid.UUID,
    avec: tuple[str, ...],
    ouvert: bool = True,
    rubrique: Rubrique = Rubrique.GESTION,
    ecriture: bool = False,
) -> AccesPatient:
    """``espace_pour_acteur``, the space's one-to-one relations named by ``avec`` read in the
    same statement (``acces.espace.<name>`` then asks nothing more of the database; it raises
    ``DoesNotExist`` when the space has no such row, as after ``select_related``)."""
    possibles = tuple(_acces_possibles(utilisateur, avec))
    acces = next((a for a in possibles if a.espace.uuid == espace_uuid), None)
    if acces is None or (ouvert and not acces.espace.ouvert):
        raise Http404
    if not (acces.peut_ecrire(rubrique) if ecriture else acces.peut_lire(rubrique)):
        raise Http404
    return replace(acces, possibles=possibles)


def lisible_clos(acces: AccesPatient) -> bool:
    """Who still reads a closed space: its holder, as long as the archive is kept. A legal
    representative reads a minor's space only while it is pre-created or active (the rule
    above: a closed space is never among theirs), and a professional sees nothing of it."""
    return acces.est_titulaire


def espace_pour_lecture(
    *,
    utilisateur: Utilisateur,
    espace_uuid: uuid.UUID,
    avec: tuple[str, ...] = (),
    rubrique: Rubrique = Rubrique.GESTION,
) -> AccesPatient:
    """The space for a page that only reads it: an open space as ``espace_pour_acteur``; a
    closed one too, in read-only mode, for whom ``lisible_clos`` allows; 404 otherwise."""
    acces = espace_pour_acteur_avec(
        utilisateur=utilisateur, espace_uuid=espace_uuid, avec=avec, ouvert=False, rubrique=rubrique
    )
    if not acces.espace.ouvert and not lisible_clos(acces):
        raise Http404
    return acces


# --- What they do with the space as a whole ----------------------------------------------------


def peut_exporter(*, acces: AccesPatient) -> bool:
    """The adult holder exports their space; a legal representative exports the minor's space
    they represent (``espace_pour_acteur`` only gives them minors' spaces), without the
    minor's secrets; a tutor exports the space of the adult under their tutelle. Nobody else:
    a carer or curator never does, and a professional never reaches these pages."""
    if acces.est_titulaire:
        return not acces.espace.est_mineur
    if acces.role == Role.TUTEUR:
        return True
    return acces.est_representant and acces.espace.est_mineur
