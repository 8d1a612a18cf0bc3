"""A space purged takes its threads along, and their attachments out of the vault."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from espace_sante.coffre import services as coffre
from espace_sante.coffre.models import Blob
from profil.models import Espace

from .models import PieceJointe


@receiver(pre_delete, sender=Espace)
def _purger_pieces_jointes(sender: Any, instance: Espace, **kwargs: Any) -> None:
    pieces = PieceJointe.objects.filter(message__fil__espace=instance)
    blobs = list(Blob.objects.filter(pk__in=pieces.values("blob_id")))
    pieces.delete()
    for blob in blobs:
        coffre.blob_supprimer(blob)
