"""Journal the account events that concern a space (login, second factor, settings)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from espace_sante.acces import acteur_professionnel
from espace_sante.comptes.models import Utilisateur
from espace_sante.comptes.parametres import compte_modifie
from espace_sante.journal.models import Action, TypeActeur
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.http import client_ip

from .models import Espace


def _journaliser(action: Action, user: Utilisateur, request: HttpRequest | None) -> None:
    espace = Espace.objects.filter(titulaire=user).only("uuid").first()
    acteur = None
    if user.is_staff:
        type_acteur = TypeActeur.OPERATEUR
    elif espace is None and hasattr(user, "professionnel"):
        type_acteur = TypeActeur.PROFESSIONNEL
        acteur = acteur_professionnel(user.professionnel)
    elif espace is not None:
        type_acteur = TypeActeur.TITULAIRE
    else:
        type_acteur = TypeActeur.REPRESENTANT
    evenement_enregistrer(
        action=action,
        acteur=acteur or Acteur.pour_utilisateur(user, type_acteur),
        espace_uuid=espace.uuid if espace else None,
        compte_uuid=user.uuid,
        objet_type="compte",
        objet_id=str(user.uuid),
        ip=client_ip(request) if request is not None else None,
    )


@receiver(user_logged_in)
def _connexion(sender: Any, request: HttpRequest, user: Utilisateur, **kwargs: Any) -> None:
    _journaliser(Action.CONNEXION, user, request)


@receiver(user_logged_out)
def _deconnexion(
    sender: Any, request: HttpRequest, user: Utilisateur | None, **kwargs: Any
) -> None:
    if user is not None:
        _journaliser(Action.DECONNEXION, user, request)


@receiver(authenticator_added)
def _second_facteur_ajoute(
    sender: Any, request: HttpRequest, authenticator: Any, **kw: Any
) -> None:
    if authenticator.type == "totp":
        _journaliser(Action.SECOND_FACTEUR_ACTIVE, authenticator.user, request)


@receiver(authenticator_removed)
def _second_facteur_retire(
    sender: Any, request: HttpRequest, authenticator: Any, **kw: Any
) -> None:
    if authenticator.type == "totp":
        _journaliser(Action.SECOND_FACTEUR_RETIRE, authenticator.user, request)


_CHANGEMENTS_DU_COMPTE = {
    "email": Action.COMPTE_EMAIL,
    "telephone": Action.COMPTE_TELEPHONE,
    "notifications": Action.COMPTE_NOTIFICATIONS,
}


@receiver(compte_modifie)
def _compte_modifie(
    sender: Any, utilisateur: Utilisateur, request: HttpRequest | None, quoi: str, **kw: Any
) -> None:
    """A setting of the account changed (e-mail, phone, e-mails received): which one, never
    the value."""
    _journaliser(_CHANGEMENTS_DU_COMPTE[quoi], utilisateur, request)
