"""Professionals, the authorisations patients give them, emergency accesses and the
habilitation matrix (DESIGN.md §1, §4)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_sante.coffre.champs import TexteChiffre
from profil.models import Espace

from .nomenclature import PROFESSIONS_DOCTEUR, SPECIALITES, Profession, Specialite


class StatutProfessionnel(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente de vérification")
    VERIFIE = "verifie", _("Vérifié")
    SUSPENDU = "suspendu", _("Suspendu")
    REFUSE = "refuse", _("Refusé")


class Professionnel(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="professionnel"
    )
    rpps = models.CharField(_("numéro RPPS"), max_length=11, unique=True)
    profession = models.CharField(_("profession"), max_length=2, choices=Profession.choices)
    specialite = models.CharField(
        _("spécialité"), max_length=8, choices=Specialite.choices, blank=True
    )
    lieu_nom = models.CharField(_("lieu d'exercice"), max_length=200)
    lieu_code_postal = models.CharField(_("code postal"), max_length=5)
    lieu_ville = models.CharField(_("ville"), max_length=100, db_index=True)
    statut = models.CharField(
        max_length=12,
        choices=StatutProfessionnel.choices,
        default=StatutProfessionnel.EN_ATTENTE,
        db_index=True,
    )
    regulation = models.BooleanField(
        _("médecin régulateur (centre 15)"),
        default=False,
        help_text=_("Peut ouvrir un accès en mode « centre de régulation » (SAMU)."),
    )
    verifie_le = models.DateTimeField(null=True, blank=True)
    verifie_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("professionnel de santé")
        verbose_name_plural = _("professionnels de santé")
        ordering = ["utilisateur__nom", "utilisateur__prenom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(profession=Profession.MEDECIN) | Q(specialite=""),
                name="professionnel_specialite_medecin",
            ),
            models.CheckConstraint(
                condition=Q(regulation=False) | Q(profession=Profession.MEDECIN),
                name="professionnel_regulation_medecin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom_affiche} ({self.rpps})"

    @property
    def est_verifie(self) -> bool:
        return self.statut == StatutProfessionnel.VERIFIE and self.utilisateur.is_active

    @property
    def nom_affiche(self) -> str:
        nom = self.utilisateur.nom_affiche
        return f"Dr {nom}" if self.profession in PROFESSIONS_DOCTEUR else nom

    @property
    def qualite(self) -> str:
        """ "médecin généraliste", "pharmacien", "médecin — cardiologie…"."""
        if self.profession == Profession.MEDECIN and self.specialite:
            if self.specialite == Specialite.MEDECINE_GENERALE:
                return str(_("médecin généraliste"))
            return f"{_('médecin')} — {self.get_specialite_display()}".lower()
        return str(self.get_profession_display()).lower()


class RevendicationRpps(models.Model):
    """A later sign-up with an RPPS another account already holds. Nothing is created for the
    claimant (no account, no password kept): the operator sees it next to the first account
    and decides which is the real professional (docs/PROFESSIONNELS.md)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    professionnel = models.ForeignKey(
        Professionnel,
        on_delete=models.CASCADE,
        related_name="revendications",
        verbose_name=_("compte qui détient le numéro"),
    )
    email = models.EmailField(_("adresse e-mail du demandeur"))
    prenom = models.CharField(_("prénom"), max_length=150)
    nom = models.CharField(_("nom"), max_length=150)
    profession = models.CharField(_("profession"), max_length=2, choices=Profession.choices)
    specialite = models.CharField(
        _("spécialité"), max_length=8, choices=Specialite.choices, blank=True
    )
    lieu_nom = models.CharField(_("lieu d'exercice"), max_length=200)
    lieu_code_postal = models.CharField(_("code postal"), max_length=5)
    lieu_ville = models.CharField(_("ville"), max_length=100)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    cree_le = models.DateTimeField(_("demandé le"), default=timezone.now)

    class Meta:
        verbose_name = _("revendication d'un numéro RPPS déjà inscrit")
        verbose_name_plural = _("revendications de numéros RPPS déjà inscrits")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"{self.prenom} {self.nom} ({self.professionnel.rpps})"


