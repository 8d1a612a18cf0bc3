"""The help centre's writes and reads: a ticket opened, its status moved by an operator."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from espace_sante.comptes.models import Utilisateur
from espace_sante.taches.services import tache_programmer

from .models import Categorie, DemandeContact, QuestionFrequente, Statut
from .recherche import normaliser


def questions_publiees(*, recherche: str = "") -> QuerySet[QuestionFrequente]:
    """The published questions, those holding every word of ``recherche`` when one is given."""
    questions = QuestionFrequente.objects.filter(publiee=True)
    for mot in normaliser(recherche).split()[:10]:
        questions = questions.filter(texte_recherche__contains=mot)
    return questions


@transaction.atomic
def demande_creer(
    *, categorie: Categorie | str, message: str, email: str, utilisateur: Utilisateur | None
) -> DemandeContact:
    """Open a ticket and queue its acknowledgement (the number, never the message)."""
    demande = DemandeContact.objects.create(
        categorie=categorie, message=message, email=email, utilisateur=utilisateur
    )
    tache_programmer(
        "aide.tasks.accuse_reception_envoyer",
        demande.pk,
        objet_type="demande_contact",
        objet_id=demande.pk,
    )
    return demande


def accuse_reception_envoyer_maintenant(*, demande_id: int) -> bool:
    demande = DemandeContact.objects.filter(pk=demande_id).first()
    if demande is None:
        return False
    send_mail(
        subject=f"Espace Santé — votre demande {demande.numero} est bien reçue",
        message=render_to_string(
            "aide/email_accuse_reception.txt",
            {"demande": demande, "site_url": settings.SITE_URL},
        ),
        from_email=None,
        recipient_list=[demande.email],
    )
    return True


def demandes_statut_changer(*, demandes: QuerySet[DemandeContact], statut: Statut) -> int:
    """An operator's action on tickets; a resolved ticket keeps the moment it was resolved."""
    if statut == Statut.RESOLUE:
        return demandes.update(statut=statut, resolue_le=timezone.now())
    return demandes.update(statut=statut, resolue_le=None)
