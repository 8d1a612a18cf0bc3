"""The vault's blob format, version 1: AES-256-GCM in fixed-size segments (see docs/VAULT.md).

    header  = "ESCF" | version (1) | flags (1) | segment size (4, big-endian) | blob id (16)
              | nonce prefix (7, random)                                       — 33 bytes
    segment = AES-256-GCM(data key, nonce = prefix | index (4, big-endian) | last (1),
                          plaintext segment, associated data = header)         — ≤ size + 16

Every segment but the last holds exactly ``segment size`` plaintext bytes; the last holds
0..size bytes and is the only one whose nonce ends with 1. The header is authenticated with
every segment, so the blob id, version and segment size cannot be changed; the index in the
nonce forbids reordering; the last mark forbids truncation; nothing may follow the last
segment. A segment from another blob fails (other key, other header).
"""

from __future__ import annotations

import os
import struct
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"ESCF"
VERSION = 1
_HEADER = struct.Struct("!4sBBI16s7s")
HEADER_SIZE = _HEADER.size
TAG_SIZE = 16
DATA_KEY_SIZE = 32
MIN_SEGMENT = 4096
MAX_SEGMENT = 16 * 1024 * 1024
MAX_SEGMENTS = 2**32


class BlobCorrompu(Exception):
    """The ciphertext does not authenticate: altered, truncated, extended, swapped or wrong key."""


@dataclass(frozen=True)
class EnTete:
    segment_size: int
    blob_id: uuid.UUID
    prefixe: bytes
    brut: bytes

    @classmethod
    def nouveau(cls, *, blob_id: uuid.UUID, segment_size: int) -> EnTete:
        if not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
            raise ValueError("segment size out of range")
        prefixe = os.urandom(7)
        brut = _HEADER.pack(MAGIC, VERSION, 0, segment_size, blob_id.bytes, prefixe)
        return cls(segment_size=segment_size, blob_id=blob_id, prefixe=prefixe, brut=brut)

    @classmethod
    def lire(cls, brut: bytes, *, blob_id: uuid.UUID) -> EnTete:
        if len(brut) != HEADER_SIZE:
            raise BlobCorrompu("en-tête tronqué")
        magic, version, flags, segment_size, ident, prefixe = _HEADER.unpack(brut)
        if magic != MAGIC:
            raise BlobCorrompu("ce n'est pas un objet du coffre")
        if version != VERSION or flags != 0:
            raise BlobCorrompu(f"version de format inconnue : {version}")
        if not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
            raise BlobCorrompu("taille de segment invalide")
        if ident != blob_id.bytes:
            raise BlobCorrompu("cet objet appartient à un autre blob")
        return cls(segment_size=segment_size, blob_id=blob_id, prefixe=prefixe, brut=brut)

    def nonce(self, index: int, dernier: bool) -> bytes:
        if index >= MAX_SEGMENTS:
            raise ValueError("too many segments")
        return self.prefixe + index.to_bytes(4, "big") + (b"\x01" if dernier else b"\x00")


