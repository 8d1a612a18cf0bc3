"""A space purged (end of archiving, deletion request) takes its documents and blobs along,
and the copies its DMP import conflicts kept."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from espace_sante.coffre import services as coffre
from espace_sante.coffre.models import Blob
from profil.models import Espace

from .models import ConflitImport, Document, VersionDocuments
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


@receiver(post_delete, sender=ConflitImport)
def _effacer_copie_du_conflit(sender: Any, instance: ConflitImport, **kwargs: Any) -> None:
    """A conflict deleted with its space takes its kept copy out of the vault."""
    blob = Blob.objects.filter(pk=instance.blob_id).first() if instance.blob_id else None
    if blob is not None:
        coffre.blob_supprimer(blob)
