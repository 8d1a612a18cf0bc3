"""Carers (aidants): an adult holder's delegation, invited by e-mail, accepted, revoked by either
side (docs/PROCHES.md, "Carers").

The holder invites an address; the job (``proches.tasks.invitation_aidant_envoyer``) makes the
token, keeps its SHA-256 and sends the link in one step, so the token is never stored. The
person who holds that address and an active adult space accepts (or declines) within 7 days;
then either side ends the delegation at any time. What the carer then reaches is the access
package's (``espace_sante.acces``: role ``aidant``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from espace_sante.acces import AccesPatient, Role, espaces_accessibles, majeur_titulaire
from espace_sante.comptes.models import TypeNotification, Utilisateur
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur
from espace_sante.lib.erreurs import Refus
from espace_sante.taches.services import tache_programmer
from profil.evenements import journal_espace
from profil.models import Delegation, Espace, Perimetre, Statut

from .invitations import INVITATION_VALIDITE, empreinte, jeton_renouveler, lien_envoyer

MAX_AIDANTS = 5

# What each perimeter opens, in plain words (the invitation form, the invitation page, the PDF).
EXPLICATIONS: dict[str, Any] = {
    Perimetre.TOUT: _lazy(
        "Tout l'espace : documents, profil médical, agenda, messagerie et historique. "
        "Jamais les réglages, les professionnels autorisés ni vos proches."
    ),
    Perimetre.DOCUMENTS: _lazy("Les documents seulement : ordonnances, résultats, comptes rendus…"),
    Perimetre.PROFIL: _lazy(
        "Le profil médical seulement : allergies, traitements, antécédents, vaccinations…"
    ),
    Perimetre.AGENDA: _lazy("L'agenda seulement : rendez-vous et rappels."),
}


def _sans_jeton() -> str:
    """A hash no token was ever given for (the column is unique and required): the invitation
    opens nothing until its job makes the real token."""
    return empreinte(secrets.token_urlsafe(32))


def libelle_mode(ecriture: bool) -> str:
    return _("Consulter, ajouter et modifier") if ecriture else _("Consulter seulement")


# --- Reads ----------------------------------------------------------------------------------


def _en_cours() -> Q:
    """An accepted delegation not revoked whose end date has not passed."""
    aujourd_hui = timezone.localdate()
    return Q(acceptee_le__isnull=False, revoquee_le__isnull=True) & (
        Q(fin__isnull=True) | Q(fin__gte=aujourd_hui)
    )


def _en_attente() -> Q:
    return Q(
        acceptee_le__isnull=True, revoquee_le__isnull=True, invitation_expire_le__gt=timezone.now()
    )


def delegations_donnees(espace: Espace) -> QuerySet[Delegation]:
    """The holder's carers today and their invitations still waiting."""
    return (
        Delegation.objects.filter(espace=espace)
        .filter(_en_cours() | _en_attente())
        .select_related("aidant")
        .order_by("cree_le")
    )


def delegations_recues(espace: Espace) -> QuerySet[Delegation]:
    """The spaces this person (their own space) is a carer of today."""
    return (
        Delegation.objects.filter(aidant=espace)
        .filter(_en_cours())
        .select_related("espace")
        .order_by("acceptee_le")
    )


@dataclass(frozen=True)
class Ligne:
    """A delegation as the Proches page shows it."""

    delegation: Delegation
    nom: str  # the other party (the carer, the holder), or the invited address
    perimetre: str
    mode: str


def _ligne(delegation: Delegation, nom: str) -> Ligne:
    return Ligne(
        delegation=delegation,
        nom=nom,
        perimetre=str(EXPLICATIONS[delegation.perimetre]),
        mode=str(libelle_mode(delegation.ecriture)),
    )


def resume(acces: AccesPatient) -> dict[str, Any]:
    """What the Proches page shows of the carers: the holder's carers and invitations, the
    spaces the holder is a carer of; whether they may invite (an adult holder only)."""
    if not acces.est_titulaire:
        return {}
    peut_inviter = majeur_titulaire(acces)
    donnees = list(delegations_donnees(acces.espace)) if peut_inviter else []
    return {
        "peut_inviter": peut_inviter,
        "aidants": [_ligne(d, d.aidant.nom_complet) for d in donnees if d.aidant is not None],
        "invitations": [_ligne(d, d.courriel) for d in donnees if d.acceptee_le is None],
        "complet": len(donnees) >= MAX_AIDANTS,
        "max": MAX_AIDANTS,
        "aide": [_ligne(d, d.espace.nom_complet) for d in delegations_recues(acces.espace)],
    }


