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

import mmap
import os
import struct
import threading
import uuid
from collections.abc import Generator, Iterator
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import (
    AEADEncryptionContext,
    Cipher,
    algorithms,
    modes,
)
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
# Work on less than this is done in the calling thread: handing it to another thread and waking
# that thread would cost about as much as doing it (AES-GCM of 256 KiB: about 100 µs here).
EN_PARALLELE = 256 * 1024


class Empreinte(Protocol):
    """A running hash (``hashlib.sha256()``)."""

    def update(self, donnees: memoryview, /) -> None: ...


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

    Memory stays constant: each segment is encrypted into one reused output buffer, straight
    from the caller's chunk when the chunk holds the whole segment, or else from a
    segment-sized buffer that the plaintext is copied into. The header goes out with the first
    segment (one write instead of two) unless ``debut`` gave it already. ``ajouter`` and
    ``finir`` therefore give *views* that are valid only until the next segment is requested:
    write each one out (or copy it) before asking for the next.

    With an ``empreinte`` (a ``hashlib`` object), each segment's plaintext is hashed once it is
    encrypted, in order: the SHA-256 of the whole stream.

    With an ``atelier`` (a pool of two threads), each large segment is hashed by one thread
    while the other encrypts it in pieces, and ``ajouter`` gives each piece as soon as it is
    ready: the caller writes the first pieces while the next are encrypted (AES-GCM and
    SHA-256 release the GIL; the ciphertext is the same). Both are done before the next
    segment starts, so the hash follows the order of the stream."""

    def __init__(
        self,
        *,
        data_key: bytes,
        blob_id: uuid.UUID,
        segment_size: int,
        empreinte: Empreinte | None = None,
        atelier: Executor | None = None,
    ) -> None:
        self.en_tete = EnTete.nouveau(blob_id=blob_id, segment_size=segment_size)
        self._cle = data_key
        self._aead = AESGCM(data_key)
        self._empreinte = empreinte
        self._atelier = atelier
        self._en_cours: list[Future[None]] = []
        self._tampon = bytearray()  # taken from the reserve only if a segment must be assembled
        self._rempli = 0
        self._sortie = RESERVE.prendre(HEADER_SIZE + segment_size + TAG_SIZE)
        self._sortie[:HEADER_SIZE] = self.en_tete.brut
        self._en_tete_donne = False
        self._index = 0
        self.taille = 0
        self._fini = False

    def debut(self) -> bytes:
        """The header, for a caller that writes it on its own (then segments come without)."""
        self._en_tete_donne = True
        return self.en_tete.brut

    def _segment(self, clair: memoryview, dernier: bool) -> memoryview:
        nonce = self.en_tete.nonce(self._index, dernier)
        self._index += 1
        fin = HEADER_SIZE + len(clair) + TAG_SIZE
        sortie = memoryview(self._sortie)[:fin]
        self._aead.encrypt_into(nonce, clair, self.en_tete.brut, sortie[HEADER_SIZE:])
        if self._empreinte is not None:
            self._empreinte.update(clair)
        if self._en_tete_donne:
            return sortie[HEADER_SIZE:]
        self._en_tete_donne = True
        return sortie

    def _segments(self, clair: memoryview, dernier: bool) -> Iterator[memoryview]:
        if self._atelier is None or len(clair) < EN_PARALLELE:
            yield self._segment(clair, dernier)
            return
        nonce = self.en_tete.nonce(self._index, dernier)
        self._index += 1
        sortie = memoryview(self._sortie)[: HEADER_SIZE + len(clair) + TAG_SIZE]
        if self._empreinte is not None:  # the slower of the two: it starts first
            self._en_cours.append(self._atelier.submit(self._empreinte.update, clair))
        # The first piece is encrypted here, the rest there while this one is written out.
        chiffreur = Cipher(algorithms.AES(self._cle), modes.GCM(nonce)).encryptor()
        chiffreur.authenticate_additional_data(self.en_tete.brut)
        fait = chiffreur.update_into(clair[:PIECE], sortie[HEADER_SIZE:])
        avancement = _Avancement(fait)
        chiffrement = self._atelier.submit(
            _chiffrer_la_suite,
            chiffreur=chiffreur,
            clair=clair,
            sortie=sortie[HEADER_SIZE:],
            fait=fait,
            avancement=avancement,
        )
        self._en_cours.append(chiffrement)
        depart = HEADER_SIZE if self._en_tete_donne else 0
        self._en_tete_donne = True
        envoye = 0
        try:
            while envoye < len(clair) + TAG_SIZE:
                envoye = avancement.attendre(envoye)
                yield sortie[depart : HEADER_SIZE + envoye]
                depart = HEADER_SIZE + envoye
        finally:
            self._attendre()
        for travail in self._en_cours:
            travail.result()  # an error of the hash, say, is raised here
        self._en_cours = []

    def _attendre(self) -> None:
        """Never go on (or give the buffers back) while other threads still use them."""
        if self._en_cours:
            wait(self._en_cours)

    def _assemble(self) -> memoryview:
        return memoryview(self._tampon)[: self._rempli]

    def ajouter(
        self, donnees: bytes | bytearray | memoryview, *, suite: bool | None = None
    ) -> Iterator[memoryview]:
        """Encrypt ``donnees``. ``suite`` tells whether more data follows: ``True`` (it does,
        so a complete segment can go now), ``False`` (nothing follows: the last segment goes
        too, ``finir`` is not needed), ``None`` (not known yet: a complete segment at the end
        waits for more data or for ``finir``)."""
        if self._fini:
            raise RuntimeError("already finalised")
        vue = memoryview(donnees).cast("B")
        self.taille += len(vue)
        taille_segment = self.en_tete.segment_size
        while len(vue):
            if self._rempli == taille_segment:  # more data follows: this one is not the last
                yield from self._segments(self._assemble(), False)
                self._rempli = 0
            if not self._rempli and (
                len(vue) > taille_segment or (len(vue) == taille_segment and suite is not None)
            ):
                # A whole segment in the caller's chunk: encrypted from there, not copied.
                dernier = len(vue) == taille_segment and not suite
                yield from self._segments(vue[:taille_segment], dernier)
                vue = vue[taille_segment:]
                if dernier:
                    self._fini = True
                continue
            if not self._tampon:
                self._tampon = RESERVE.prendre(taille_segment)
            n = min(taille_segment - self._rempli, len(vue))
            self._tampon[self._rempli : self._rempli + n] = vue[:n]
            self._rempli += n
            vue = vue[n:]
        if suite is False and not self._fini:
            self._fini = True
            yield from self._segments(self._assemble(), True)

    def finir(self) -> memoryview:
        if self._fini:
            raise RuntimeError("already finalised")
        self._fini = True
        return self._segment(self._assemble(), True)

    def liberer(self) -> None:
        """Give the buffers back once the last view has been written out."""
        self._attendre()
        if self._tampon:
            RESERVE.rendre(self._tampon)
        if self._sortie:
            RESERVE.rendre(self._sortie)
        self._tampon = self._sortie = bytearray()


class _Avancement:
    """How much of a segment's ciphertext the other thread has written so far."""

    def __init__(self, pret: int) -> None:
        self._pret = pret
        self._erreur: BaseException | None = None
        self._condition = threading.Condition(threading.Lock())

    def publier(self, pret: int) -> None:
        with self._condition:
            self._pret = pret
            self._condition.notify()

    def echouer(self, erreur: BaseException) -> None:
        with self._condition:
            self._erreur = erreur
            self._condition.notify()

    def attendre(self, deja: int) -> int:
        """Wait until more than ``deja`` bytes are ready; return how many are."""
        with self._condition:
            while self._pret <= deja and self._erreur is None:
                self._condition.wait()
            if self._erreur is not None:
                raise self._erreur
            return self._pret


