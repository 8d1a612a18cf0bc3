"""Reads about a professional's deposits: "Mes dépôts", the page that follows one deposit until
its outcome is known, and the recent ones on the home page. Which deposits the professional
reads is the access package's (``depots_du_professionnel``): their own, accepted, still checked
or refused, in the spaces they may open now; a refused one is a record only its author reads.
Those they may no longer read are only counted (``nombre_depots_hors_acces``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dossier.models import Document, Statut
from dossier.selectors import avec_attente
from espace_sante.acces import depots_du_professionnel, nombre_depots_hors_acces

from .models import Professionnel

DEPOTS_PAR_PAGE = 25
RECENTS = 5
REFUS_RECENTS = timedelta(days=7)


def depots(*, professionnel: Professionnel) -> QuerySet[Document]:
    """Every deposit of this professional, the latest first, with its space and whether its
    job is still waiting for the broker (``en_attente``)."""
    return avec_attente(
        depots_du_professionnel(professionnel=professionnel)
        .select_related("espace")
        .order_by("-cree_le", "-id")
    )


def depot_pour_professionnel(*, professionnel: Professionnel, document_uuid: uuid.UUID) -> Document:
    """One of this professional's deposits, or 404 (someone else's, or none)."""
    depot = depots(professionnel=professionnel).filter(uuid=document_uuid).first()
    if depot is None:
        raise Http404
    return depot


def refus_recents(*, professionnel: Professionnel) -> int:
    """How many of their deposits were refused in the last seven days (the home page's
    "à traiter")."""
    return (
        depots_du_professionnel(professionnel=professionnel)
        .filter(statut=Statut.EN_ERREUR, traite_le__gte=timezone.now() - REFUS_RECENTS)
        .count()
    )


def hors_acces(*, professionnel: Professionnel) -> int:
    return nombre_depots_hors_acces(professionnel=professionnel)


@dataclass(frozen=True)
class EtatDepot:
    """A deposit as its author reads it: its state in plain words, and whether its document
    page opens (it is in the space: accepted, or an old version)."""

    document: Document
    code: str  # en_traitement, en_attente, disponible, refuse, remplace
    libelle: str
    explication: str
    consultable: bool

    @property
    def en_cours(self) -> bool:
        return self.code in {"en_traitement", "en_attente"}


def etat(document: Document) -> EtatDepot:
    statut = document.statut
    if statut == Statut.EN_ERREUR:
        return EtatDepot(
            document,
            "refuse",
            _("Refusé"),
            document.motif_erreur
            or _("Le fichier n'a pas pu être lu : il n'a pas été ajouté au dossier."),
            False,
        )
    if statut == Statut.EN_TRAITEMENT:
        if getattr(document, "en_attente", False):
            return EtatDepot(
                document,
                "en_attente",
                _("En attente de traitement"),
                _(
                    "Reçu et enregistré ; sa vérification commencera automatiquement dans "
                    "quelques minutes. Inutile de l'envoyer à nouveau."
                ),
                False,
            )
        return EtatDepot(
            document,
            "en_traitement",
            _("En traitement"),
            _(
                "Reçu ; son contenu est en cours de vérification. Il n'est pas encore dans le "
                "dossier du patient."
            ),
            False,
        )
    if statut == Statut.ARCHIVE:
        return EtatDepot(
            document,
            "remplace",
            _("Remplacé"),
            _("Une nouvelle version l'a remplacé ; celle-ci reste consultable."),
            True,
        )
    if document.invisible_patient:
        explication = _(
            "Ajouté au dossier du patient, qui ne le voit pas encore : rendez-le visible depuis "
            "la page du document après la consultation d'annonce."
        )
    else:
        explication = _("Ajouté au dossier du patient.")
    return EtatDepot(document, "disponible", _("Disponible"), explication, True)


def etats(documents: list[Document]) -> list[EtatDepot]:
    return [etat(document) for document in documents]