def delegation_du_titulaire(acces: AccesPatient, delegation_uuid: Any) -> Delegation | None:
    """One of the holder's delegations (running or waiting), for the holder's pages."""
    if not majeur_titulaire(acces):
        return None
    return delegations_donnees(acces.espace).filter(uuid=delegation_uuid).first()


def delegation_de_l_aidant(acces: AccesPatient, delegation_uuid: Any) -> Delegation | None:
    """A delegation this person holds as carer, looked up from their own space."""
    if not acces.est_titulaire:
        return None
    return delegations_recues(acces.espace).filter(uuid=delegation_uuid).first()


def _espace_propre_actif(utilisateur: Utilisateur) -> Espace | None:
    """The person's own active adult space (a carer needs one), through the access package."""
    for acces in espaces_accessibles(utilisateur=utilisateur):
        if majeur_titulaire(acces) and acces.espace.statut == Statut.ACTIF:
            return acces.espace
    return None


def _acteur_aidant(delegation: Delegation, utilisateur: Utilisateur) -> Acteur:
    """The carer as the journal names them on the holder's space: "Marie DUPONT, aidante"."""
    aidant = delegation.aidant
    return AccesPatient(
        espace=delegation.espace,
        role=Role.AIDANT,
        utilisateur=utilisateur,
        perimetre=delegation.perimetre,
        ecriture=delegation.ecriture,
        sexe=aidant.sexe if aidant else "",
    ).acteur


# --- The holder invites ---------------------------------------------------------------------


def aidant_inviter(
    *,
    acces: AccesPatient,
    courriel: str,
    perimetre: str,
    ecriture: bool,
    fin: date | None,
    ip: str | None,
) -> Delegation:
    """Record the invitation and queue its e-mail. Refuses (``Refus``, nothing written): anyone
    but the adult holder, oneself, an address without an active adult space, a person already
    carer (or invited: ``code="en_attente"``), more than ``MAX_AIDANTS``, an end date passed."""
    if not majeur_titulaire(acces):
        raise Refus(_("Seule la personne majeure titulaire de l'espace peut choisir un aidant."))
    courriel = courriel.strip()
    if perimetre not in Perimetre.values:
        raise Refus(_("Choisissez ce que votre aidant pourra voir."))
    if fin is not None and fin < timezone.localdate():
        raise Refus(_("La date de fin est passée : choisissez aujourd'hui ou une date à venir."))
    if courriel.lower() == acces.utilisateur.email.lower():
        raise Refus(
            _("Vous ne pouvez pas être votre propre aidant : indiquez l'adresse d'un proche.")
        )
    invite = Utilisateur.objects.filter(email__iexact=courriel).first()
    aidant = _espace_propre_actif(invite) if invite is not None else None
    if aidant is None or invite is None:
        raise Refus(
            _(
                "Aucun espace santé activé d'une personne majeure n'utilise cette adresse. "
                "Vérifiez l'adresse avec votre proche, ou demandez-lui d'activer d'abord son "
                "propre espace santé, puis invitez-le avec l'adresse qu'il utilise pour se "
                "connecter."
            ),
            code="inconnu",
        )
    if aidant.pk == acces.espace.pk:
        raise Refus(
            _("Vous ne pouvez pas être votre propre aidant : indiquez l'adresse d'un proche.")
        )
    with transaction.atomic():
        # One holder's invitations at a time: the count and the checks hold until commit.
        Espace.objects.select_for_update().filter(pk=acces.espace.pk).first()
        donnees = delegations_donnees(acces.espace)
        if donnees.filter(aidant=aidant).exists():
            raise Refus(_("Cette personne est déjà votre aidant."), code="deja")
        if donnees.filter(acceptee_le__isnull=True, courriel__iexact=courriel).exists():
            raise Refus(
                _(
                    "Une invitation attend déjà la réponse de cette personne. Vous pouvez la "
                    "renvoyer depuis la liste des invitations ci-dessous."
                ),
                code="en_attente",
            )
        if donnees.count() >= MAX_AIDANTS:
            raise Refus(
                _(
                    "Vous avez déjà %(max)d aidants ou invitations en cours. Retirez-en un ou "
                    "annulez une invitation avant d'en envoyer une autre."
                )
                % {"max": MAX_AIDANTS},
                code="complet",
            )
        delegation = Delegation.objects.create(
            espace=acces.espace,
            courriel=courriel,
            perimetre=perimetre,
            ecriture=ecriture,
            fin=fin,
            jeton_empreinte=_sans_jeton(),
            invitation_expire_le=timezone.now() + INVITATION_VALIDITE,
        )
        journal_espace(
            Action.PROCHE_INVITE,
            espace=acces.espace,
            acteur=acces.acteur,
            ip=ip,
            qualite="aidant",
            invite=aidant.nom_complet,
            perimetre=perimetre,
            ecriture=ecriture,
            fin=fin.isoformat() if fin else None,
            delegation=str(delegation.uuid),
        )
        _programmer_envoi(delegation)
    return delegation


