from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from espace_sante.coffre.champs import TexteChiffre
from espace_sante.coffre.models import Blob


class NoteChiffree(models.Model):
    proprietaire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    texte = TexteChiffre(blank=True)
    autre = TexteChiffre(blank=True, null=True)

    def __str__(self) -> str:
        return f"note {self.pk}"


class PieceJointe(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    proprietaire = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    blob = models.OneToOneField(Blob, on_delete=models.PROTECT)
    nom = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.nom
