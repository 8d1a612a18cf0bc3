"""A space purged (end of archiving, deletion request) takes its documents and blobs along."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from profil.models import Espace

from .models import Document
from .services import document_purger


@receiver(pre_delete, sender=Espace)
def _purger_documents(sender: Any, instance: Espace, **kwargs: Any) -> None:
    for document in Document.objects.filter(espace=instance).select_related("blob"):
        document_purger(document)
