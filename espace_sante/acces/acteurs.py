"""Who acts on a space, and as what: the roles, and the one typed access (``Acces``) that every
rule, selector, service and view takes.

A person reaches a space as its holder (``titulaire``) or as a minor's legal representative
(``representant``) — an ``AccesPatient``, found by ``espaces.espace_pour_acteur`` — or as a
professional with an authorisation, as médecin traitant or in an emergency — an ``AccesPro``,
found by ``autorisations.acces_professionnel``. Each is only ever built once the rules that let
the person in have held; the rules then ask it what it may read and write
(``acces.est_professionnel``, ``lit_les_secrets(acces)``…), never its class.

Operators (``Role.OPERATEUR``) work in the administration: they hold no access to a space and
read no health content; the journal names them with this role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import ClassVar, TypeAlias

from django.urls import reverse

from dossier.models import ReglagesDossier
from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.models import TypeActeur
from espace_sante.journal.services import Acteur
from professionnels.models import AccesProfessionnel, BrisDeGlace, Professionnel
from profil.models import Espace

from .matrice import matrice


class Role(StrEnum):
    """As what a person acts (the journal's actor types bear the same names)."""

    TITULAIRE = "titulaire"
    REPRESENTANT = "representant"
    PROFESSIONNEL = "professionnel"
    OPERATEUR = "operateur"

    @property
    def type_acteur(self) -> TypeActeur:
        return TypeActeur(self.value)


class Motif(StrEnum):
    """Why a professional may open a space (rule 3)."""

    AUTORISATION = "autorisation"
    MEDECIN_TRAITANT = "medecin_traitant"
    URGENCE = "urgence"


@dataclass(frozen=True)
class AccesPatient:
    """The holder's or a legal representative's access to one space."""

    espace: Espace
    role: Role
    utilisateur: Utilisateur
    # Every space the person may act for (this one included), read by the same query: the
    # header's space switcher shows them. ``None`` when not read.
    possibles: tuple[AccesPatient, ...] | None = field(default=None, compare=False, repr=False)

    est_professionnel: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if self.role not in (Role.TITULAIRE, Role.REPRESENTANT):
            raise ValueError(f"{self.role!r}: not a holder's or representative's role")
        object.__setattr__(self, "role", Role(self.role))  # a plain string given: the enum

    @property
    def est_titulaire(self) -> bool:
        return self.role == Role.TITULAIRE

    @property
    def est_representant(self) -> bool:
        return self.role == Role.REPRESENTANT

    @property
    def peut_regler_visibilite(self) -> bool:
        """Who decides what professionals see: the holder, or a minor's representative."""
        return self.est_titulaire or self.espace.est_mineur

    @property
    def espace_url(self) -> str:
        return reverse("ensemble:espace", args=[self.espace.uuid])

    @property
    def acteur(self) -> Acteur:
        return Acteur.pour_utilisateur(self.utilisateur, self.role.type_acteur)


@dataclass(frozen=True)
class AccesPro:
    """A professional's standing on one space, found by ``acces_professionnel``: only built
    when rules 1–3 hold."""

    espace: Espace
    professionnel: Professionnel
    motifs: frozenset[Motif]
    urgence: BrisDeGlace | None = None
    lien: AccesProfessionnel | None = field(default=None, compare=False)

    role: ClassVar[Role] = Role.PROFESSIONNEL
    est_professionnel: ClassVar[bool] = True
    est_titulaire: ClassVar[bool] = False
    est_representant: ClassVar[bool] = False
    peut_regler_visibilite: ClassVar[bool] = False

    @property
    def utilisateur(self) -> Utilisateur:
        return self.professionnel.utilisateur

    @property
    def acteur(self) -> Acteur:
        return acteur_professionnel(self.professionnel)

    @cached_property
    def matrice(self) -> dict[str, bool]:
        """The professional's row of the matrix (their specialty's over their profession's),
        read once per request."""
        return matrice(self.professionnel.profession, self.professionnel.specialite)

    @cached_property
    def tout_masque(self) -> bool:
        """Whether the holder hid everything from professionals, read once per request."""
        return ReglagesDossier.objects.filter(espace=self.espace, tout_masque=True).exists()

    @property
    def en_urgence(self) -> bool:
        return self.motifs == {Motif.URGENCE}


# An access to a space: what every rule takes. Ask it (``est_professionnel``, ``role``…) or a
# rule of this package; never its class.
Acces: TypeAlias = AccesPatient | AccesPro


def acteur_professionnel(professionnel: Professionnel) -> Acteur:
    """A professional as the journal names them: "Dr Paul MARTIN, médecin généraliste"."""
    return Acteur(
        type=TypeActeur.PROFESSIONNEL,
        id=str(professionnel.utilisateur.uuid),
        nom=f"{professionnel.nom_affiche}, {professionnel.qualite}",
    )
