"""The second parent (or guardian) of a minor: invitation by e-mail, acceptance
(docs/PROCHES.md, "The second parent").

A running legal representative of a minor invites the other one by address; the job
(``proches.tasks_parents.invitation_parent_envoyer``) makes the token, keeps its SHA-256 and
sends the link in one step, so the token is never stored. The person who holds that address
and an active adult space accepts within 7 days by giving the child's birth date; five wrong
dates cancel the invitation. Both are then ``Representation`` rows with the same rights (the
access package's role ``representant``); only an operator ends one, on a court decision
(``profil/admin.py``), or majority ends both."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.acces import AccesPatient, Role, espaces_accessibles, majeur_titulaire
from espace_sante.comptes.models import TypeNotification, Utilisateur
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur
from espace_sante.lib.erreurs import Refus
from espace_sante.taches.services import tache_programmer
from profil.evenements import journal_espace
from profil.models import Espace, InvitationRepresentant, Lien, Representation, Statut
from profil.representations import representation_ajouter

from .forms_parents import InvitationParentForm
from .invitations import INVITATION_VALIDITE, empreinte, jeton_renouveler, lien_envoyer

MAX_REPRESENTANTS = 2
MAX_ESSAIS = 5

INVALIDE = _("Cette invitation n'est plus valable : demandez-en une nouvelle.")


def _sans_jeton() -> str:
    """A hash no token was ever given for: the invitation opens nothing until its job runs."""
    return empreinte(secrets.token_urlsafe(32))


# --- Reads ----------------------------------------------------------------------------------


def representations_en_cours(espace: Espace) -> QuerySet[Representation]:
    return (
        Representation.objects.filter(espace=espace, fin__isnull=True)
        .select_related("representant")
        .order_by("debut", "pk")
    )


def invitations_en_attente(espace: Espace) -> QuerySet[InvitationRepresentant]:
    """The child's invitations not answered, cancelled nor expired."""
    return InvitationRepresentant.objects.filter(
        espace=espace,
        acceptee_le__isnull=True,
        annulee_le__isnull=True,
        expire_le__gt=timezone.now(),
    ).order_by("cree_le")


def _gere_en_parent(acces: AccesPatient) -> bool:
    """A running legal representative acting for a minor's space."""
    return acces.role == Role.REPRESENTANT and acces.espace.est_mineur


def resume(acces: AccesPatient) -> dict[str, Any]:
    """What the Proches page shows of a child's representatives: who they are, the invitation
    waiting, whether one more may be invited."""
    if not _gere_en_parent(acces):
        return {}
    representants = list(representations_en_cours(acces.espace))
    invitations = list(invitations_en_attente(acces.espace))
    return {
        "representants": [r.representant.nom_complet for r in representants],
        "invitations": invitations,
        "peut_inviter": len(representants) < MAX_REPRESENTANTS and not invitations,
        "complet": len(representants) >= MAX_REPRESENTANTS,
        "form": InvitationParentForm(),
    }


def invitation_de_l_espace(acces: AccesPatient, invitation_uuid: Any) -> InvitationRepresentant:
    """A waiting invitation of this child, for one of its representatives (else a refusal)."""
    try:
        cle = uuid.UUID(str(invitation_uuid))
    except ValueError:
        cle = None
    invitation = (
        invitations_en_attente(acces.espace).filter(uuid=cle).first()
        if cle is not None and _gere_en_parent(acces)
        else None
    )
    if invitation is None:
        raise Refus(_("Cette invitation n'attend plus de réponse."), code="introuvable")
    return invitation


def _espace_propre_actif(utilisateur: Utilisateur) -> Espace | None:
    """The person's own active adult space, through the access package."""
    for acces in espaces_accessibles(utilisateur=utilisateur):
        if majeur_titulaire(acces) and acces.espace.statut == Statut.ACTIF:
            return acces.espace
    return None


# --- A representative invites ------------------------------------------------------------


