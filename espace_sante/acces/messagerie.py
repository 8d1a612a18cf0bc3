"""The messagerie's rules (docs/MESSAGERIE.md): who writes to whom, who reads which thread.

- A professional who may open a space (rules 1–3: a grant, médecin traitant, a running
  emergency — an ``AccesPro``) opens a thread with it: its holder and, for a minor, its legal
  representatives read it; a thread a professional opens on a minor's space may be the minor's
  secret, then the representatives never see it (``lit_les_secrets``).
- The holder, or a minor's representative (an ``AccesPatient``), opens a thread with any
  professional who holds a running grant on the space or is its médecin traitant, not blocked,
  verified and active (``professionnels_joignables``); there is no thread between patients.
- In a thread: the patient's side replies in any thread a professional opened, and in its own
  while the professional is still reachable; the professional replies while verified and
  active. Nobody writes in a closed thread, in a closed space, or with a blocked professional
  (blocking closes their threads to new messages; the history stays, on both sides).
- A professional reads the threads they are part of (their correspondence) while their account
  is verified and active, even once their grant has ended.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.services import Acteur
from messagerie.models import Cote, Fil
from professionnels.models import AccesProfessionnel, Professionnel, StatutProfessionnel

from .acteurs import AccesPatient, AccesPro, Role, acteur_professionnel
from .autorisations import _autorisation_active, professionnel_actif
from .espaces import espace_pour_acteur
from .secret_mineur import lit_les_secrets


@dataclass(frozen=True)
class AccesFil:
    """A person's standing in one thread: the patient's side (``acces``: the holder or a
    representative of its space) or the professional's (``professionnel``)."""

    fil: Fil
    utilisateur: Utilisateur
    acces: AccesPatient | None = None
    professionnel: Professionnel | None = None

    @property
    def cote(self) -> Cote:
        return Cote.PROFESSIONNEL if self.professionnel is not None else Cote.PATIENT

    @property
    def est_professionnel(self) -> bool:
        return self.professionnel is not None

    @property
    def acteur(self) -> Acteur:
        if self.professionnel is not None:
            return acteur_professionnel(self.professionnel)
        assert self.acces is not None
        return self.acces.acteur


def nom_d_auteur(acces: AccesPatient | AccesPro) -> str:
    """How a message names its author: "Dr Paul MARTIN, médecin généraliste", "Camille
    MARTIN", "Julien MARTIN, représentant légal", "Marie DUPONT, aidante"."""
    if isinstance(acces, AccesPro):
        return acces.acteur.nom
    nom = acces.utilisateur.nom_affiche
    if acces.role == Role.REPRESENTANT:
        return _("%(nom)s, représentant légal") % {"nom": nom}
    return f"{nom}, {acces.qualite}" if acces.qualite else nom


# --- Whom the patient's side may write to --------------------------------------------------------


def _liens_joignables(espace_id: int, maintenant: datetime) -> QuerySet[AccesProfessionnel]:
    return AccesProfessionnel.objects.filter(espace_id=espace_id, bloque=False).filter(
        Q(medecin_traitant=True) | _autorisation_active(maintenant)
    )


def professionnels_joignables(acces: AccesPatient) -> QuerySet[Professionnel]:
    """The professionals the holder or a representative may write to: a running grant on the
    space or its médecin traitant, not blocked, verified and active."""
    liens = _liens_joignables(acces.espace.pk, timezone.now())
    return (
        Professionnel.objects.filter(
            pk__in=liens.values("professionnel_id"),
            statut=StatutProfessionnel.VERIFIE,
            utilisateur__is_active=True,
        )
        .select_related("utilisateur")
        .order_by("utilisateur__nom", "utilisateur__prenom", "pk")
    )


def peut_ecrire_a_un_professionnel(acces: AccesPatient) -> bool:
    """Whether ``professionnels_joignables`` has anyone (the inbox's "Écrire" button), asked
    of the grants alone: one join, no subquery."""
    return (
        _liens_joignables(acces.espace.pk, timezone.now())
        .filter(
            professionnel__statut=StatutProfessionnel.VERIFIE,
            professionnel__utilisateur__is_active=True,
        )
        .exists()
    )


def peut_ecrire_a(acces: AccesPatient, professionnel: Professionnel) -> bool:
    return professionnels_joignables(acces).filter(pk=professionnel.pk).exists()


# --- Which threads each reads --------------------------------------------------------------------


