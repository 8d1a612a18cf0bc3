"""Who acts on a space, and as what: the roles, and the one typed access (``Acces``) that every
rule, selector, service and view takes.

A person reaches a space as its holder (``titulaire``), as a minor's legal representative
(``representant``), as the tutor of an adult under tutelle (``tuteur``, the representative's
rights), as a carer the holder chose (``aidant``, within a perimeter, read only or read and
write) or as the curator of an adult under curatelle who accepted them (``curateur``, a full
carer's rights) — an ``AccesPatient``, found by ``espaces.espace_pour_acteur`` — or as a
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
    TUTEUR = "tuteur"
    AIDANT = "aidant"
    CURATEUR = "curateur"
    PROFESSIONNEL = "professionnel"
    OPERATEUR = "operateur"

    @property
    def type_acteur(self) -> TypeActeur:
        return TypeActeur(self.value)


class Rubrique(StrEnum):
    """The parts of a space a page belongs to: what a carer's perimeter opens (``PERIMETRES``).
    The holder, a legal representative and a tutor reach every part; ``GESTION`` (who sees what,
    professionals, proches, closure, export, settings) is never a carer's."""

    ACCUEIL = "accueil"
    DOCUMENTS = "documents"
    PROFIL = "profil"
    AGENDA = "agenda"
    MESSAGERIE = "messagerie"
    HISTORIQUE = "historique"
    GESTION = "gestion"


# A carer's perimeter (``profil.models.Perimetre``) → the parts of the space it opens.
PERIMETRES: dict[str, frozenset[Rubrique]] = {
    "tout": frozenset(
        {
            Rubrique.ACCUEIL,
            Rubrique.DOCUMENTS,
            Rubrique.PROFIL,
            Rubrique.AGENDA,
            Rubrique.MESSAGERIE,
            Rubrique.HISTORIQUE,
        }
    ),
    "documents": frozenset({Rubrique.ACCUEIL, Rubrique.DOCUMENTS}),
    "profil": frozenset({Rubrique.ACCUEIL, Rubrique.PROFIL}),
    "agenda": frozenset({Rubrique.ACCUEIL, Rubrique.AGENDA}),
}
ROLES_PATIENT = frozenset(
    {Role.TITULAIRE, Role.REPRESENTANT, Role.TUTEUR, Role.AIDANT, Role.CURATEUR}
)
# How the journal names a proche after their name: "Marie DUPONT, aidante".
QUALITES: dict[Role, tuple[str, str]] = {
    Role.REPRESENTANT: ("représentant légal", "représentante légale"),
    Role.TUTEUR: ("tuteur", "tutrice"),
    Role.AIDANT: ("aidant", "aidante"),
    Role.CURATEUR: ("curateur", "curatrice"),
}


class Motif(StrEnum):
    """Why a professional may open a space (rule 3)."""

    AUTORISATION = "autorisation"
    MEDECIN_TRAITANT = "medecin_traitant"
    URGENCE = "urgence"


@dataclass(frozen=True)
class AccesPatient:
    """The access of the holder, a legal representative, a tutor, a carer or a curator to one
    space."""

    espace: Espace
    role: Role
    utilisateur: Utilisateur
    # Every space the person may act for (this one included), read by the same query: the
    # header's space switcher shows them. ``None`` when not read.
    possibles: tuple[AccesPatient, ...] | None = field(default=None, compare=False, repr=False)
    # A carer's perimeter (``PERIMETRES``' keys; "tout" for a curator) and whether they write.
    perimetre: str | None = None
    ecriture: bool = True
    # The carer's or tutor's own sex ("F" names them "aidante", "tutrice"…), from their space.
    sexe: str = ""

    est_professionnel: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if self.role not in ROLES_PATIENT:
            raise ValueError(f"{self.role!r}: not a role on a person's space")
        object.__setattr__(self, "role", Role(self.role))  # a plain string given: the enum
        if self.est_aidant and self.perimetre not in PERIMETRES:
            raise ValueError(f"{self.perimetre!r}: not a carer's perimeter")

    @property
    def est_titulaire(self) -> bool:
        return self.role == Role.TITULAIRE

    @property
    def est_representant(self) -> bool:
        """A legal representative: a minor's parent or guardian, or an adult's tutor."""
        return self.role in (Role.REPRESENTANT, Role.TUTEUR)

    @property
    def est_aidant(self) -> bool:
        """A carer the holder chose, or a curator the protected person accepted: within a
        perimeter, never managing the space."""
        return self.role in (Role.AIDANT, Role.CURATEUR)

    def peut_lire(self, rubrique: Rubrique) -> bool:
        """Whether the person reaches this part of the space at all."""
        if not self.est_aidant:
            return True
        return rubrique in PERIMETRES[self.perimetre or ""]

    def peut_ecrire(self, rubrique: Rubrique) -> bool:
        """Whether the person adds or changes anything in this part of the space."""
        return self.peut_lire(rubrique) and (not self.est_aidant or self.ecriture)

    @property
    def peut_regler_visibilite(self) -> bool:
        """Who decides what professionals see: the holder, a minor's representative, or the
        tutor of an adult under tutelle."""
        return self.est_titulaire or (
            self.est_representant and (self.espace.est_mineur or self.role == Role.TUTEUR)
        )

    @property
    def qualite(self) -> str:
        """ "aidante", "tuteur"…: what the person is to the space ("" for the holder)."""
        if self.role not in QUALITES:
            return ""
        masculin, feminin = QUALITES[self.role]
        return feminin if self.sexe == "F" else masculin

    @property
    def espace_url(self) -> str:
        return reverse("ensemble:espace", args=[self.espace.uuid])

    @property
    def acteur(self) -> Acteur:
        """As the journal names the person: a tutor, carer or curator with what they are to
        the space ("Marie DUPONT, aidante"); the holder and a parent by their name."""
        acteur = Acteur.pour_utilisateur(self.utilisateur, self.role.type_acteur)
        if self.role in (Role.TUTEUR, Role.AIDANT, Role.CURATEUR):
            return Acteur(type=acteur.type, id=acteur.id, nom=f"{acteur.nom}, {self.qualite}")
        return acteur


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