class Habilitation(models.Model):
    """One cell of the habilitation matrix: may this profession — or one specialty of it —
    read this document type? The type ``*`` is the answer for types the rows do not list; the
    specialty ``*`` is the whole profession's row. A professional's specialty rows, when it has
    any, answer first; the profession's answer the rest (``espace_sante.acces.matrice``)."""

    TOUS_LES_AUTRES = "*"
    TOUTES_SPECIALITES = "*"

    profession = models.CharField(_("profession"), max_length=2, choices=Profession.choices)
    specialite = models.CharField(
        _("spécialité"),
        max_length=8,
        default=TOUTES_SPECIALITES,
        help_text=_("Code RPPS de la spécialité (SM25…), ou « * » pour toute la profession."),
    )
    type_code = models.CharField(_("type de document"), max_length=32)
    lecture = models.BooleanField(_("peut lire"), default=False)
    modifie_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("habilitation")
        verbose_name_plural = _("matrice d'habilitation")
        ordering = ["profession", "specialite", "type_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["profession", "specialite", "type_code"], name="habilitation_unique"
            ),
        ]

    def __str__(self) -> str:
        verbe = "lit" if self.lecture else "ne lit pas"
        qui = str(self.get_profession_display())
        if self.specialite != self.TOUTES_SPECIALITES:
            qui += f" ({SPECIALITES.get(self.specialite, self.specialite)})"
        return f"{qui} {verbe} {self.type_code}"


class AccesProfessionnel(models.Model):
    """Where one professional stands with one space: granted (and until when), revoked,
    blocked, médecin traitant. One row per pair; its history is in the journal."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="acces_pros")
    professionnel = models.ForeignKey(Professionnel, on_delete=models.CASCADE, related_name="acces")
    autorise = models.BooleanField(default=False)
    autorise_le = models.DateTimeField(null=True, blank=True)
    expire_le = models.DateTimeField(null=True, blank=True)
    revoque_le = models.DateTimeField(null=True, blank=True)
    medecin_traitant = models.BooleanField(default=False)
    medecin_traitant_depuis = models.DateTimeField(null=True, blank=True)
    bloque = models.BooleanField(default=False)
    bloque_le = models.DateTimeField(null=True, blank=True)
    premier_acces_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("accès d'un professionnel")
        verbose_name_plural = _("accès des professionnels")
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "professionnel"], name="acces_professionnel_unique"
            ),
            models.UniqueConstraint(
                fields=["espace"],
                condition=Q(medecin_traitant=True),
                name="un_medecin_traitant_par_espace",
            ),
            models.CheckConstraint(
                condition=~(Q(medecin_traitant=True) & Q(bloque=True)),
                name="medecin_traitant_non_bloque",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.professionnel} / {self.espace}"


class ModeUrgence(models.TextChoices):
    BRIS_DE_GLACE = "bris_de_glace", _("Accès en urgence (bris de glace)")
    REGULATION = "regulation", _("Centre de régulation (SAMU – centre 15)")


class BrisDeGlace(models.Model):
    """An emergency access: time-limited, with a stated reason (stored encrypted)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="urgences")
    professionnel = models.ForeignKey(
        Professionnel, on_delete=models.CASCADE, related_name="urgences"
    )
    mode = models.CharField(max_length=16, choices=ModeUrgence.choices)
    motif = TexteChiffre(_("motif"))
    debut = models.DateTimeField(default=timezone.now)
    fin = models.DateTimeField()

    class Meta:
        verbose_name = _("accès en urgence")
        verbose_name_plural = _("accès en urgence")
        ordering = ["-debut"]
        indexes = [models.Index(fields=["professionnel", "espace", "-fin"])]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} — {self.professionnel} / {self.espace}"


class ReglagesAcces(models.Model):
    """The holder's choices about professionals: emergency access, and which e-mails they get
    (an emergency access is always notified)."""

    espace = models.OneToOneField(Espace, on_delete=models.CASCADE, related_name="reglages_acces")
    urgence_autorisee = models.BooleanField(
        _("autoriser l'accès en urgence (bris de glace, SAMU)"), default=True
    )
    notifier_premier_acces = models.BooleanField(
        _("me prévenir quand un professionnel consulte mon dossier pour la première fois"),
        default=True,
    )
    notifier_nouveau_document = models.BooleanField(
        _("me prévenir quand un professionnel ajoute un document"), default=True
    )

    class Meta:
        verbose_name = _("réglages d'accès")
        verbose_name_plural = _("réglages d'accès")

    def __str__(self) -> str:
        return f"réglages d'accès de {self.espace}"