def representant_inviter(
    *, acces: AccesPatient, courriel: str, lien: str, ip: str | None
) -> InvitationRepresentant:
    """Record the invitation and queue its e-mail. Refuses (``Refus``, nothing written): a
    space that is not a minor's, anyone but a running representative, oneself, an address
    without an active adult space, a person who already represents the child, a child with two
    representatives already, an invitation already waiting."""
    if not acces.espace.est_mineur:
        raise Refus(
            _(
                "On ne peut inviter un second représentant légal que pour l'espace d'un enfant "
                "mineur."
            ),
            code="majeur",
        )
    if acces.role != Role.REPRESENTANT:
        raise Refus(
            _("Seul un représentant légal de l'enfant peut inviter l'autre représentant."),
            code="role",
        )
    if lien not in Lien.values:
        raise Refus(_("Choisissez le lien de cette personne avec l'enfant."), code="lien")
    courriel = courriel.strip()
    if courriel.lower() == acces.utilisateur.email.lower():
        raise Refus(
            _(
                "C'est l'adresse de votre propre compte : indiquez l'adresse de l'autre "
                "représentant légal de l'enfant."
            ),
            code="soi",
        )
    invite = Utilisateur.objects.filter(email__iexact=courriel).first()
    espace_invite = _espace_propre_actif(invite) if invite is not None else None
    if espace_invite is None:
        raise Refus(
            _(
                "Aucun espace santé activé d'une personne majeure n'utilise cette adresse. "
                "L'autre représentant doit d'abord activer son propre Espace Santé (avec le "
                "code d'activation reçu de son organisme d'assurance maladie, depuis la page "
                "« Activer mon espace »), puis vous l'invitez avec l'adresse qu'il utilise pour "
                "se connecter."
            ),
            code="inconnu",
        )
    with transaction.atomic():
        # One child's invitations at a time: the counts hold until commit.
        Espace.objects.select_for_update().filter(pk=acces.espace.pk).first()
        en_cours = representations_en_cours(acces.espace)
        inviteur = en_cours.filter(representant__titulaire=acces.utilisateur).first()
        if inviteur is None:
            raise Refus(
                _("Seul un représentant légal de l'enfant peut inviter l'autre représentant."),
                code="role",
            )
        if en_cours.filter(representant=espace_invite).exists():
            raise Refus(
                _("Cette personne représente déjà cet enfant : aucune invitation n'est utile."),
                code="deja",
            )
        if en_cours.count() >= MAX_REPRESENTANTS:
            raise Refus(
                _(
                    "Cet enfant a déjà deux représentants légaux. Si la situation a changé "
                    "(décision de justice, tutelle), contactez le support d'Espace Santé avec "
                    "la décision : seul le support peut modifier les représentants."
                ),
                code="complet",
            )
        if invitations_en_attente(acces.espace).exists():
            raise Refus(
                _(
                    "Une invitation attend déjà une réponse pour cet enfant. Annulez-la depuis "
                    "la page Proches avant d'en envoyer une autre."
                ),
                code="en_attente",
            )
        invitation = InvitationRepresentant.objects.create(
            espace=acces.espace,
            invite_par=inviteur.representant,
            courriel=courriel,
            lien=lien,
            jeton_empreinte=_sans_jeton(),
            expire_le=timezone.now() + INVITATION_VALIDITE,
        )
        journal_espace(
            Action.PROCHE_INVITE,
            espace=acces.espace,
            acteur=acces.acteur,
            ip=ip,
            qualite="representant",
            invite=espace_invite.nom_complet,
            lien=lien,
            invitation=str(invitation.uuid),
        )
        tache_programmer(
            "proches.tasks_parents.invitation_parent_envoyer",
            invitation.pk,
            objet_type="invitation_representant",
            objet_id=invitation.pk,
        )
    return invitation


def invitation_annuler(
    *, acces: AccesPatient, invitation: InvitationRepresentant, ip: str | None
) -> None:
    """A representative cancels the waiting invitation: its link stops working now."""
    with transaction.atomic():
        modifiees = InvitationRepresentant.objects.filter(
            pk=invitation.pk, espace=acces.espace, acceptee_le__isnull=True, annulee_le__isnull=True
        ).update(annulee_le=timezone.now())
        if not modifiees or not _gere_en_parent(acces):
            raise Refus(_("Cette invitation n'attend plus de réponse."), code="introuvable")
        journal_espace(
            Action.PROCHE_INVITATION_ANNULEE,
            espace=acces.espace,
            acteur=acces.acteur,
            ip=ip,
            qualite="representant",
            invitation=str(invitation.uuid),
        )


def invitation_envoyer(*, invitation_id: int) -> bool:
    """The job: make the token, keep its hash, send the link, in one step (a new token each
    time, valid 7 days). Nothing for an invitation answered or cancelled meanwhile. Returns
    whether an e-mail left."""
    attendues = InvitationRepresentant.objects.select_related("invite_par").filter(
        acceptee_le__isnull=True, annulee_le__isnull=True
    )
    renouvelee = jeton_renouveler(attendues, pk=invitation_id, expiration="expire_le")
    if renouvelee is None:
        return False
    invitation, jeton = renouvelee
    lien_envoyer(
        adresse=invitation.courriel,
        sujet=_("Espace Santé — %(nom)s vous invite comme représentant légal d'un enfant")
        % {"nom": invitation.invite_par.nom_complet},
        gabarit="proches/parents/email_invitation.txt",
        # The child is named only on the page, once the invitee is signed in with this address.
        contexte={"inviteur": invitation.invite_par.nom_complet, "expire_le": invitation.expire_le},
        vue="proches:invitation_parent",
        jeton=jeton,
    )
    return True


# --- The invitee answers -----------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    """A waiting invitation found by its token, for the person signed in with its address."""

    invitation: InvitationRepresentant
    representant: Espace  # the invitee's own active adult space