PIECE = 256 * 1024


def _chiffrer_la_suite(
    *,
    chiffreur: AEADEncryptionContext,
    clair: memoryview,
    sortie: memoryview,
    fait: int,
    avancement: _Avancement,
) -> None:
    """The rest of a segment whose first ``fait`` bytes are encrypted already, piece by piece,
    then its 16-byte tag: together the same AES-GCM as ``AESGCM.encrypt``. Each piece is
    published as soon as it is ready, so that the caller writes it out."""
    try:
        for debut in range(fait, len(clair), PIECE):
            fait += chiffreur.update_into(clair[debut : debut + PIECE], sortie[fait:])
            avancement.publier(fait)
        chiffreur.finalize()
        sortie[fait : fait + TAG_SIZE] = chiffreur.tag
        avancement.publier(fait + TAG_SIZE)
    except BaseException as erreur:
        avancement.echouer(erreur)
        raise


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
        atelier: Executor | None = None,
    ) -> Generator[bytes, None, None]:
        """Yield plaintext segments ``premier``..``dernier`` read sequentially from ``source``,
        positioned right after the header (or at ``position(premier)``). With ``complet``, also
        check that nothing follows the last segment. With an ``atelier`` (a thread pool), the
        next segment is read there while this one is decrypted and used (both release the GIL).
        """
        if self.en_tete is None:
            self.lire_en_tete(source)
        assert self.en_tete is not None
        fin = self.segments - 1 if dernier is None else dernier
        taille = self.en_tete.segment_size + TAG_SIZE
        tampons = [RESERVE.prendre(taille)]
        if atelier is not None and fin > premier and self.en_tete.segment_size >= EN_PARALLELE:
            tampons.append(RESERVE.prendre(taille))

        def lire(index: int, tampon: bytearray) -> memoryview:
            vue = memoryview(tampon)[: self.longueur(index)]
            return vue[: _lire_dans(source, vue)]

        lecture: Future[memoryview] | None = None
        try:
            courant = lire(premier, tampons[0])
            for rang, index in enumerate(range(premier, fin + 1)):
                autre = tampons[(rang + 1) % len(tampons)]
                if index < fin and len(tampons) > 1:
                    assert atelier is not None
                    lecture = atelier.submit(lire, index + 1, autre)
                yield self.dechiffrer(index, courant)
                if index < fin:
                    courant = lire(index + 1, autre) if lecture is None else lecture.result()
                    lecture = None
        finally:
            if lecture is not None:  # it reads into one of the buffers: let it finish first
                wait([lecture])
            for tampon in tampons:
                RESERVE.rendre(tampon)
        if complet and fin == self.segments - 1 and source.read(1):
            raise BlobCorrompu("données après le dernier segment")

    def segments_projetes(
        self, fd: int, *, premier: int = 0, dernier: int | None = None
    ) -> Generator[bytes, None, None]:
        """Yield plaintext segments ``premier``..``dernier`` of a local file mapped into memory
        a window at a time (``FENETRE``): AES-GCM reads the ciphertext straight from the page
        cache, with no copy into a buffer of ours (on a machine whose AES-GCM outruns its
        memory, that copy costs as much as the decryption).

        The file's size is checked against the recorded plaintext size before anything is
        mapped: touching a page past the end of a file kills the process (SIGBUS), so a
        truncated object must be refused here. Stored objects are written once and never
        changed in place; one truncated *while* it is read would stop the process, not
        yield anything unauthenticated."""
        if self.en_tete is None:
            self.en_tete = EnTete.lire(os.pread(fd, HEADER_SIZE, 0), blob_id=self.blob_id)
        attendu = taille_chiffree(self.taille, self.en_tete.segment_size)
        taille_fichier = os.fstat(fd).st_size
        if taille_fichier < attendu:
            raise BlobCorrompu("objet tronqué")
        if taille_fichier > attendu:
            raise BlobCorrompu("données après le dernier segment")
        fin = self.segments - 1 if dernier is None else dernier
        par_fenetre = max(1, FENETRE // (self.en_tete.segment_size + TAG_SIZE))
        for premier_de_fenetre in range(premier, fin + 1, par_fenetre):
            dernier_de_fenetre = min(premier_de_fenetre + par_fenetre - 1, fin)
            position = self.position(premier_de_fenetre)
            depart = position - position % mmap.ALLOCATIONGRANULARITY  # offsets are aligned
            arrivee = self.position(dernier_de_fenetre) + self.longueur(dernier_de_fenetre)
            with (
                mmap.mmap(
                    fd, arrivee - depart, flags=_PROJECTION, prot=mmap.PROT_READ, offset=depart
                ) as carte,
                memoryview(carte) as vue,
            ):
                for index in range(premier_de_fenetre, dernier_de_fenetre + 1):
                    debut = self.position(index) - depart
                    # Released explicitly: a traceback holding a view would keep the mapping.
                    with vue[debut : debut + self.longueur(index)] as chiffre:
                        clair = self.dechiffrer(index, chiffre)
                    yield clair


# How much of a file is mapped at once: one call to map it (and fill its page-table entries)
# per window rather than per segment; the window counts in the process's resident memory.
FENETRE = 8 * 1024 * 1024
_PROJECTION = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)


def nouvelle_cle() -> bytes:
    return AESGCM.generate_key(bit_length=256)