def _programmer_envoi(delegation: Delegation) -> None:
    tache_programmer(
        "proches.tasks.invitation_aidant_envoyer",
        delegation.pk,
        objet_type="delegation",
        objet_id=delegation.pk,
    )


def invitation_renvoyer(*, acces: AccesPatient, delegation: Delegation, ip: str | None) -> None:
    """A new e-mail with a new token (the old link stops working), valid 7 days again."""
    if delegation.espace_id != acces.espace.pk or delegation.acceptee_le is not None:
        raise Refus(_("Cette invitation n'attend plus de réponse."))
    with transaction.atomic():
        journal_espace(
            Action.PROCHE_INVITE,
            espace=acces.espace,
            acteur=acces.acteur,
            ip=ip,
            qualite="aidant",
            renvoi=True,
            delegation=str(delegation.uuid),
        )
        _programmer_envoi(delegation)


def invitation_envoyer(*, delegation_id: int) -> bool:
    """The job: make the token, keep its hash, send the link, in one step (a new token each
    time). Nothing for an invitation answered or cancelled meanwhile. Returns whether an
    e-mail left."""
    attendues = Delegation.objects.select_related("espace").filter(
        acceptee_le__isnull=True, revoquee_le__isnull=True
    )
    renouvelee = jeton_renouveler(attendues, pk=delegation_id, expiration="invitation_expire_le")
    if renouvelee is None:
        return False
    delegation, jeton = renouvelee
    lien_envoyer(
        adresse=delegation.courriel,
        sujet=_("Espace Santé — %(nom)s vous invite à devenir son aidant")
        % {"nom": delegation.espace.nom_complet},
        gabarit="proches/aidants/email_invitation.txt",
        contexte={
            "titulaire": delegation.espace.nom_complet,
            "perimetre": EXPLICATIONS[delegation.perimetre],
            "mode": libelle_mode(delegation.ecriture),
            "fin": delegation.fin,
            "expire_le": delegation.invitation_expire_le,
        },
        vue="proches:invitation_aidant",
        jeton=jeton,
    )
    return True


# --- The carer answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    """An invitation found by its token, for the person who follows the link."""

    delegation: Delegation
    aidant: Espace  # the person's own active adult space


def invitation_trouver(*, jeton: str, utilisateur: Utilisateur) -> Invitation:
    """The waiting invitation of this token, for this person. Refuses: an unknown, expired,
    answered or cancelled token (``code="invalide"``, always the same message); another
    address than the invited one; no active adult space of one's own."""
    delegation = (
        Delegation.objects.filter(jeton_empreinte=empreinte(jeton))
        .filter(_en_attente())
        .select_related("espace")
        .first()
    )
    if delegation is None:
        raise Refus(
            _(
                "Cette invitation n'est plus valable : elle a expiré, a déjà servi ou a été "
                "annulée. Demandez à la personne qui vous a invité de vous en envoyer une "
                "nouvelle."
            ),
            code="invalide",
        )
    if utilisateur.email.lower() != delegation.courriel.lower():
        raise Refus(
            _(
                "Cette invitation a été envoyée à une autre adresse que celle de votre compte. "
                "Déconnectez-vous, puis connectez-vous avec le compte de l'adresse qui a reçu "
                "l'invitation."
            ),
            code="autre_compte",
        )
    aidant = _espace_propre_actif(utilisateur)
    if aidant is None:
        raise Refus(
            _(
                "Pour devenir aidant, il faut un espace santé activé à votre nom, en tant que "
                "personne majeure. Activez d'abord votre espace, puis rouvrez ce lien."
            ),
            code="sans_espace",
        )
    if aidant.pk == delegation.espace_id:
        raise Refus(_("Vous ne pouvez pas être votre propre aidant."), code="soi")
    return Invitation(delegation=delegation, aidant=aidant)


