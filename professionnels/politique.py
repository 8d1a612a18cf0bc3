"""Who may read what (DESIGN.md §4) — the one place where the rules live.

A professional P reads document D of space E only if all hold:
1. P is verified and active, and E is ``créé`` or ``actif``;
2. E has not blocked P (the médecin traitant cannot be blocked);
3. P holds an authorisation on E: an active grant (optional expiry), médecin traitant, or a
   running emergency access that E's settings allow;
4. the habilitation matrix lets P's profession read D's type;
5. D is not ``MASQUE_PS`` and E has not hidden everything;
— rules 4 and 5 yield when P is D's author: a professional always reads what they deposited.

The holder reads every document of their space but those a professional holds back
(``INVISIBLE_PATIENT``); a legal representative, in addition, never reads a minor's secret
(``INVISIBLE_REPRESENTANTS_LEGAUX``, or a profile entry a professional marked ``secret_mineur``)
— nor anything the journal says of it: ``evenements_lisibles``.

Everything here returns querysets or raises 404: selectors build on them, templates never
decide. Nothing that is not allowed is ever loaded from the database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from dossier.models import Document, ReglagesDossier
from espace_sante.journal.models import Evenement, TypeActeur
from espace_sante.journal.services import Acteur
from profil.models import ElementProfil, Espace, Statut

from .models import (
    AccesProfessionnel,
    BrisDeGlace,
    Habilitation,
    Professionnel,
    ReglagesAcces,
    StatutProfessionnel,
)

STATUTS_ESPACE_LISIBLES = [Statut.CREE, Statut.ACTIF]


class Motif(StrEnum):
    AUTORISATION = "autorisation"
    MEDECIN_TRAITANT = "medecin_traitant"
    URGENCE = "urgence"


# --- Rules 1 to 3: which spaces a professional may open, and why ----------------------------


def professionnel_actif(professionnel: Professionnel | None) -> bool:
    return (
        professionnel is not None
        and professionnel.statut == StatutProfessionnel.VERIFIE
        and professionnel.utilisateur.is_active
    )


def _lien(professionnel: Professionnel) -> QuerySet[AccesProfessionnel]:
    return AccesProfessionnel.objects.filter(espace=OuterRef("pk"), professionnel=professionnel)


def _autorisation_durable(professionnel: Professionnel, maintenant: datetime) -> Exists:
    """Grant still running, or médecin traitant — and not blocked."""
    return Exists(
        _lien(professionnel)
        .filter(bloque=False)
        .filter(
            Q(medecin_traitant=True)
            | Q(autorise=True) & (Q(expire_le__isnull=True) | Q(expire_le__gt=maintenant))
        )
    )


def _urgence_en_cours(professionnel: Professionnel, maintenant: datetime) -> Any:
    """A running emergency access the holder still allows, for a professional not blocked."""
    return (
        Exists(
            BrisDeGlace.objects.filter(
                espace=OuterRef("pk"), professionnel=professionnel, fin__gt=maintenant
            )
        )
        & ~Exists(_lien(professionnel).filter(bloque=True))
        & ~Exists(ReglagesAcces.objects.filter(espace=OuterRef("pk"), urgence_autorisee=False))
    )


def espaces_autorises(
    *, professionnel: Professionnel, maintenant: datetime | None = None
) -> QuerySet[Espace]:
    """Spaces the professional may open now (rules 1–3)."""
    if not professionnel_actif(professionnel):
        return Espace.objects.none()
    maintenant = maintenant or timezone.now()
    return Espace.objects.filter(statut__in=STATUTS_ESPACE_LISIBLES).filter(
        Q(_autorisation_durable(professionnel, maintenant))
        | _urgence_en_cours(professionnel, maintenant)
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


@dataclass(frozen=True)
class AccesPro:
    """A professional's standing on one space, found by ``acces_professionnel``: only built
    when rules 1–3 hold. Shaped like ``profil.selectors.Acces`` so selectors take either."""

    espace: Espace
    professionnel: Professionnel
    motifs: frozenset[Motif]
    urgence: BrisDeGlace | None = None
    lien: AccesProfessionnel | None = field(default=None, compare=False)

    role = "professionnel"
    est_titulaire = False
    peut_regler_visibilite = False

    @property
    def utilisateur(self) -> Any:
        return self.professionnel.utilisateur

    @property
    def acteur(self) -> Acteur:
        return acteur_professionnel(self.professionnel)

    @cached_property
    def matrice(self) -> dict[str, bool]:
        """The profession's row of the matrix, read once per request."""
        return matrice(self.professionnel.profession)

    @cached_property
    def tout_masque(self) -> bool:
        """Whether the holder hid everything from professionals, read once per request."""
        return ReglagesDossier.objects.filter(espace=self.espace, tout_masque=True).exists()

    @property
    def en_urgence(self) -> bool:
        return self.motifs == {Motif.URGENCE}


