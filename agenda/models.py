"""Appointments of a space and their reminders, recurring reminders, the reminders' sendings
(one row per due occurrence: what makes "exactly once" checkable), the private calendar feed,
and what the person did with the recommended care and the prevention themes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_sante.coffre.champs import TexteChiffre
from professionnels.models import Professionnel
from profil.models import Espace

FUSEAU_PAR_DEFAUT = "Europe/Paris"


class RendezVous(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="rendez_vous")
    # What the appointment is ("Dentiste", "Prise de sang"): health data, encrypted.
    titre = TexteChiffre(_("objet du rendez-vous"), max_length=150)
    debut = models.DateTimeField(_("début"))
    duree_minutes = models.PositiveIntegerField(_("durée (minutes)"), default=30)
    # One of "mes professionnels", or a name typed freely.
    professionnel = models.ForeignKey(
        Professionnel, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    professionnel_libre = TexteChiffre(_("professionnel"), max_length=200, blank=True)
    lieu = TexteChiffre(_("lieu"), max_length=300, blank=True)
    notes = TexteChiffre(_("notes"), max_length=2000, blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(default=timezone.now)
    modifie_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        indexes = [models.Index(fields=["espace", "debut"], name="rdv_espace_debut")]

    def __str__(self) -> str:
        return f"Rendez-vous {self.uuid}"


class Unite(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HEURES = "heures", _("heures")
    JOURS = "jours", _("jours")


class Rappel(models.Model):
    """A reminder of one appointment: ``avance`` ``unite`` before it."""

    rendez_vous = models.ForeignKey(RendezVous, on_delete=models.CASCADE, related_name="rappels")
    avance = models.PositiveIntegerField()
    unite = models.CharField(max_length=8, choices=Unite.choices)
    # When it falls due (the appointment's start minus ``avance``), kept so that the periodic
    # task finds the reminders due soon by an index; ``envois_crees`` once its sendings exist
    # (agenda/rappels.py). Both recomputed when the appointment moves.
    echeance = models.DateTimeField(null=True, blank=True)
    envois_crees = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rendez_vous", "avance", "unite"], name="rappel_unique")
        ]
        indexes = [
            models.Index(
                fields=["echeance"],
                condition=models.Q(envois_crees=False),
                name="rappel_a_planifier",
            )
        ]

    def __str__(self) -> str:
        return f"Rappel {self.avance} {self.unite}"


class Frequence(models.TextChoices):
    JOUR = "jour", _("tous les jours")
    SEMAINE = "semaine", _("toutes les semaines")
    MOIS = "mois", _("tous les mois")


class RappelRecurrent(models.Model):
    """ "Every day at 8:00", "every 3 months at 9:00": at ``heure`` local time in ``fuseau``
    (DST-correct: 8:00 stays 8:00 in summer and winter), from ``debut`` until ``fin`` or for
    ``occurrences`` times — one of both is required (a recurrence never ends without a
    limit)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="rappels_recurrents")
    libelle = TexteChiffre(_("rappel"), max_length=150)
    frequence = models.CharField(max_length=8, choices=Frequence.choices)
    intervalle = models.PositiveSmallIntegerField(default=1)
    heure = models.TimeField()
    debut = models.DateField()
    fin = models.DateField(null=True, blank=True)
    occurrences = models.PositiveIntegerField(null=True, blank=True)
    fuseau = models.CharField(max_length=64, default=FUSEAU_PAR_DEFAUT)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cree_le = models.DateTimeField(default=timezone.now)
    # The next occurrence whose sendings are not created yet (``None``: none left); its rank
    # (0 for the first), for the ``occurrences`` limit (agenda/rappels.py).
    prochaine = models.DateTimeField(null=True, blank=True)
    rang_prochaine = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["prochaine"],
                condition=models.Q(prochaine__isnull=False),
                name="recurrent_a_planifier",
            )
        ]

    def __str__(self) -> str:
        return f"Rappel récurrent {self.uuid}"


class PreferencesAgenda(models.Model):
    """What one person chose for the reminders of one space's agenda: the appointment's title
    (or the recurring reminder's label) in the e-mail's body, or not (the default: an e-mail
    says no health detail unless its reader asked for it)."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="+")
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    details_dans_les_rappels = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "utilisateur"], name="preferences_agenda_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Préférences {self.pk}"


class EnvoiRappel(models.Model):
    """One due occurrence of a reminder (of an appointment, or of a recurring reminder) for
    one recipient: created ahead, claimed by a worker, sent, marked. The unique constraint is
    what makes a second sending of the same occurrence impossible to record."""

    class Statut(models.TextChoices):
        A_ENVOYER = "a_envoyer", _("à envoyer")
        EN_COURS = "en_cours", _("en cours d'envoi")
        ENVOYE = "envoye", _("envoyé")
        ANNULE = "annule", _("annulé")

    rappel = models.ForeignKey(
        Rappel, on_delete=models.CASCADE, null=True, blank=True, related_name="envois"
    )
    recurrent = models.ForeignKey(
        RappelRecurrent, on_delete=models.CASCADE, null=True, blank=True, related_name="envois"
    )
    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    echeance = models.DateTimeField()
    statut = models.CharField(max_length=10, choices=Statut.choices, default=Statut.A_ENVOYER)
    reserve_le = models.DateTimeField(null=True, blank=True)
    envoye_le = models.DateTimeField(null=True, blank=True)
    essais = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rappel", "destinataire", "echeance"], name="envoi_rappel_unique"
            ),
            models.UniqueConstraint(
                fields=["recurrent", "destinataire", "echeance"], name="envoi_recurrent_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(rappel__isnull=False, recurrent__isnull=True)
                | models.Q(rappel__isnull=True, recurrent__isnull=False),
                name="envoi_une_source",
            ),
        ]
        indexes = [models.Index(fields=["statut", "echeance"], name="envoi_a_faire")]

    def __str__(self) -> str:
        return f"Envoi {self.pk}"


class FluxCalendrier(models.Model):
    """A person's private iCalendar subscription to a space's agenda. Only the token's digest
    is kept; regenerating replaces it, revoking ends it."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="+")
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    empreinte = models.CharField(max_length=64, unique=True)
    avec_details = models.BooleanField(default=False)
    cree_le = models.DateTimeField(default=timezone.now)
    revoque_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "utilisateur"],
                condition=models.Q(revoque_le__isnull=True),
                name="un_flux_actif",
            )
        ]

    def __str__(self) -> str:
        return f"Flux {self.pk}"


class SuiviSoin(models.Model):
    """What the person did with one recommended care item (``agenda.prevention``): done
    (linked to a document or an appointment) or dismissed."""

    class Etat(models.TextChoices):
        FAIT = "fait", _("fait")
        ECARTE = "ecarte", _("écarté")

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="+")
    cle = models.CharField(max_length=64)  # the item's key: "examen-enfant-9-mois"
    etat = models.CharField(max_length=8, choices=Etat.choices)
    document = models.ForeignKey(
        "dossier.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rendez_vous = models.ForeignKey(
        RendezVous, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    le = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["espace", "cle"], name="suivi_soin_unique")]

    def __str__(self) -> str:
        return f"{self.cle} : {self.etat}"


class RefusPrevention(models.Model):
    """A prevention theme the person declined: no message of it, at once."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="+")
    theme = models.CharField(max_length=32)
    le = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["espace", "theme"], name="refus_prevention_unique")
        ]

    def __str__(self) -> str:
        return f"Refus {self.theme}"
