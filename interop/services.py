"""Writes of the API's own: a professional registers and revokes their software."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from espace_sante.acces import acteur_professionnel, professionnel_actif
from espace_sante.journal.models import Action
from espace_sante.journal.services import evenement_enregistrer
from espace_sante.lib.erreurs import Refus
from professionnels.models import Professionnel

from .models import Logiciel


def _journal(action: Action, *, logiciel: Logiciel, ip: str | None) -> None:
    professionnel = logiciel.professionnel
    evenement_enregistrer(
        action=action,
        acteur=acteur_professionnel(professionnel),
        compte_uuid=professionnel.utilisateur.uuid,
        objet_type="logiciel",
        objet_id=str(logiciel.uuid),
        ip=ip,
        details={"logiciel": logiciel.nom},
    )


def logiciel_enregistrer(
    *, professionnel: Professionnel, nom: str, adresse_retour: str, ip: str | None = None
) -> Logiciel:
    """A verified professional registers a piece of software: a public OAuth client (the
    software keeps no secret; PKCE protects each authorization), authorization code only."""
    if not professionnel_actif(professionnel):
        raise Refus(_("Seul un professionnel vérifié peut enregistrer un logiciel."))
    nom = " ".join(nom.split())[:100]
    if not nom:
        raise Refus(_("Donnez le nom du logiciel."))
    with transaction.atomic():
        application = Application.objects.create(
            user=professionnel.utilisateur,
            name=nom,
            client_type=Application.CLIENT_PUBLIC,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=adresse_retour,
            skip_authorization=False,
            algorithm="",
        )
        logiciel = Logiciel.objects.create(
            professionnel=professionnel, application=application, nom=nom
        )
        _journal(Action.LOGICIEL_ENREGISTRE, logiciel=logiciel, ip=ip)
    return logiciel


def logiciel_revoquer(*, logiciel: Logiciel, ip: str | None = None) -> Logiciel:
    """The software loses its access at once: its tokens, refresh tokens and pending codes are
    deleted with its OAuth application (a call with one of them answers 401)."""
    with transaction.atomic():
        logiciel = Logiciel.objects.select_for_update().get(pk=logiciel.pk)
        if logiciel.revoque_le is not None:
            return logiciel
        if logiciel.application_id is not None:
            application_id = logiciel.application_id
            RefreshToken.objects.filter(application_id=application_id).delete()
            AccessToken.objects.filter(application_id=application_id).delete()
            Grant.objects.filter(application_id=application_id).delete()
            Application.objects.filter(pk=application_id).delete()
        logiciel.application = None
        logiciel.revoque_le = timezone.now()
        logiciel.save(update_fields=["application", "revoque_le"])
        _journal(Action.LOGICIEL_REVOQUE, logiciel=logiciel, ip=ip)
    return logiciel