def nombre_segments(taille: int, segment_size: int) -> int:
    return max(1, -(-taille // segment_size))


def taille_chiffree(taille: int, segment_size: int) -> int:
    return HEADER_SIZE + taille + TAG_SIZE * nombre_segments(taille, segment_size)


class Chiffreur:
    """Encrypt a stream pushed in chunks of any size; emits ciphertext as soon as it can."""

    def __init__(self, *, data_key: bytes, blob_id: uuid.UUID, segment_size: int) -> None:
        self.en_tete = EnTete.nouveau(blob_id=blob_id, segment_size=segment_size)
        self._aead = AESGCM(data_key)
        self._tampon = bytearray()
        self._index = 0
        self.taille = 0
        self._fini = False

    def debut(self) -> bytes:
        return self.en_tete.brut

    def _segment(self, donnees: bytes | bytearray | memoryview, dernier: bool) -> bytes:
        nonce = self.en_tete.nonce(self._index, dernier)
        self._index += 1
        return self._aead.encrypt(nonce, bytes(donnees), self.en_tete.brut)

    def ajouter(self, donnees: bytes) -> list[bytes]:
        if self._fini:
            raise RuntimeError("already finalised")
        self.taille += len(donnees)
        taille_segment = self.en_tete.segment_size
        sortie: list[bytes] = []
        if not self._tampon and len(donnees) > taille_segment:
            vue = memoryview(donnees)
            debut = 0
            while len(donnees) - debut > taille_segment:
                sortie.append(self._segment(vue[debut : debut + taille_segment], False))
                debut += taille_segment
            self._tampon.extend(vue[debut:])
            return sortie
        self._tampon.extend(donnees)
        while len(self._tampon) > taille_segment:
            sortie.append(self._segment(memoryview(self._tampon)[:taille_segment], False))
            del self._tampon[:taille_segment]
        return sortie

    def finir(self) -> bytes:
        self._fini = True
        return self._segment(self._tampon, True)


def _lire_exactement(source: BinaryIO, n: int) -> bytes:
    morceaux = []
    reste = n
    while reste:
        morceau = source.read(reste)
        if not morceau:
            break
        morceaux.append(morceau)
        reste -= len(morceau)
    return b"".join(morceaux)


class Dechiffreur:
    """Decrypt a blob whose plaintext size is known, whole or by segments (for ranges)."""

    def __init__(self, *, data_key: bytes, blob_id: uuid.UUID, taille: int) -> None:
        self._aead = AESGCM(data_key)
        self.blob_id = blob_id
        self.taille = taille
        self.en_tete: EnTete | None = None

    def lire_en_tete(self, source: BinaryIO) -> EnTete:
        self.en_tete = EnTete.lire(_lire_exactement(source, HEADER_SIZE), blob_id=self.blob_id)
        return self.en_tete

    @property
    def segments(self) -> int:
        assert self.en_tete is not None
        return nombre_segments(self.taille, self.en_tete.segment_size)

    def position(self, index: int) -> int:
        assert self.en_tete is not None
        return HEADER_SIZE + index * (self.en_tete.segment_size + TAG_SIZE)

    def longueur(self, index: int) -> int:
        """Ciphertext length of segment ``index``."""
        assert self.en_tete is not None
        if index == self.segments - 1:
            return self.taille - index * self.en_tete.segment_size + TAG_SIZE
        return self.en_tete.segment_size + TAG_SIZE

    def dechiffrer(self, index: int, chiffre: bytes) -> bytes:
        assert self.en_tete is not None
        dernier = index == self.segments - 1
        if len(chiffre) != self.longueur(index):
            raise BlobCorrompu(f"segment {index} tronqué")
        try:
            return self._aead.decrypt(
                self.en_tete.nonce(index, dernier), chiffre, self.en_tete.brut
            )
        except InvalidTag as exc:
            raise BlobCorrompu(f"segment {index} altéré ou étranger à ce blob") from exc

    def segments_de(
        self,
        source: BinaryIO,
        *,
        premier: int = 0,
        dernier: int | None = None,
        complet: bool = True,
    ) -> Iterator[bytes]:
        """Yield plaintext segments ``premier``..``dernier`` read sequentially from ``source``,
        positioned right after the header (or at ``position(premier)``). With ``complet``, also
        check that nothing follows the last segment."""
        if self.en_tete is None:
            self.lire_en_tete(source)
        assert self.en_tete is not None
        fin = self.segments - 1 if dernier is None else dernier
        for index in range(premier, fin + 1):
            yield self.dechiffrer(index, _lire_exactement(source, self.longueur(index)))
        if complet and fin == self.segments - 1 and source.read(1):
            raise BlobCorrompu("données après le dernier segment")


def nouvelle_cle() -> bytes:
    return AESGCM.generate_key(bit_length=256)
