"""The export's zip, written as a stream (docs/EXPORT.md).

``flux_zip`` turns entries into the bytes of one zip archive, produced chunk by chunk while it
is read: the vault (``blob_stocker``) pulls them, encrypts them and stores the ciphertext as
they come. Nothing is written to disk in clear and memory stays bounded by one chunk per file,
whatever the number and size of the files (the zip's central directory, a few dozen bytes per
file, is the only thing that grows).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

MORCEAU = 1024 * 1024


@dataclass(frozen=True)
class Entree:
    """One file of the archive: its path, and its content, read only when its turn comes (so
    that an entry may depend on what the entries before it computed)."""

    nom: str
    contenu: Callable[[], Iterable[bytes]]
    taille: int = 0  # in clear, when known: large files then get ZIP64 headers


class _Tampon:
    """A write-only, non-seekable file for ``zipfile``: it keeps what was written until it is
    taken. ``zipfile`` writes to such a file with data descriptors after each entry."""

    def __init__(self) -> None:
        self._morceaux: list[bytes] = []
        self._position = 0
        self.en_attente = 0

    def write(self, donnees: Any) -> int:
        octets = bytes(donnees)
        self._morceaux.append(octets)
        self._position += len(octets)
        self.en_attente += len(octets)
        return len(octets)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def prendre(self) -> bytes:
        octets = b"".join(self._morceaux)
        self._morceaux.clear()
        self.en_attente = 0
        return octets


def flux_zip(entrees: Iterable[Entree], *, moment: datetime | None = None) -> Iterator[bytes]:
    """The zip of ``entrees``, as a stream of chunks (each at most about ``MORCEAU`` bytes more
    than one compressed write)."""
    local = timezone.localtime(moment or timezone.now())
    horodatage = (max(local.year, 1980), local.month, local.day, local.hour, local.minute, 0)
    tampon = _Tampon()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entree in entrees:
            info = zipfile.ZipInfo(entree.nom, date_time=horodatage)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.file_size = entree.taille
            info.external_attr = 0o600 << 16
            with archive.open(info, "w") as fichier:
                for morceau in entree.contenu():
                    fichier.write(morceau)
                    if tampon.en_attente >= MORCEAU:
                        yield tampon.prendre()
            if tampon.en_attente:
                yield tampon.prendre()
    if tampon.en_attente:
        yield tampon.prendre()


__all__ = ["Entree", "flux_zip"]