def acteur_professionnel(professionnel: Professionnel) -> Acteur:
    return Acteur(
        type=TypeActeur.PROFESSIONNEL,
        id=str(professionnel.utilisateur.uuid),
        nom=f"{professionnel.nom_affiche}, {professionnel.qualite}",
    )


def acces_professionnel(*, professionnel: Professionnel | None, espace_uuid: uuid.UUID) -> AccesPro:
    """The professional's access to this space, or 404 — the same answer for a space that
    does not exist, one they were never given, and one whose grant expired or was revoked."""
    if professionnel is None:
        raise Http404
    maintenant = timezone.now()
    espace = (
        espaces_autorises(professionnel=professionnel, maintenant=maintenant)
        .filter(uuid=espace_uuid)
        .first()
    )
    if espace is None:
        raise Http404
    lien = AccesProfessionnel.objects.filter(espace=espace, professionnel=professionnel).first()
    motifs = set()
    if lien is not None and not lien.bloque:
        if lien.medecin_traitant:
            motifs.add(Motif.MEDECIN_TRAITANT)
        if lien.autorisation_active(maintenant):
            motifs.add(Motif.AUTORISATION)
    urgence = (
        BrisDeGlace.objects.filter(espace=espace, professionnel=professionnel, fin__gt=maintenant)
        .order_by("-fin")
        .first()
    )
    if urgence is not None and urgence_possible(professionnel=professionnel, espace=espace):
        motifs.add(Motif.URGENCE)
    else:
        urgence = None
    if not motifs:  # pragma: no cover - espaces_autorises already said yes
        raise Http404
    return AccesPro(
        espace=espace,
        professionnel=professionnel,
        motifs=frozenset(motifs),
        urgence=urgence,
        lien=lien,
    )


# --- Rules 4 and 5: which documents ---------------------------------------------------------


def matrice(profession: str) -> dict[str, bool]:
    """This profession's row of the matrix: type code → may read (``*``: unlisted types)."""
    return dict(
        Habilitation.objects.filter(profession=profession).values_list("type_code", "lecture")
    )


def _lit(lignes: dict[str, bool], type_code: str) -> bool:
    return lignes.get(type_code, lignes.get(Habilitation.TOUS_LES_AUTRES, False))


def types_lisibles(lignes: dict[str, bool]) -> Q:
    """Rule 4 as a filter on documents, from one profession's row of the matrix."""
    lignes = dict(lignes)
    par_defaut = lignes.pop(Habilitation.TOUS_LES_AUTRES, False)
    if par_defaut:
        return ~Q(type_code__in=[code for code, lu in lignes.items() if not lu])
    return Q(type_code__in=[code for code, lu in lignes.items() if lu])


def peut_lire_type(*, profession: str, type_code: str) -> bool:
    return _lit(matrice(profession), type_code)


def _auteur(professionnel: Professionnel) -> Q:
    return Q(auteur_type=TypeActeur.PROFESSIONNEL, auteur_id=str(professionnel.utilisateur.uuid))


def documents_du_professionnel(*, acces: AccesPro, supprimes: bool = False) -> QuerySet[Document]:
    """Every document of the space this professional may read (rules 4 and 5). Documents the
    patient deleted are gone for professionals; with ``supprimes`` nothing is returned."""
    if supprimes:
        return Document.objects.none()
    professionnel = acces.professionnel
    permis = types_lisibles(acces.matrice)
    if acces.tout_masque:
        permis = Q(pk__in=[])
    else:
        permis &= Q(masque_ps=False)
    return Document.objects.filter(espace=acces.espace, supprime_le__isnull=True).filter(
        _auteur(professionnel) | permis
    )


def documents_du_patient(*, acces: Any, supprimes: bool = False) -> QuerySet[Document]:
    """What the holder or a representative reads: all but what a professional holds back,
    and for a representative, all but the minor's secrets."""
    documents = Document.objects.filter(
        espace=acces.espace, supprime_le__isnull=not supprimes, invisible_patient=False
    )
    if not acces.est_titulaire:
        documents = documents.filter(invisible_representants=False)
    return documents


