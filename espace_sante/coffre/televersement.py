"""Uploads are encrypted while they arrive: no plaintext ever reaches a temporary file.

``TeleversementChiffre`` replaces Django's memory and temporary-file handlers for every upload.
Each chunk is encrypted as it is received; the ciphertext is spooled, then stored when the file
is complete. The view receives a ``FichierChiffre``: its ``attente`` describes the stored object
(turn it into a row with ``blob_enregistrer``), and reading it decrypts from storage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http import HttpRequest

from .services import (
    BlobEnAttente,
    EcrivainBlob,
    TropVolumineux,
    _effacer,
    blob_lire,
    empreinte_blob,
)
from .stockage import FluxSortant

MARGE_MULTIPART = 64 * 1024


class FichierChiffre(UploadedFile):
    """An uploaded file already encrypted and stored; reading it decrypts it (streaming)."""

    def __init__(self, attente: BlobEnAttente, *, name: str, content_type: str) -> None:
        self.attente = attente
        super().__init__(
            file=None, name=name, content_type=content_type, size=attente.taille, charset=None
        )

    def _clair(self) -> Iterator[bytes]:
        from .models import Blob

        a = self.attente
        blob = Blob(
            id=a.id,
            nom=a.nom,
            taille=a.taille,
            taille_chiffree=0,
            sha256=empreinte_blob(a.sha256),
            media_type=a.media_type,
            segment=a.segment,
            cle_id=a.cle.cle_id,
            cle_enveloppee=a.cle.enveloppe,
        )
        return blob_lire(blob, verifier_empreinte=True)

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> FichierChiffre:
        self.file = FluxSortant(self._clair(), self.attente.taille)  # type: ignore[assignment]
        return self

    def read(self, *args: Any) -> bytes:
        if self.file is None:
            self.open()
        return self.file.read(*args)  # type: ignore[union-attr]

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield from self._clair()

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True

    def abandonner(self) -> None:
        """Delete the stored object (when the upload is refused after all)."""
        _effacer(self.attente.nom)

    def close(self) -> None:
        self.file = None


class TeleversementChiffre(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.ecrivain: EcrivainBlob | None = None
        self.maximum = settings.VAULT_MAX_UPLOAD
        self.trop_gros = False

    def _refuser(self, message: str) -> None:
        if self.request is not None:
            self.request.refus_televersement = message  # type: ignore[attr-defined]
        if self.ecrivain is not None:
            self.ecrivain.abandonner()
            self.ecrivain = None
        raise StopUpload(connection_reset=False)

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.trop_gros = content_length > self.maximum + MARGE_MULTIPART

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.trop_gros:
            self._refuser(_message_trop_gros(self.maximum))
        self.ecrivain = EcrivainBlob(media_type=self.content_type or "", taille_max=self.maximum)
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self.ecrivain is not None
        try:
            self.ecrivain.ecrire(raw_data)
        except TropVolumineux:
            self._refuser(_message_trop_gros(self.maximum))

    def file_complete(self, file_size: int) -> FichierChiffre | None:
        if self.ecrivain is None:
            return None
        attente = self.ecrivain.terminer()
        self.ecrivain = None
        return FichierChiffre(
            attente, name=self.file_name or "fichier", content_type=self.content_type or ""
        )

    def upload_interrupted(self) -> None:
        if self.ecrivain is not None:
            self.ecrivain.abandonner()
            self.ecrivain = None


def _message_trop_gros(maximum: int) -> str:
    mo = maximum // (1024 * 1024)
    return f"Le fichier dépasse la taille maximale de {mo} Mo : rien n'a été gardé."


class TeleversementRefuse(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def fichier_televerse(request: HttpRequest, champ: str) -> FichierChiffre:
    """The uploaded file of ``champ``, already encrypted and stored; or a refusal to show.

    An empty file is refused too (its stored object is removed at once)."""
    fichier = request.FILES.get(champ)  # parses the body: the handler runs now
    refus = getattr(request, "refus_televersement", None)
    if refus:
        raise TeleversementRefuse(refus)
    if not isinstance(fichier, FichierChiffre):
        raise TeleversementRefuse("Aucun fichier n'a été reçu : choisissez un fichier.")
    if fichier.size == 0:
        fichier.abandonner()
        raise TeleversementRefuse("Le fichier est vide : rien n'a été gardé.")
    return fichier
