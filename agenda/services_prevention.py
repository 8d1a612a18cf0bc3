"""Writes of the calendar feed, the recommended care followed and the prevention opt-outs
(issue 19, points 3–5). Each checks what it is given against the space (``acces.espace``): a
document or an appointment of another space is refused (``Refus``), an unknown key or theme
is 404 (the views found the item through ``prevention.soin_pour_acces``)."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from dossier.models import Document
from espace_sante.acces import AccesPatient, documents_lisibles
from espace_sante.journal.models import Action
from espace_sante.lib.erreurs import Refus

from . import flux as flux_
from .journal import journaliser
from .models import FluxCalendrier, RefusPrevention, RendezVous, SuiviSoin
from .prevention import THEMES, SoinAPrevoir

# --- The calendar feed ---------------------------------------------------------------------------


def flux_actif(*, acces: AccesPatient) -> FluxCalendrier | None:
    return FluxCalendrier.objects.filter(
        espace=acces.espace, utilisateur=acces.utilisateur, revoque_le__isnull=True
    ).first()


@transaction.atomic
def flux_creer(*, acces: AccesPatient, avec_details: bool) -> str:
    """A new private feed for this person and space; the one before (if any) is revoked: its
    URL no longer answers. Returns the token (shown once, never kept)."""
    FluxCalendrier.objects.filter(
        espace=acces.espace, utilisateur=acces.utilisateur, revoque_le__isnull=True
    ).update(revoque_le=timezone.now())
    jeton = flux_.jeton_nouveau()
    FluxCalendrier.objects.create(
        espace=acces.espace,
        utilisateur=acces.utilisateur,
        empreinte=flux_.empreinte(jeton),
        avec_details=avec_details,
    )
    journaliser(Action.FLUX_CREE, acces=acces, objet_type="flux", avec_details=avec_details)
    return jeton


def flux_regler(*, acces: AccesPatient, avec_details: bool) -> None:
    """Details in the feed or not, same URL."""
    nombre = FluxCalendrier.objects.filter(
        espace=acces.espace, utilisateur=acces.utilisateur, revoque_le__isnull=True
    ).update(avec_details=avec_details)
    if not nombre:
        raise Refus("Vous n'avez pas d'abonnement en cours : créez-en un d'abord.")


@transaction.atomic
def flux_revoquer(*, acces: AccesPatient) -> int:
    """The person's feed of this space ends at once. Returns how many were revoked."""
    nombre = FluxCalendrier.objects.filter(
        espace=acces.espace, utilisateur=acces.utilisateur, revoque_le__isnull=True
    ).update(revoque_le=timezone.now())
    if nombre:
        journaliser(Action.FLUX_REVOQUE, acces=acces, objet_type="flux")
    return nombre


# --- Recommended care ----------------------------------------------------------------------------


def _document(acces: AccesPatient, document: Document | None) -> Document | None:
    if document is None:
        return None
    if not documents_lisibles(acces=acces).filter(pk=document.pk).exists():
        raise Refus("Ce document n'est pas dans cet espace : choisissez-en un de la liste.")
    return document


def _rendez_vous(acces: AccesPatient, rdv: RendezVous | None) -> RendezVous | None:
    if rdv is not None and rdv.espace_id != acces.espace.pk:
        raise Refus("Ce rendez-vous n'est pas dans cet agenda : choisissez-en un de la liste.")
    return rdv


@transaction.atomic
def soin_marquer_fait(
    *,
    acces: AccesPatient,
    soin: SoinAPrevoir,
    document: Document | None = None,
    rendez_vous: RendezVous | None = None,
) -> SuiviSoin:
    """The item is done, linked (optionally) to one of the space's documents or
    appointments."""
    return _suivre(
        acces,
        soin,
        SuiviSoin.Etat.FAIT,
        document=_document(acces, document),
        rendez_vous=_rendez_vous(acces, rendez_vous),
    )


@transaction.atomic
def soin_ecarter(*, acces: AccesPatient, soin: SoinAPrevoir) -> SuiviSoin:
    return _suivre(acces, soin, SuiviSoin.Etat.ECARTE)


def _suivre(
    acces: AccesPatient,
    soin: SoinAPrevoir,
    etat: SuiviSoin.Etat,
    *,
    document: Document | None = None,
    rendez_vous: RendezVous | None = None,
) -> SuiviSoin:
    """The item's state noted (done or dismissed, what it is linked to), and journaled by the
    row's id (its key names a screening: health)."""
    suivi, _cree = SuiviSoin.objects.update_or_create(
        espace=acces.espace,
        cle=soin.cle,
        defaults={
            "etat": etat,
            "document": document,
            "rendez_vous": rendez_vous,
            "le": timezone.now(),
        },
    )
    journaliser(Action.SOIN_SUIVI, acces=acces, objet_type="soin", objet_id=suivi.pk, etat=etat)
    return suivi


@transaction.atomic
def soin_retablir(*, acces: AccesPatient, soin: SoinAPrevoir) -> None:
    """Back to "à prévoir" (what the person noted is forgotten)."""
    if SuiviSoin.objects.filter(espace=acces.espace, cle=soin.cle).delete()[0]:
        journaliser(Action.SOIN_SUIVI, acces=acces, objet_type="soin", etat="a_prevoir")


# --- Prevention opt-outs -------------------------------------------------------------------------


def _theme(theme: str) -> str:
    if theme not in THEMES:
        raise Http404
    return theme


@transaction.atomic
def prevention_refuser(*, acces: AccesPatient, theme: str) -> None:
    """No message of this theme any more, from the next page on (journaled without the theme:
    it may name a screening)."""
    _refus, cree = RefusPrevention.objects.get_or_create(espace=acces.espace, theme=_theme(theme))
    if cree:
        journaliser(Action.PREVENTION_REGLEE, acces=acces, objet_type="prevention", refuse=True)


@transaction.atomic
def prevention_accepter(*, acces: AccesPatient, theme: str) -> None:
    if RefusPrevention.objects.filter(espace=acces.espace, theme=_theme(theme)).delete()[0]:
        journaliser(Action.PREVENTION_REGLEE, acces=acces, objet_type="prevention", refuse=False)
