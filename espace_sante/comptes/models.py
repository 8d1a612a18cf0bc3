"""Accounts: one login (e-mail + password + second factor) per person, whatever their roles."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UtilisateurManager(DjangoUserManager["Utilisateur"]):
    use_in_migrations = True

    def _create_user_object(self, username: Any, email: Any, password: Any, **extra: Any) -> Any:
        email = self.normalize_email(email or username).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        return user

    def _create_user(self, username: Any, email: Any, password: Any, **extra: Any) -> Any:
        user = self._create_user_object(username, email, password, **extra)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> Utilisateur:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(None, email, password, **extra)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: Any
    ) -> Utilisateur:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(None, email, password, **extra)


class Utilisateur(AbstractBaseUser, PermissionsMixin):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("adresse e-mail"), unique=True)
    prenom = models.CharField(_("prénom"), max_length=150, blank=True)
    nom = models.CharField(_("nom"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("opérateur"),
        default=False,
        help_text=_("Peut se connecter à l'administration (personnel de l'Assurance Maladie)."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("date de création"), default=timezone.now)
    telephone = models.CharField(
        _("téléphone"),
        max_length=16,
        blank=True,
        default="",
        help_text=_("Au format international (+33…). Ne sert à rien d'autre pour l'instant."),
    )
    # The notifications the person turned off, among ``NOTIFICATIONS_FACULTATIVES``; the others
    # (emergency access, security, the space's life) are always sent.
    notifications_refusees = models.JSONField(_("e-mails refusés"), default=list, blank=True)

    objects: ClassVar[UtilisateurManager] = UtilisateurManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")

    def __str__(self) -> str:
        return self.nom_affiche

    @property
    def nom_affiche(self) -> str:
        nom = f"{self.prenom} {self.nom}".strip()
        return nom or self.email

    def get_full_name(self) -> str:
        return self.nom_affiche

    def get_short_name(self) -> str:
        return self.prenom or self.email


class TypeNotification(models.TextChoices):
    ESPACE_ACTIVE = "espace_active", _("Votre espace santé est activé")
    ESPACE_CLOTURE = "espace_cloture", _("Votre espace santé est clôturé")
    ESPACE_ROUVERT = "espace_rouvert", _("Votre espace santé est rouvert")
    REPRESENTATION_TERMINEE = "representation_terminee", _("Fin de représentation légale")
    PROCHE_INVITATION = "proche_invitation", _("Une invitation vous attend dans votre espace santé")
    PROCHE_ACCEPTE = "proche_accepte", _("Votre invitation a été acceptée")
    DELEGATION_TERMINEE = "delegation_terminee", _("Une délégation d'accès a pris fin")
    PROTECTION_A_ACCEPTER = "protection_accepter", _("Une mesure de protection vous concerne")
    NOUVEAU_DOCUMENT = "nouveau_document", _("Un nouveau document est disponible")
    PREMIER_ACCES_PRO = "premier_acces_pro", _("Un professionnel a consulté votre dossier")
    ACCES_URGENCE = "acces_urgence", _("Accès en urgence à votre dossier")
    PRO_VERIFIE = "pro_verifie", _("Votre compte professionnel est vérifié")
    EXPORT_PRET = "export_pret", _("L'export de vos données est prêt")
    PRO_INSCRIT = "pro_inscrit", _("Votre compte professionnel est créé")
    MESSAGE_DE_PROFESSIONNEL = "message_pro", _("Un professionnel de santé vous a écrit")
    MESSAGE_DE_PATIENT = "message_patient", _("Un patient vous a écrit")
    INSCRIPTION_ADRESSE_PRISE = (
        "inscription_adresse",
        _("Tentative d'inscription avec votre adresse"),
    )


class Notification(models.Model):
    """An e-mail to send once. The body names no health datum and no code: it invites the
    person to log in."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    destinataire = models.ForeignKey(
        "comptes.Utilisateur", on_delete=models.CASCADE, related_name="notifications"
    )
    type = models.CharField(max_length=32, choices=TypeNotification.choices)
    cle = models.CharField(max_length=128, unique=True)
    cree_le = models.DateTimeField(default=timezone.now)
    envoyee_le = models.DateTimeField(null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return self.get_type_display()


# What a person may stop receiving (Paramètres): the rest is always sent (an emergency access,
# the account's security, the space's life).
NOTIFICATIONS_FACULTATIVES: tuple[TypeNotification, ...] = (
    TypeNotification.NOUVEAU_DOCUMENT,
    TypeNotification.MESSAGE_DE_PROFESSIONNEL,
    TypeNotification.MESSAGE_DE_PATIENT,
    TypeNotification.PREMIER_ACCES_PRO,
)
