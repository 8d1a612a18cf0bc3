"""Rules 1 to 3: which spaces a professional may open, and why (DESIGN.md §4).

1. P is verified and active, and E is ``créé`` or ``actif`` (``professionnel_actif``);
2. E has not blocked P (the médecin traitant cannot be blocked);
3. P holds an authorisation on E (``motifs``): an active grant (``autorisation_active``:
   given, not revoked, optional expiry not reached), médecin traitant, or a running emergency
   access that E's settings allow (``urgences_valables``).

Each rule is written here once, in Python for one row and as a query filter for many, side by
side; the policy table (tests/acces/test_politique.py) checks that both answer alike.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from professionnels.models import (
    AccesProfessionnel,
    BrisDeGlace,
    Professionnel,
    ReglagesAcces,
    StatutProfessionnel,
)
from professionnels.nomenclature import Profession
from profil.models import Espace, Statut

from .acteurs import AccesPro, Motif

STATUTS_ESPACE_LISIBLES = [Statut.CREE, Statut.ACTIF]


# --- Rule 1 ---------------------------------------------------------------------------------------


def professionnel_actif(professionnel: Professionnel | None) -> bool:
    return (
        professionnel is not None
        and professionnel.statut == StatutProfessionnel.VERIFIE
        and professionnel.utilisateur.is_active
    )


# --- Rule 3: a grant, the médecin traitant, an emergency --------------------------------------


def autorisation_active(lien: AccesProfessionnel, maintenant: datetime) -> bool:
    """The holder's grant runs: given, and its optional expiry not reached (a revoked grant is
    no longer ``autorise``)."""
    return lien.autorise and (lien.expire_le is None or lien.expire_le > maintenant)


def _autorisation_active(maintenant: datetime) -> Q:
    """``autorisation_active`` as a filter on ``AccesProfessionnel``."""
    return Q(autorise=True) & (Q(expire_le__isnull=True) | Q(expire_le__gt=maintenant))


def urgences_valables(maintenant: datetime | None = None) -> QuerySet[BrisDeGlace]:
    """The emergency accesses that open a space now: still running, on a space whose holder
    allows them (on by default; turning it off ends those running) and has not blocked the
    professional (blocking ends theirs)."""
    refusee = ReglagesAcces.objects.filter(espace=OuterRef("espace"), urgence_autorisee=False)
    bloque = AccesProfessionnel.objects.filter(
        espace=OuterRef("espace"), professionnel=OuterRef("professionnel"), bloque=True
    )
    return BrisDeGlace.objects.filter(fin__gt=maintenant or timezone.now()).filter(
        ~Exists(refusee), ~Exists(bloque)
    )


def motifs(
    *, lien: AccesProfessionnel | None, urgence: bool, maintenant: datetime
) -> tuple[Motif, ...]:
    """Why a professional may open a space (rules 2 and 3), in the order pages show them,
    from where they stand with it (``lien``, if any) and whether one of ``urgences_valables``
    is theirs: nothing once blocked."""
    if lien is not None and lien.bloque:
        return ()
    trouves = []
    if lien is not None and lien.medecin_traitant:
        trouves.append(Motif.MEDECIN_TRAITANT)
    if lien is not None and autorisation_active(lien, maintenant):
        trouves.append(Motif.AUTORISATION)
    if urgence:
        trouves.append(Motif.URGENCE)
    return tuple(trouves)


def peut_etre_medecin_traitant(professionnel: Professionnel) -> bool:
    return professionnel.profession == Profession.MEDECIN


# --- Rules 1 to 3 over spaces ---------------------------------------------------------------------


def _liens(professionnel: Professionnel) -> QuerySet[AccesProfessionnel]:
    return AccesProfessionnel.objects.filter(espace=OuterRef("pk"), professionnel=professionnel)


def espaces_autorises(
    *, professionnel: Professionnel, maintenant: datetime | None = None
) -> QuerySet[Espace]:
    """Spaces the professional may open now (rules 1–3): ``motifs`` as a filter."""
    if not professionnel_actif(professionnel):
        return Espace.objects.none()
    maintenant = maintenant or timezone.now()
    durable = _liens(professionnel).filter(
        Q(medecin_traitant=True) | _autorisation_active(maintenant), bloque=False
    )
    urgence = urgences_valables(maintenant).filter(
        espace=OuterRef("pk"), professionnel=professionnel
    )
    return Espace.objects.filter(statut__in=STATUTS_ESPACE_LISIBLES).filter(
        Exists(durable) | Exists(urgence)
    )


def urgence_possible(*, professionnel: Professionnel, espace: Espace) -> bool:
    """May this professional open an emergency access on this space (rules 1 and 2, and the
    holder's consent)? The reason is asked for by the service."""
    if not professionnel_actif(professionnel) or espace.statut not in STATUTS_ESPACE_LISIBLES:
        return False
    if AccesProfessionnel.objects.filter(
        espace=espace, professionnel=professionnel, bloque=True
    ).exists():
        return False
    return not ReglagesAcces.objects.filter(espace=espace, urgence_autorisee=False).exists()


def acces_professionnel(*, professionnel: Professionnel | None, espace_uuid: uuid.UUID) -> AccesPro:
    """The professional's access to this space, or 404 — the same answer for a space that
    does not exist, one they were never given, and one whose grant expired or was revoked.

    The rules of ``espaces_autorises`` for one space, in two plain statements (where the
    professional stands with it, with the space; their emergency still running that the
    holder allows) instead of three, one of them with two ``EXISTS`` (this is asked on every
    page of the workspace and every API call: its compilation was a third of an ITI-65
    deposit). ``tests/acces/test_politique.py`` holds both to the same answers."""
    if professionnel is None or not professionnel_actif(professionnel):
        raise Http404
    maintenant = timezone.now()
    lien = (
        AccesProfessionnel.objects.select_related("espace")
        .filter(espace__uuid=espace_uuid, professionnel=professionnel)
        .first()
    )
    if lien is not None and lien.bloque:  # blocked: nothing opens, emergencies included
        raise Http404
    espace = lien.espace if lien is not None else Espace.objects.filter(uuid=espace_uuid).first()
    if espace is None or espace.statut not in STATUTS_ESPACE_LISIBLES:
        raise Http404
    refusee = ReglagesAcces.objects.filter(espace=OuterRef("espace"), urgence_autorisee=False)
    urgence = (
        BrisDeGlace.objects.filter(espace=espace, professionnel=professionnel, fin__gt=maintenant)
        .filter(~Exists(refusee))
        .order_by("-fin")
        .first()
    )
    trouves = motifs(lien=lien, urgence=urgence is not None, maintenant=maintenant)
    if not trouves:  # no running grant, not médecin traitant, no emergency
        raise Http404
    return AccesPro(
        espace=espace,
        professionnel=professionnel,
        motifs=frozenset(trouves),
        urgence=urgence if Motif.URGENCE in trouves else None,
        lien=lien,
    )