def fils_de_l_espace(acces: AccesPatient) -> QuerySet[Fil]:
    """The space's threads its holder or a representative reads: a representative none of the
    minor's secret ones."""
    fils = Fil.objects.filter(espace=acces.espace)
    if not lit_les_secrets(acces):
        fils = fils.filter(secret_mineur=False)
    return fils


def fils_du_professionnel(professionnel: Professionnel | None) -> QuerySet[Fil]:
    """The threads a professional is part of, while their account is verified and active."""
    if not professionnel_actif(professionnel):
        return Fil.objects.none()
    return Fil.objects.filter(professionnel=professionnel)


def acces_fil(*, utilisateur: Utilisateur, fil_uuid: uuid.UUID) -> AccesFil:
    """The person's standing in the thread, or 404 — the same for a thread that does not exist,
    one of another space, and a minor's secret one asked by a representative."""
    fil = (
        Fil.objects.select_related("espace", "professionnel__utilisateur")
        .filter(uuid=fil_uuid)
        .first()
    )
    if fil is None:
        raise Http404
    professionnel = fil.professionnel
    if professionnel.utilisateur_id == utilisateur.pk:
        if not professionnel_actif(professionnel):
            raise Http404
        return AccesFil(fil=fil, utilisateur=utilisateur, professionnel=professionnel)
    acces = espace_pour_acteur(utilisateur=utilisateur, espace_uuid=fil.espace.uuid, ouvert=False)
    if fil.secret_mineur and not lit_les_secrets(acces):
        raise Http404
    return AccesFil(fil=fil, utilisateur=utilisateur, acces=acces)


def fil_pour_acces(*, acces: AccesPatient, fil_uuid: uuid.UUID) -> AccesFil:
    """A thread of the space ``acces`` is on (the patient's pages, under the space's URL), or
    404."""
    fil = (
        fils_de_l_espace(acces)
        .select_related("espace", "professionnel__utilisateur")
        .filter(uuid=fil_uuid)
        .first()
    )
    if fil is None:
        raise Http404
    return AccesFil(fil=fil, utilisateur=acces.utilisateur, acces=acces)


# --- Who may write in a thread, close it, file its attachments -----------------------------------


def refus_d_ecrire(acces: AccesFil) -> str | None:
    """Why this person may not write in the thread now (plain French, with what to do), or
    ``None`` when they may."""
    fil = acces.fil
    if fil.ferme:
        if acces.est_professionnel:
            return _("Vous avez clos cette conversation : ouvrez-en une nouvelle pour écrire.")
        return _(
            "Le professionnel a clos cette conversation. Pour lui écrire de nouveau, ouvrez une "
            "nouvelle conversation."
        )
    if not fil.espace.ouvert:
        return _("Cet espace santé est fermé : la conversation se lit, on ne peut plus y écrire.")
    lien = AccesProfessionnel.objects.filter(
        espace_id=fil.espace_id, professionnel_id=fil.professionnel_id
    ).first()
    if lien is not None and lien.bloque:
        if acces.est_professionnel:
            return _(
                "Ce patient ne vous permet plus d'accéder à son dossier : vous ne pouvez plus "
                "lui écrire."
            )
        return _(
            "Vous avez bloqué ce professionnel : la conversation ne reçoit plus de messages. "
            "Vous pouvez le débloquer depuis « Mes professionnels »."
        )
    if not professionnel_actif(fil.professionnel):
        return _("Ce professionnel ne peut plus recevoir de messages sur Espace Santé.")
    if (
        not acces.est_professionnel
        and fil.ouvert_par == Cote.PATIENT
        and (lien is None or not _lien_joignable(lien))
    ):
        return _(
            "Ce professionnel n'a plus d'autorisation d'accès à votre dossier : redonnez-lui "
            "accès depuis « Mes professionnels » pour lui écrire."
        )
    return None


def _lien_joignable(lien: AccesProfessionnel) -> bool:
    return _liens_joignables(lien.espace_id, timezone.now()).filter(pk=lien.pk).exists()


def peut_fermer(acces: AccesFil) -> bool:
    """The professional closes a thread (no more messages, the history stays)."""
    return acces.est_professionnel and not acces.fil.ferme


def peut_ajouter_aux_documents(acces: AccesFil) -> bool:
    """The patient's side files an attachment among the space's documents (the holder, or a
    minor's representative, who deposits there too), while the space is open."""
    return not acces.est_professionnel and acces.fil.espace.ouvert
