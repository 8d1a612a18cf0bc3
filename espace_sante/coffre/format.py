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
import threading
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


class _Reserve:
    """A few segment buffers kept for reuse: touching fresh memory costs more than encrypting
    it on a virtual machine, and a small file would pay that for every blob."""

    GARDES = 6

    def __init__(self) -> None:
        self._libres: dict[int, list[bytearray]] = {}
        self._verrou = threading.Lock()

    def prendre(self, taille: int) -> bytearray:
        with self._verrou:
            libres = self._libres.get(taille)
            if libres:
                return libres.pop()
        return bytearray(taille)

    def rendre(self, tampon: bytearray) -> None:
        with self._verrou:
            libres = self._libres.setdefault(len(tampon), [])
            if len(libres) < self.GARDES:
                libres.append(tampon)


RESERVE = _Reserve()


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
    """Encrypt a stream pushed in chunks of any size; emits ciphertext as soon as it can.

    Memory stays constant: plaintext is copied into one segment-sized buffer and each segment
    is encrypted into one reused output buffer. ``ajouter`` and ``finir`` therefore give
    *views* that are valid only until the next segment is requested: write each one out (or
    copy it) before asking for the next."""

    def __init__(self, *, data_key: bytes, blob_id: uuid.UUID, segment_size: int) -> None:
        self.en_tete = EnTete.nouveau(blob_id=blob_id, segment_size=segment_size)
        self._aead = AESGCM(data_key)
        self._tampon = RESERVE.prendre(segment_size)
        self._rempli = 0
        self._sortie = RESERVE.prendre(segment_size + TAG_SIZE)
        self._index = 0
        self.taille = 0
        self._fini = False

    def debut(self) -> bytes:
        return self.en_tete.brut

    def _segment(self, longueur: int, dernier: bool) -> memoryview:
        nonce = self.en_tete.nonce(self._index, dernier)
        self._index += 1
        sortie = memoryview(self._sortie)[: longueur + TAG_SIZE]
        self._aead.encrypt_into(
            nonce, memoryview(self._tampon)[:longueur], self.en_tete.brut, sortie
        )
        return sortie

    def ajouter(self, donnees: bytes | bytearray | memoryview) -> Iterator[memoryview]:
        if self._fini:
            raise RuntimeError("already finalised")
        vue = memoryview(donnees).cast("B")
        self.taille += len(vue)
        taille_segment = self.en_tete.segment_size
        while len(vue):
            if self._rempli == taille_segment:  # more data follows: this one is not the last
                yield self._segment(taille_segment, False)
                self._rempli = 0
            n = min(taille_segment - self._rempli, len(vue))
            self._tampon[self._rempli : self._rempli + n] = vue[:n]
            self._rempli += n
            vue = vue[n:]

    def finir(self) -> memoryview:
        self._fini = True
        return self._segment(self._rempli, True)

    def liberer(self) -> None:
        """Give the buffers back once the last view has been written out."""
        RESERVE.rendre(self._tampon)
        RESERVE.rendre(self._sortie)
        self._tampon = self._sortie = bytearray()


def _lire_dans(source: BinaryIO, tampon: memoryview) -> int:
    """Fill ``tampon`` from ``source`` as far as it goes; return how many bytes were read."""
    lu = 0
    lire_dans = getattr(source, "readinto", None)
    while lu < len(tampon):
        if lire_dans is not None:
            n = lire_dans(tampon[lu:])
        else:
            morceau = source.read(len(tampon) - lu)
            n = len(morceau)
            tampon[lu : lu + n] = morceau
        if not n:
            break
        lu += n
    return lu


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

    def dechiffrer(self, index: int, chiffre: bytes | memoryview) -> bytes:
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
        chiffre = RESERVE.prendre(self.en_tete.segment_size + TAG_SIZE)
        try:
            for index in range(premier, fin + 1):
                vue = memoryview(chiffre)[: self.longueur(index)]
                yield self.dechiffrer(index, vue[: _lire_dans(source, vue)])
                del vue
        finally:
            RESERVE.rendre(chiffre)
        if complet and fin == self.segments - 1 and source.read(1):
            raise BlobCorrompu("données après le dernier segment")


def nouvelle_cle() -> bytes:
    return AESGCM.generate_key(bit_length=256)
