"""The outbox: a job to send to the broker, written in the transaction that needs it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TacheEnAttente(models.Model):
    """One job: the task's name and its JSON arguments (ids only, never health content).

    Written with the domain rows it serves, so a job exists exactly when its rows do. Sent to
    the broker after commit, or later by the sweep while the broker is away; ``envoyee_le`` is
    set only once the broker has accepted the message (docs/TACHES.md)."""

    tache = models.CharField(_("tâche"), max_length=200)
    arguments = models.JSONField(_("arguments"), default=list)
    # What the job is for, so a page can say "en attente" while it has not left.
    objet_type = models.CharField(_("type d'objet"), max_length=40, blank=True)
    objet_id = models.BigIntegerField(_("objet"), null=True, blank=True)
    cree_le = models.DateTimeField(default=timezone.now)
    envoyee_le = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    essais = models.PositiveIntegerField(_("essais d'envoi"), default=0)
    derniere_erreur = models.CharField(_("dernière erreur"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tâche en attente")
        verbose_name_plural = _("tâches en attente")
        indexes = [
            models.Index(
                fields=["cree_le"],
                condition=Q(envoyee_le__isnull=True),
                name="tache_a_envoyer",
            ),
            models.Index(
                fields=["objet_type", "objet_id"],
                condition=Q(envoyee_le__isnull=True),
                name="tache_objet_a_envoyer",
            ),
            models.Index(fields=["envoyee_le"], name="tache_envoyee_le"),
        ]

    def __str__(self) -> str:
        etat = "envoyée" if self.envoyee_le else "en attente"
        return f"{self.tache} ({etat})"
