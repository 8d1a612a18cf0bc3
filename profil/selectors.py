"""Which spaces a logged-in person may act for, and as what (DESIGN.md §2–§4).

Every portal page that belongs to a space finds it through ``espace_pour_acteur``: what the
person may not act for answers 404, exactly like what does not exist.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.models import TypeActeur
from espace_sante.journal.services import Acteur

from .models import Espace, Representation, Statut, limite_naissance_mineur


class Role(StrEnum):
    TITULAIRE = "titulaire"
    REPRESENTANT = "representant"


@dataclass(frozen=True)
class Acces:
    espace: Espace
    role: Role
    utilisateur: Utilisateur

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


def _representations_en_cours(utilisateur: Utilisateur) -> Q:
    """Spaces the user represents today: link running, minor, both spaces open."""
    limite = limite_naissance_mineur(timezone.localdate())
    ids = Representation.objects.filter(
        fin__isnull=True,
        representant__titulaire=utilisateur,
        representant__statut=Statut.ACTIF,
    ).values("espace_id")
    return Q(pk__in=ids, date_naissance__gt=limite, statut__in=STATUTS_VISIBLES_REPRESENTANT)


def espaces_accessibles(*, utilisateur: Utilisateur) -> list[Acces]:
    if not utilisateur.is_authenticated:
        return []
    # Two indexed lookups joined by UNION: an OR of both made PostgreSQL scan every space.
    propres = Espace.objects.filter(
        titulaire=utilisateur, statut__in=STATUTS_VISIBLES_TITULAIRE
    ).order_by()
    representes = Espace.objects.filter(_representations_en_cours(utilisateur)).order_by()
    espaces = propres.union(representes).order_by("date_naissance")
    return [
        Acces(
            espace=espace,
            role=Role.TITULAIRE if espace.titulaire_id == utilisateur.pk else Role.REPRESENTANT,
            utilisateur=utilisateur,
        )
        for espace in espaces
    ]


def espace_pour_acteur(
    *, utilisateur: Utilisateur, espace_uuid: uuid.UUID, ouvert: bool = True
) -> Acces:
    """The space this person may act for, or 404. With ``ouvert``, a closed space is refused
    too (its holder only sees the closure page)."""
    propres = Q(titulaire=utilisateur, statut__in=STATUTS_VISIBLES_TITULAIRE)
    espace = (
        Espace.objects.filter(uuid=espace_uuid)
        .filter(propres | _representations_en_cours(utilisateur))
        .first()
    )
    if espace is None or (ouvert and not espace.ouvert):
        raise Http404
    role = Role.TITULAIRE if espace.titulaire_id == utilisateur.pk else Role.REPRESENTANT
    return Acces(espace=espace, role=role, utilisateur=utilisateur)


def espace_du_titulaire(*, utilisateur: Utilisateur) -> Espace | None:
    return Espace.objects.filter(titulaire=utilisateur).first()
