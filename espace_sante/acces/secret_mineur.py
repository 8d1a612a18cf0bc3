"""A minor's secret (DESIGN.md §3): what a professional hides from a minor's legal
representatives — a document (``INVISIBLE_REPRESENTANTS_LEGAUX``) or a profile entry
(``secret_mineur``). Only a professional marks it, only on a minor's space; a representative
never reads it, nor anything the journal says of it (``evenements_lisibles``).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet

from dossier.models import Document
from espace_sante.journal.models import Evenement
from profil.models import ElementProfil

from .acteurs import Acces

# The key of an event's details that marks an event about a minor's secret (a document hidden
# from the legal representatives, or a profile entry a professional marked so). Written with
# the event, because the event outlives its object: a profile entry deleted, a document purged.
SECRET_MINEUR = "secret_mineur"  # noqa: S105 (a key of the details, no password)


def lit_les_secrets(acces: Acces) -> bool:
    """Who reads a minor's secrets: the holder and professionals; never a legal representative,
    a tutor, a carer or a curator (an adult's space keeps the marks of their childhood)."""
    return acces.est_professionnel or acces.est_titulaire


def peut_marquer_secret(acces: Acces) -> bool:
    """A professional marks a minor's secret, on a minor's space only."""
    return acces.est_professionnel and acces.espace.est_mineur


def marque_secret(objet: Document | ElementProfil | None) -> dict[str, Any]:
    """The details to add to an event about ``objet`` (a document or a profile entry): the
    mark when it is a minor's secret, nothing otherwise. Both flags are set when the object is
    created and never change (a new version keeps its document's), so the mark stays true."""
    secret = getattr(objet, "invisible_representants", False) or getattr(
        objet, "secret_mineur", False
    )
    return {SECRET_MINEUR: True} if secret else {}


def _secrets_du_mineur(acces: Acces) -> list[str]:
    """The uuids of the space's secret documents (deleted ones too) and secret profile entries,
    in one query: events written before the mark existed name them."""
    modeles: list[type[Model]] = [
        modele
        for modele in apps.get_app_config("profil").get_models()
        if issubclass(modele, ElementProfil)
    ]
    requetes = [
        modele._default_manager.filter(espace=acces.espace, secret_mineur=True)
        .order_by()
        .values_list("uuid")
        for modele in modeles
    ]
    documents = Document.objects.filter(espace=acces.espace, invisible_representants=True)
    uuids = documents.order_by().values_list("uuid").union(*requetes, all=True)
    return [str(valeur) for (valeur,) in uuids]


def evenements_lisibles(*, acces: Acces, evenements: QuerySet[Evenement]) -> QuerySet[Evenement]:
    """The events of ``acces.espace`` the actor may read in the history (the caller chose the
    space's events). A legal representative reads nothing about a minor's secret: no event on
    a secret document or profile entry, whoever acted (a professional, the minor, the system),
    so neither the rows, nor their count, nor their pages tell that it exists. Decided by the
    mark each event carries (``marque_secret``), and for older events by the secret objects
    that still exist."""
    if lit_les_secrets(acces):
        return evenements
    # The key is only ever written with ``True``: its presence is the mark (a comparison of
    # the value would drop every event without the key on SQLite, where it yields NULL).
    evenements = evenements.exclude(details__has_key=SECRET_MINEUR)
    secrets = _secrets_du_mineur(acces)
    if secrets:
        evenements = evenements.exclude(
            Q(objet_id__in=secrets)
            & (Q(objet_type="document") | Q(objet_type__startswith="profil:"))
        )
    return evenements
