"""Reading and writing ciphertext through any Django storage, streaming both ways."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from storages.utils import clean_name


def stockage() -> Storage:
    return storages["default"]


def _est_s3(storage: Storage) -> bool:
    return storage.__class__.__module__.startswith("storages.backends.s3")


class FluxSortant(io.RawIOBase):
    """A read-only file over a generator of byte chunks: lets ``Storage.save`` pull ciphertext
    as it is produced (FileSystemStorage iterates ``chunks()``, S3 calls ``read(n)``)."""

    def __init__(self, morceaux: Iterator[bytes | memoryview], taille: int | None = None) -> None:
        self._morceaux = morceaux
        self._reste: bytes | memoryview = b""
        self._position = 0
        self.size = taille

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._position

    def readinto(self, tampon: Any) -> int:
        while not self._reste:
            try:
                self._reste = next(self._morceaux)
            except StopIteration:
                return 0
        n = min(len(tampon), len(self._reste))
        tampon[:n] = self._reste[:n]
        self._reste = self._reste[n:]
        self._position += n
        return n

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            tout = bytearray(self._reste)
            self._reste = b""
            for morceau in self._morceaux:  # views may be reused: copy each before the next
                tout += morceau
            self._position += len(tout)
            return bytes(tout)
        return super().read(n) or b""


class FichierSortant(File):
    def __init__(self, flux: FluxSortant, nom: str) -> None:
        super().__init__(flux, name=nom)  # type: ignore[arg-type]
        self._flux = flux

    @property
    def size(self) -> int | None:  # type: ignore[override]
        return self._flux.size

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes | memoryview]:
        # FileSystemStorage opens the file in text mode unless the first chunk is ``bytes``;
        # ours are views (of reused buffers), so an empty ``bytes`` goes first.
        yield b""
        if self._flux._reste:
            yield self._flux._reste
            self._flux._reste = b""
        yield from self._flux._morceaux

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True


def ecrire(nom: str, morceaux: Iterator[bytes | memoryview], taille: int | None = None) -> str:
    """Store ciphertext under exactly ``nom``; return the name the storage used.

    ``Storage.save`` would first ask whether the name is free (a ``stat``, or a ``HEAD``
    request on S3) and validate it: our names are random UUIDs that we build, so this goes to
    the storage's ``_save`` directly. A filesystem storage still creates the file with
    ``O_EXCL``: should the name exist after all, it picks another, which is refused below."""
    storage = stockage()
    contenu = FichierSortant(FluxSortant(morceaux, taille), nom)
    enregistre: str = storage._save(nom, contenu)  # type: ignore[attr-defined]
    if enregistre != nom:  # a storage that renamed it: never expected with random names
        storage.delete(enregistre)
        raise RuntimeError("le stockage a renommé l'objet")
    return enregistre


def ouvrir(nom: str, *, debut: int = 0, fin: int | None = None) -> BinaryIO:
    """A sequential reader of bytes ``debut``..``fin`` (inclusive) of a stored object."""
    storage = stockage()
    if _est_s3(storage):
        cle = storage._normalize_name(clean_name(nom))  # type: ignore[attr-defined]
        objet = storage.bucket.Object(cle)  # type: ignore[attr-defined]
        plage = f"bytes={debut}-{'' if fin is None else fin}"
        try:
            return objet.get(Range=plage)["Body"]
        except storage.connection.meta.client.exceptions.NoSuchKey as exc:  # type: ignore[attr-defined]
            raise FileNotFoundError(nom) from exc
        except Exception as exc:
            if getattr(exc, "response", {}).get("Error", {}).get("Code") in {"404", "NoSuchKey"}:
                raise FileNotFoundError(nom) from exc
            raise
    if isinstance(storage, FileSystemStorage):
        # The file itself, unbuffered: segments are read straight into the caller's buffer
        # (a buffered reader would read the header's 33 bytes as 8 KiB, then copy them out).
        fichier: BinaryIO = open(storage.path(nom), "rb", buffering=0)  # noqa: SIM115
    else:
        fichier = storage.open(nom, "rb")  # type: ignore[assignment]
    if debut:
        fichier.seek(debut)
    return fichier


def chemin_local(nom: str) -> str | None:
    """The object's path when the storage is a local filesystem (to be mapped into memory),
    else None."""
    storage = stockage()
    if isinstance(storage, FileSystemStorage):
        return str(storage.path(nom))
    return None


def supprimer(nom: str) -> None:
    stockage().delete(nom)


def existe(nom: str) -> bool:
    return stockage().exists(nom)


def lister(prefixe: str) -> Iterator[str]:
    """Every stored object name under ``prefixe`` (recursively)."""
    storage = stockage()
    if _est_s3(storage):
        for objet in storage.bucket.objects.filter(Prefix=prefixe):  # type: ignore[attr-defined]
            yield objet.key
        return
    dossiers = [prefixe.rstrip("/")]
    while dossiers:
        dossier = dossiers.pop()
        try:
            sous, fichiers = storage.listdir(dossier)
        except FileNotFoundError:
            continue
        dossiers.extend(f"{dossier}/{s}" for s in sous)
        yield from (f"{dossier}/{f}" for f in fichiers)


def date_modification(nom: str) -> Any:
    return stockage().get_modified_time(nom)
