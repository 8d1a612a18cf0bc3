"""Threads (``Fil``) between one space and one professional, their messages, their attachments
(vault blobs) and where each participant stands in them (``EtatFil``: read up to, archived,
deleted — per person, the other side keeps theirs). Subjects, bodies and attachment names are
encrypted at rest (``TexteChiffre``); nothing here is ever shown in the admin."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_sante.coffre.champs import TexteChiffre
from espace_sante.coffre.models import Blob
from professionnels.models import Professionnel
from profil.models import Espace

SUJET_MAX = 150
CORPS_MAX = 5000


class Cote(models.TextChoices):
    """Which side of a thread a person writes from."""

    PATIENT = "patient", _("Patient")
    PROFESSIONNEL = "professionnel", _("Professionnel de santé")


class Fil(models.Model):
    """A conversation between a space (its holder, or a minor's representatives) and one
    professional."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="fils")
    professionnel = models.ForeignKey(Professionnel, on_delete=models.PROTECT, related_name="fils")
    sujet = TexteChiffre(_("objet"), max_length=SUJET_MAX)
    ouvert_par = models.CharField(max_length=16, choices=Cote.choices)
    # Opened by a professional in a minor's secret: invisible to the legal representatives,
    # like the documents hidden from them (DESIGN.md §3). Set at opening, never changed.
    secret_mineur = models.BooleanField(default=False)
    cree_le = models.DateTimeField(default=timezone.now)
    dernier_message_le = models.DateTimeField(default=timezone.now)
    ferme_le = models.DateTimeField(null=True, blank=True)
    # Attachments' total size, for the per-thread limit (kept with each message, in its
    # transaction).
    taille_pieces = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("fil de discussion")
        verbose_name_plural = _("fils de discussion")
        indexes = [
            models.Index(fields=["espace", "-dernier_message_le"], name="fil_espace_recent"),
            models.Index(fields=["professionnel", "-dernier_message_le"], name="fil_pro_recent"),
        ]

    def __str__(self) -> str:
        return f"Fil {self.uuid}"

    @property
    def ferme(self) -> bool:
        return self.ferme_le is not None


class Message(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fil = models.ForeignKey(Fil, on_delete=models.CASCADE, related_name="messages")
    # SET_NULL: an account deleted (its own space purged) leaves the messages it wrote in
    # other threads (a child's) to their readers, under ``auteur_nom``.
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="messages_ecrits",
    )
    cote = models.CharField(max_length=16, choices=Cote.choices)
    # As the author was named when writing ("Dr Paul MARTIN, médecin généraliste", "Camille
    # MARTIN, représentante légale"): a name, not a health datum.
    auteur_nom = models.CharField(max_length=300)
    corps = TexteChiffre(_("message"), max_length=CORPS_MAX)
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        indexes = [models.Index(fields=["fil", "cree_le"], name="message_fil_date")]

    def __str__(self) -> str:
        return f"Message {self.uuid}"


class PieceJointe(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="pieces")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    nom = TexteChiffre(_("nom du fichier"), max_length=255)
    media_type = models.CharField(max_length=100)
    nature = models.CharField(max_length=16)
    taille = models.BigIntegerField()

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")

    def __str__(self) -> str:
        return f"Pièce jointe {self.uuid}"


class EtatFil(models.Model):
    """Where one participant stands in a thread: read up to when (read receipts), archived,
    deleted from their lists. Created when they first read or act."""

    fil = models.ForeignKey(Fil, on_delete=models.CASCADE, related_name="etats")
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    lu_le = models.DateTimeField(null=True, blank=True)
    archive = models.BooleanField(default=False)
    supprime = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fil", "utilisateur"], name="etat_fil_unique")
        ]

    def __str__(self) -> str:
        return f"État du fil {self.fil_id} pour {self.utilisateur_id}"
