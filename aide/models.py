"""The help centre: the questions people ask (editable by operators) and the contact tickets."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_sante.coffre.champs import TexteChiffre

from .recherche import normaliser


class Theme(models.TextChoices):
    COMPTE = "compte", _("Mon compte et la connexion")
    ACTIVATION = "activation", _("Activer mon espace")
    DOCUMENTS = "documents", _("Mes documents")
    PROFESSIONNELS = "professionnels", _("Les professionnels et mes accès")
    ENFANTS = "enfants", _("L'espace d'un enfant")
    MESSAGERIE = "messagerie", _("Messagerie et agenda")
    DONNEES = "donnees", _("Mes données et mon espace")
    ACCESSIBILITE = "accessibilite", _("Accessibilité")


class QuestionFrequente(models.Model):
    theme = models.CharField(_("thème"), max_length=32, choices=Theme.choices)
    question = models.CharField(_("question"), max_length=255)
    reponse = models.TextField(
        _("réponse"),
        help_text=_("Texte simple ; une ligne vide sépare deux paragraphes."),
    )
    ordre = models.PositiveSmallIntegerField(_("ordre"), default=0)
    publiee = models.BooleanField(_("publiée"), default=True)
    texte_recherche = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("question fréquente")
        verbose_name_plural = _("questions fréquentes")
        ordering = ["theme", "ordre", "pk"]

    def __str__(self) -> str:
        return self.question

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.texte_recherche = normaliser(f"{self.question}\n{self.reponse}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "texte_recherche"}
        super().save(*args, **kwargs)


class Categorie(models.TextChoices):
    CONNEXION = "connexion", _("Connexion, mot de passe, double authentification")
    ACTIVATION = "activation", _("Activation de mon espace")
    DOCUMENTS = "documents", _("Mes documents")
    PROFESSIONNELS = "professionnels", _("Accès des professionnels")
    ENFANT = "enfant", _("Espace d'un enfant")
    DONNEES = "donnees", _("Export, clôture ou suppression")
    ACCESSIBILITE = "accessibilite", _("Accessibilité")
    AUTRE = "autre", _("Autre question")


class Statut(models.TextChoices):
    NOUVELLE = "nouvelle", _("Nouvelle")
    EN_COURS = "en_cours", _("En cours")
    RESOLUE = "resolue", _("Résolue")


MESSAGE_MAX = 3000


class DemandeContact(models.Model):
    """A ticket. The message is encrypted at rest: nobody is asked to write health data, but a
    person may still do so."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    categorie = models.CharField(_("sujet"), max_length=32, choices=Categorie.choices)
    message = TexteChiffre(_("message"), max_length=MESSAGE_MAX)
    email = models.EmailField(_("adresse e-mail de réponse"))
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="demandes_contact",
    )
    statut = models.CharField(
        _("statut"), max_length=16, choices=Statut.choices, default=Statut.NOUVELLE
    )
    notes_operateur = TexteChiffre(_("notes de l'opérateur"), blank=True, default="")
    cree_le = models.DateTimeField(_("reçue le"), default=timezone.now)
    modifiee_le = models.DateTimeField(_("modifiée le"), auto_now=True)
    resolue_le = models.DateTimeField(_("résolue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de contact")
        verbose_name_plural = _("demandes de contact")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return self.numero

    @property
    def numero(self) -> str:
        return f"ES-{self.pk:06d}" if self.pk else "ES-?"
