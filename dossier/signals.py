"""A space purged (end of archiving, deletion request) takes its documents and blobs along."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from profil.models import Espace

from .models import Document, VersionDocuments
from .services import document_purger


@receiver(pre_delete, sender=Espace)
def _purger_documents(sender: Any, instance: Espace, **kwargs: Any) -> None:
    for document in Document.objects.filter(espace=instance).select_related("blob"):
        document_purger(document)


@receiver(post_delete, sender=Espace)
def _oublier_version(sender: Any, instance: Espace, **kwargs: Any) -> None:
    """The documents' triggers wrote a token while they were purged: it goes with the space
    (no foreign key takes it along, see ``VersionDocuments``)."""
    VersionDocuments.objects.filter(espace_id=instance.pk).delete()