def invitation_trouver(*, jeton: str, utilisateur: Utilisateur) -> Invitation:
    """The waiting invitation of this token, for this person. Refuses: an unknown, expired,
    answered or cancelled token (``code="invalide"``, always the same message); an account of
    another address (``autre_compte``); no active adult space of one's own (``sans_espace``)."""
    invitation = (
        InvitationRepresentant.objects.filter(
            jeton_empreinte=empreinte(jeton),
            acceptee_le__isnull=True,
            annulee_le__isnull=True,
            expire_le__gt=timezone.now(),
        )
        .select_related("espace", "invite_par")
        .first()
    )
    if invitation is None:
        raise Refus(INVALIDE, code="invalide")
    if utilisateur.email.lower() != invitation.courriel.lower():
        raise Refus(
            _(
                "Connectez-vous avec l'adresse qui a reçu l'invitation : déconnectez-vous, puis "
                "reconnectez-vous avec le compte de cette adresse et rouvrez le lien."
            ),
            code="autre_compte",
        )
    representant = _espace_propre_actif(utilisateur)
    if representant is None:
        raise Refus(
            _(
                "Pour représenter un enfant, il faut un Espace Santé activé à votre nom, en tant "
                "que personne majeure. Activez d'abord votre espace avec le code reçu de votre "
                "organisme d'assurance maladie, puis rouvrez ce lien."
            ),
            code="sans_espace",
        )
    if representant.pk == invitation.espace_id:
        raise Refus(INVALIDE, code="invalide")
    return Invitation(invitation=invitation, representant=representant)


def _compter_echec(invitation: InvitationRepresentant, ip: str | None) -> bool:
    """One more wrong birth date; the fifth cancels the invitation. Returns whether it did."""
    with transaction.atomic():
        verrou = InvitationRepresentant.objects.select_for_update().get(pk=invitation.pk)
        verrou.essais_echoues += 1
        annulee = verrou.essais_echoues >= MAX_ESSAIS
        if annulee:
            verrou.annulee_le = timezone.now()
        verrou.save(update_fields=["essais_echoues", "annulee_le"])
        journal_espace(
            Action.PROCHE_INVITATION_ECHEC,
            espace=invitation.espace,
            acteur=_acteur_invite(invitation),
            ip=ip,
            invitation=str(invitation.uuid),
            essais=verrou.essais_echoues,
            annulee=annulee,
        )
    return annulee


def _acteur_invite(invitation: InvitationRepresentant) -> Acteur:
    # The invitee is not yet a representative: the system records the attempt on the child's
    # space (no address, no name of the person trying).
    return Acteur.systeme("Invitation d'un représentant légal")


def invitation_accepter(
    *, jeton: str, utilisateur: Utilisateur, date_naissance: date, ip: str | None
) -> Representation:
    """The invitee accepts with the child's birth date: a ``Representation`` is created, the
    invitation marked accepted, the inviter notified, in one transaction. A wrong date is
    counted (``code="date"``; the fifth cancels the invitation, ``code="annulee"``)."""
    trouvee = invitation_trouver(jeton=jeton, utilisateur=utilisateur)
    invitation = trouvee.invitation
    if invitation.espace.date_naissance != date_naissance:
        if _compter_echec(invitation, ip):
            raise Refus(
                _(
                    "La date de naissance ne correspond pas, pour la cinquième fois : "
                    "l'invitation est annulée. Vérifiez la date avec l'autre parent et "
                    "demandez-lui une nouvelle invitation."
                ),
                code="annulee",
            )
        raise Refus(
            _(
                "La date de naissance ne correspond pas à celle de l'enfant. Vérifiez-la et "
                "réessayez : après %(max)d erreurs, l'invitation est annulée."
            )
            % {"max": MAX_ESSAIS},
            code="date",
        )
    with transaction.atomic():
        verrou = InvitationRepresentant.objects.select_for_update().get(pk=invitation.pk)
        if not verrou.utilisable:
            raise Refus(INVALIDE, code="invalide")
        Espace.objects.select_for_update().filter(pk=invitation.espace_id).first()
        en_cours = representations_en_cours(invitation.espace)
        if en_cours.filter(representant=trouvee.representant).exists():
            raise Refus(_("Vous représentez déjà cet enfant."), code="deja")
        if en_cours.count() >= MAX_REPRESENTANTS:
            raise Refus(
                _(
                    "Cet enfant a déjà deux représentants légaux. Contactez le support "
                    "d'Espace Santé si la situation a changé."
                ),
                code="complet",
            )
        acteur = AccesPatient(
            espace=invitation.espace,
            role=Role.REPRESENTANT,
            utilisateur=utilisateur,
            sexe=trouvee.representant.sexe,
        ).acteur
        representation = representation_ajouter(
            espace=invitation.espace,
            representant=trouvee.representant,
            lien=invitation.lien,
            acteur=acteur,
            ip=ip,
        )
        verrou.acceptee_le = timezone.now()
        verrou.acceptee_par = trouvee.representant
        verrou.save(update_fields=["acceptee_le", "acceptee_par"])
        inviteur = invitation.invite_par.titulaire
        if inviteur is not None:
            notification_programmer(
                destinataire=inviteur,
                type=TypeNotification.PROCHE_ACCEPTE,
                cle=f"invitation_representant:{invitation.pk}",
            )
    return representation