def documents_lisibles(*, acces: Any, supprimes: bool = False) -> QuerySet[Document]:
    """The documents of ``acces.espace`` the actor behind ``acces`` may read."""
    if isinstance(acces, AccesPro):
        return documents_du_professionnel(acces=acces, supprimes=supprimes)
    return documents_du_patient(acces=acces, supprimes=supprimes)


# --- The medical profile ------------------------------------------------------------------------

TYPE_PROFIL = "DOCPAT08"  # the profile counts as this type for the matrix (DESIGN.md §6)


def profil_lisible(*, acces: Any) -> bool:
    """The holder and representatives read the profile; a professional with an access reads
    it if the matrix lets their profession read type DOCPAT08 and the holder has not hidden
    everything."""
    if not isinstance(acces, AccesPro):
        return True
    return not acces.tout_masque and _lit(acces.matrice, TYPE_PROFIL)


def entrees_profil_lisibles(*, acces: Any, modele: Any) -> QuerySet[Any]:
    """A space's profile entries of one kind the actor may read (the caller has checked
    ``profil_lisible``): a legal representative never reads what a professional marked as the
    minor's secret."""
    entrees = modele.objects.filter(espace=acces.espace)
    if getattr(acces, "role", "") == "representant":
        entrees = entrees.filter(secret_mineur=False)
    return entrees


TYPE_DIRECTIVES = "EXPPAT_3"  # the directives anticipées, for the matrix (DESIGN.md §6)


def directives_lisibles(*, acces: Any) -> bool:
    """The holder reads their directives; a professional if the matrix lets their profession
    read type EXPPAT_3 (``profil_lisible`` already said they read the profile)."""
    if not isinstance(acces, AccesPro):
        return True
    return _lit(acces.matrice, TYPE_DIRECTIVES)


# --- The journal: what the history may tell ---------------------------------------------------

# The key of an event's details that marks an event about a minor's secret (a document hidden
# from the legal representatives, or a profile entry a professional marked so). Written with
# the event, because the event outlives its object: a profile entry deleted, a document purged.
SECRET_MINEUR = "secret_mineur"  # noqa: S105 (a key of the details, no password)


def marque_secret(objet: Any) -> dict[str, Any]:
    """The details to add to an event about ``objet`` (a document or a profile entry): the
    mark when it is a minor's secret, nothing otherwise. Both flags are set when the object is
    created and never change (a new version keeps its document's), so the mark stays true."""
    secret = getattr(objet, "invisible_representants", False) or getattr(
        objet, "secret_mineur", False
    )
    return {SECRET_MINEUR: True} if secret else {}


def _secrets_du_mineur(espace: Espace) -> list[str]:
    """The uuids of the space's secret documents (deleted ones too) and secret profile entries,
    in one query: events written before the mark existed name them."""
    from django.apps import apps

    modeles: list[Any] = [
        modele
        for modele in apps.get_app_config("profil").get_models()
        if issubclass(modele, ElementProfil)
    ]
    requetes = [
        modele.objects.filter(espace=espace, secret_mineur=True).order_by().values_list("uuid")
        for modele in modeles
    ]
    documents = Document.objects.filter(espace=espace, invisible_representants=True)
    uuids = documents.order_by().values_list("uuid").union(*requetes, all=True)
    return [str(valeur) for (valeur,) in uuids]


def evenements_lisibles(*, acces: Any, evenements: QuerySet[Evenement]) -> QuerySet[Evenement]:
    """The events of ``acces.espace`` the actor may read in the history (the caller chose the
    space's events). A legal representative reads nothing about a minor's secret: no event on
    a secret document or profile entry, whoever acted (a professional, the minor, the system),
    so neither the rows, nor their count, nor their pages tell that it exists. Decided by the
    mark each event carries (``marque_secret``), and for older events by the secret objects
    that still exist."""
    if getattr(acces, "role", "") != "representant":
        return evenements
    # The key is only ever written with ``True``: its presence is the mark (a comparison of
    # the value would drop every event without the key on SQLite, where it yields NULL).
    evenements = evenements.exclude(details__has_key=SECRET_MINEUR)
    secrets = _secrets_du_mineur(acces.espace)
    if secrets:
        evenements = evenements.exclude(
            Q(objet_id__in=secrets)
            & (Q(objet_type="document") | Q(objet_type__startswith="profil:"))
        )
    return evenements
