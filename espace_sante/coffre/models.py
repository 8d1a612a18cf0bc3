"""A blob: one encrypted object in storage, and what is needed to read it back."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Blob(models.Model):
    """The row exists only once its object is completely stored (see services.blob_ecrire).

    ``id`` is random, is the object's identity in its header, binds its wrapped data key, and
    names the stored object: nothing in storage says whose it is."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    nom = models.CharField(max_length=120, unique=True)
    taille = models.BigIntegerField(_("taille en clair"))
    taille_chiffree = models.BigIntegerField(_("taille chiffrée"))
    # Keyed (HMAC, ``services.empreinte_blob``): the SHA-256 of a known file (a standard form,
    # a leaflet) would say who holds it. Checked without the vault's keys.
    sha256 = models.CharField(_("empreinte du clair (HMAC du SHA-256)"), max_length=64)
    media_type = models.CharField(_("type de média"), max_length=127)
    segment = models.PositiveIntegerField(_("taille de segment"))
    cle_id = models.CharField(_("clé d'enveloppe"), max_length=64, db_index=True)
    cle_enveloppee = models.BinaryField(_("clé de données enveloppée"))
    cree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("blob chiffré")
        verbose_name_plural = _("blobs chiffrés")

    # The plaintext's SHA-256 itself, known only to the process that has just written the blob.
    sha256_clair: str = ""

    def __str__(self) -> str:
        return f"blob {self.id} ({self.taille} octets)"