def invitation_accepter(*, jeton: str, utilisateur: Utilisateur, ip: str | None) -> Delegation:
    """The carer accepts: the delegation opens the holder's space to them now."""
    with transaction.atomic():
        invitation = invitation_trouver(jeton=jeton, utilisateur=utilisateur)
        delegation = Delegation.objects.select_for_update().get(pk=invitation.delegation.pk)
        if delegation.acceptee_le is not None or delegation.revoquee_le is not None:
            raise Refus(_("Cette invitation n'est plus valable."), code="invalide")
        if delegations_donnees(delegation.espace).filter(aidant=invitation.aidant).exists():
            raise Refus(_("Vous êtes déjà aidant de cette personne."), code="deja")
        # An earlier delegation to the same person that ended on its date makes room.
        Delegation.objects.filter(
            espace=delegation.espace, aidant=invitation.aidant, revoquee_le__isnull=True
        ).exclude(pk=delegation.pk).update(revoquee_le=timezone.now(), revoquee_par="echue")
        delegation.aidant = invitation.aidant
        delegation.acceptee_le = timezone.now()
        delegation.save(update_fields=["aidant", "acceptee_le"])
        journal_espace(
            Action.DELEGATION_ACCEPTEE,
            espace=delegation.espace,
            acteur=_acteur_aidant(delegation, utilisateur),
            ip=ip,
            perimetre=delegation.perimetre,
            ecriture=delegation.ecriture,
            fin=delegation.fin.isoformat() if delegation.fin else None,
            delegation=str(delegation.uuid),
        )
        if delegation.espace.titulaire is not None:
            notification_programmer(
                destinataire=delegation.espace.titulaire,
                type=TypeNotification.PROCHE_ACCEPTE,
                cle=f"delegation:{delegation.uuid}",
            )
    return delegation


def invitation_decliner(*, jeton: str, utilisateur: Utilisateur, ip: str | None) -> None:
    """The invited person says no: the invitation ends, the holder sees it gone."""
    with transaction.atomic():
        invitation = invitation_trouver(jeton=jeton, utilisateur=utilisateur)
        delegation = invitation.delegation
        delegation.revoquee_le = timezone.now()
        delegation.revoquee_par = "invite"
        delegation.save(update_fields=["revoquee_le", "revoquee_par"])
        journal_espace(
            Action.PROCHE_INVITATION_ANNULEE,
            espace=delegation.espace,
            acteur=Acteur.pour_utilisateur(utilisateur, Role.AIDANT.type_acteur),
            ip=ip,
            par="la personne invitée",
            delegation=str(delegation.uuid),
        )


# --- Either side ends it --------------------------------------------------------------------


def delegation_terminer(*, acces: AccesPatient, delegation: Delegation, ip: str | None) -> None:
    """End a delegation now, or cancel a waiting invitation: the holder from their space, the
    carer from their own space (``acces``: the space the request was made from). The other
    side is told of a delegation ended."""
    par_titulaire = delegation.espace_id == acces.espace.pk
    if not par_titulaire and delegation.aidant_id != acces.espace.pk:
        raise Refus(_("Cette délégation ne vous concerne pas."))
    with transaction.atomic():
        fraiche = (
            Delegation.objects.select_for_update(of=("self",))
            .select_related("espace__titulaire", "aidant__titulaire")
            .get(pk=delegation.pk)
        )
        if fraiche.revoquee_le is not None:
            return
        fraiche.revoquee_le = timezone.now()
        fraiche.revoquee_par = "titulaire" if par_titulaire else "aidant"
        fraiche.save(update_fields=["revoquee_le", "revoquee_par"])
        if fraiche.acceptee_le is None:
            journal_espace(
                Action.PROCHE_INVITATION_ANNULEE,
                espace=fraiche.espace,
                acteur=acces.acteur,
                ip=ip,
                par="le titulaire",
                delegation=str(fraiche.uuid),
            )
            return
        aidant = fraiche.aidant
        assert aidant is not None  # an accepted delegation names its carer
        journal_espace(
            Action.DELEGATION_REVOQUEE,
            espace=fraiche.espace,
            acteur=acces.acteur if par_titulaire else _acteur_aidant(fraiche, acces.utilisateur),
            ip=ip,
            par="le titulaire" if par_titulaire else "l'aidant",
            aidant=aidant.nom_complet,
            delegation=str(fraiche.uuid),
        )
        autre = aidant.titulaire if par_titulaire else fraiche.espace.titulaire
        if autre is not None:
            notification_programmer(
                destinataire=autre,
                type=TypeNotification.DELEGATION_TERMINEE,
                cle=f"delegation:{fraiche.uuid}",
            )


def attestation_journaliser(*, acces: AccesPatient, delegation: Delegation, ip: str | None) -> None:
    """The certificate was downloaded (by the holder or the carer): on the holder's space."""
    par_titulaire = delegation.espace_id == acces.espace.pk
    journal_espace(
        Action.DELEGATION_ATTESTATION,
        espace=delegation.espace,
        acteur=acces.acteur if par_titulaire else _acteur_aidant(delegation, acces.utilisateur),
        ip=ip,
        delegation=str(delegation.uuid),
    )
