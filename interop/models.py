"""A professional's software: the OAuth application they registered in their workspace."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from professionnels.models import Professionnel


class Logiciel(models.Model):
    """The professional's record of one piece of software. Its OAuth application (client id,
    redirect URIs) lives in django-oauth-toolkit's table; revoking the software deletes the
    application, and with it every token and grant (they answer 401 at once), while this row
    stays as the trace of what was registered and when it was revoked."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    professionnel = models.ForeignKey(
        Professionnel, on_delete=models.CASCADE, related_name="logiciels"
    )
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="logiciel",
    )
    nom = models.CharField(_("nom du logiciel"), max_length=100)
    cree_le = models.DateTimeField(_("enregistré le"), default=timezone.now)
    revoque_le = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("logiciel d'un professionnel")
        verbose_name_plural = _("logiciels des professionnels")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.professionnel})"

    @property
    def actif(self) -> bool:
        return self.revoque_le is None and self.application_id is not None
