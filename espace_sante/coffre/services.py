"""The vault: every health file is stored only as ciphertext, and read back by streaming.

Writing stores the complete object first, then creates its ``Blob`` row: a row never points to a
missing or partial object. What a failure leaves behind is an object without a row, which
``vault_gc`` removes once it is older than ``VAULT_GC_GRACE``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
import uuid
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import stockage
from .champs import empreinte_indexee, empreintes_possibles
from .cles import CleEnveloppee, CleIndisponible, trousseau
from .format import (
    HEADER_SIZE,
    RESERVE,
    BlobCorrompu,
    Chiffreur,
    Dechiffreur,
    nouvelle_cle,
    taille_chiffree,
)
from .models import Blob

PREFIXE = "coffre"
MORCEAU = 1024 * 1024


class BlobIllisible(Exception):
    """A blob cannot be read back: its object is missing, altered, or its key is not loaded."""

    MESSAGES = {
        "absent": "Le fichier chiffré est introuvable dans le stockage.",
        "corrompu": "Le fichier chiffré a été altéré : il ne peut pas être déchiffré.",
        "cle": "La clé qui protège ce fichier n'est pas disponible.",
    }

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        return self.MESSAGES[self.code]


class TropVolumineux(Exception):
    def __init__(self, maximum: int) -> None:
        super().__init__(f"more than {maximum} bytes")
        self.maximum = maximum


def nom_objet(blob_id: uuid.UUID) -> str:
    return f"{PREFIXE}/{blob_id.hex[:2]}/{blob_id.hex}"


@dataclass(frozen=True)
class BlobEnAttente:
    """An object completely stored, whose row is yet to be created (``blob_enregistrer``)."""

    id: uuid.UUID
    nom: str
    taille: int
    sha256: str
    media_type: str
    segment: int
    cle: CleEnveloppee


class _Chiffrement:
    """What every new blob needs: its id, a fresh data key wrapped by the active key, the
    encryption of its segments, and the SHA-256 of its plaintext."""

    def __init__(
        self,
        *,
        media_type: str,
        taille_max: int | None = None,
        atelier: ThreadPoolExecutor | None = None,
    ) -> None:
        self.id = uuid.uuid4()
        self.media_type = (media_type or "application/octet-stream")[:127]
        self.taille_max = taille_max
        cle = nouvelle_cle()
        self._cle = trousseau().envelopper(cle, objet=self.id)
        self._empreinte = hashlib.sha256()
        self._chiffreur = Chiffreur(
            data_key=cle,
            blob_id=self.id,
            segment_size=settings.VAULT_SEGMENT_SIZE,
            empreinte=self._empreinte,
            atelier=atelier,
        )

    @property
    def taille(self) -> int:
        return self._chiffreur.taille

    def _verifier_taille(self, donnees: bytes | memoryview) -> None:
        if self.taille_max is not None and self.taille + len(donnees) > self.taille_max:
            raise TropVolumineux(self.taille_max)

    def en_attente(self, nom: str) -> BlobEnAttente:
        return BlobEnAttente(
            id=self.id,
            nom=nom,
            taille=self.taille,
            sha256=self._empreinte.hexdigest(),
            media_type=self.media_type,
            segment=self._chiffreur.en_tete.segment_size,
            cle=self._cle,
        )


class EcrivainBlob(_Chiffrement):
    """Encrypt plaintext pushed in chunks (an upload), keeping only ciphertext — in memory up to
    ``VAULT_SPOOL_MEMORY``, then in a temporary file — until ``terminer`` stores it."""

    def __init__(self, *, media_type: str, taille_max: int | None = None) -> None:
        super().__init__(media_type=media_type, taille_max=taille_max)
        self._tampon = tempfile.SpooledTemporaryFile(max_size=settings.VAULT_SPOOL_MEMORY)  # noqa: SIM115

    def chiffrer(self, donnees: bytes | memoryview) -> Iterator[memoryview]:
        """Ciphertext views, each valid until the next one is requested."""
        self._verifier_taille(donnees)
        return self._chiffreur.ajouter(donnees)

    def ecrire(self, donnees: bytes | memoryview) -> None:
        for morceau in self.chiffrer(donnees):
            self._tampon.write(morceau)

    def finir(self) -> memoryview:
        return self._chiffreur.finir()

    def clore(self) -> None:
        """End the encryption (the last segment goes to the spool); nothing is stored yet."""
        self._tampon.write(self.finir())
        self._chiffreur.liberer()

    def stocker(self) -> BlobEnAttente:
        """Store the spooled ciphertext (after ``clore``): only now does the vault see it."""
        self._tampon.seek(0)
        nom = nom_objet(self.id)
        try:
            stockage.ecrire(nom, iter(lambda: self._tampon.read(MORCEAU), b""))
        except OSError as panne:
            _effacer(nom)  # best effort: a read-only storage leaves it to the vault's GC
            raise StockageIndisponible(str(panne)) from panne
        except BaseException:
            _effacer(nom)
            raise
        finally:
            self._tampon.close()
        return self.en_attente(nom)

    def terminer(self) -> BlobEnAttente:
        self.clore()
        return self.stocker()

    def abandonner(self) -> None:
        self._tampon.close()
        self._chiffreur.liberer()


class StockageIndisponible(OSError):
    """The storage refused or failed a write (down, full, read-only): nothing was kept, and
    the caller says so (an upload answers 503 and asks to try again later)."""


def _effacer(nom: str) -> None:
    with suppress(Exception):
        stockage.supprimer(nom)


def empreinte_blob(sha256: str) -> str:
    """What a blob's row records of its plaintext's SHA-256: a keyed digest (HMAC)."""
    return empreinte_indexee(sha256, usage="blob")


def empreinte_conforme(sha256: str, blob: Blob) -> bool:
    return any(
        hmac.compare_digest(possible, blob.sha256)
        for possible in empreintes_possibles(sha256, usage="blob")
    )


def blob_enregistrer(attente: BlobEnAttente) -> Blob:
    blob = Blob.objects.create(
        id=attente.id,
        nom=attente.nom,
        taille=attente.taille,
        taille_chiffree=taille_chiffree(attente.taille, attente.segment),
        sha256=empreinte_blob(attente.sha256),
        media_type=attente.media_type,
        segment=attente.segment,
        cle_id=attente.cle.cle_id,
        cle_enveloppee=attente.cle.enveloppe,
    )
    blob.sha256_clair = attente.sha256
    return blob


def blob_ecrire(
    *, source: Iterable[bytes | memoryview], media_type: str, taille_max: int | None = None
) -> Blob:
    """Encrypt and store a plaintext stream, then create its row (see ``blob_stocker``)."""
    return blob_enregistrer(
        blob_stocker(source=source, media_type=media_type, taille_max=taille_max)
    )


def blob_stocker(
    *, source: Iterable[bytes | memoryview], media_type: str, taille_max: int | None = None
) -> BlobEnAttente:
    """Encrypt and store a plaintext stream pulled from ``source``, without buffering it: the
    storage pulls ciphertext as it is produced. Returns the stored object, whose row the caller
    creates (``blob_enregistrer``) in the transaction that uses it: a run killed before leaves
    only an orphan object, which ``vault_gc`` removes.

    ``source`` may yield views of at most two alternating buffers (see ``morceaux_de``)."""
    chiffrement = _Chiffrement(media_type=media_type, taille_max=taille_max, atelier=_atelier())
    nom = nom_objet(chiffrement.id)
    flux = _chiffre(chiffrement, source)
    try:
        stockage.ecrire(nom, flux)
    except StockageIndisponible:
        _effacer(nom)
        raise
    except OSError as panne:
        _effacer(nom)  # best effort: a read-only storage leaves it to the vault's GC
        raise StockageIndisponible(str(panne)) from panne
    except BaseException:
        _effacer(nom)
        raise
    finally:
        flux.close()  # waits for what the other thread still does with the buffers
        chiffrement._chiffreur.liberer()
    return chiffrement.en_attente(nom)


def _chiffre(
    chiffrement: _Chiffrement, source: Iterable[bytes | memoryview]
) -> Generator[bytes | memoryview, None, None]:
    """The ciphertext of ``source``: header and segments, as views valid until the next one.

    Each chunk is read one ahead, so that the encryption knows whether more data follows: a
    chunk holding whole segments is then encrypted in place, never copied, the last one
    included. A large segment is hashed by one of the vault's threads (``_atelier``) while
    the other encrypts it piece by piece, and this thread writes out each piece as soon as it
    is ready (see ``Chiffreur``). A chunk is done with once ``ajouter`` returns, before the
    chunk after next is read: ``source`` may reuse two alternating buffers (as ``morceaux_de``
    does), not one."""
    chiffreur = chiffrement._chiffreur
    morceaux = (donnees for donnees in source if len(donnees))
    courant = next(morceaux, None)
    if courant is None:
        yield chiffreur.finir()
        return
    while courant is not None:
        chiffrement._verifier_taille(courant)
        suivant = next(morceaux, None)  # into the buffer of the chunk before `courant`
        yield from chiffreur.ajouter(courant, suite=suivant is not None)
        courant = suivant


_ATELIER: ThreadPoolExecutor | None = None


def _atelier() -> ThreadPoolExecutor:
    """The vault's threads in this process (AES-GCM and SHA-256 of large segments while the
    calling thread reads and writes), started on first use, and again after a fork."""
    global _ATELIER
    if _ATELIER is None or getattr(_ATELIER, "_pid", None) != os.getpid():
        _ATELIER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="coffre")
        _ATELIER._pid = os.getpid()  # type: ignore[attr-defined]
    return _ATELIER


def morceaux_de(fichier: BinaryIO, taille: int = MORCEAU) -> Iterator[memoryview]:
    """Read a file in chunks into two alternating buffers (no allocation per chunk). Each view
    is valid until the next-but-one is read: enough for ``blob_ecrire``, which copies it."""
    tampons = [RESERVE.prendre(taille), RESERVE.prendre(taille)]
    index = 0
    try:
        while True:
            tampon = tampons[index]
            lu = fichier.readinto(tampon)  # type: ignore[attr-defined]
            if not lu:
                return
            yield memoryview(tampon)[:lu]
            index ^= 1
    finally:
        for tampon in tampons:
            RESERVE.rendre(tampon)


def blob_ecrire_octets(donnees: bytes, *, media_type: str) -> Blob:
    vue = memoryview(donnees)  # slices of a view, not copies
    return blob_ecrire(
        source=(vue[i : i + MORCEAU] for i in range(0, len(vue), MORCEAU)), media_type=media_type
    )


def blob_supprimer(blob: Blob) -> None:
    """Delete the row now and the object after commit (an object left behind is an orphan
    that ``vault_gc`` removes)."""
    nom = blob.nom
    blob.delete()
    transaction.on_commit(lambda: _effacer(nom))


# --- Reading -----------------------------------------------------------------------------------


def _dechiffreur(blob: Blob) -> Dechiffreur:
    try:
        cle = trousseau().ouvrir(
            CleEnveloppee(cle_id=blob.cle_id, enveloppe=bytes(blob.cle_enveloppee)), objet=blob.id
        )
    except CleIndisponible as exc:
        raise BlobIllisible("cle", str(exc)) from exc
    return Dechiffreur(data_key=cle, blob_id=blob.id, taille=blob.taille)


def _ouvrir(nom: str, *, debut: int = 0, fin: int | None = None) -> BinaryIO:
    try:
        return stockage.ouvrir(nom, debut=debut, fin=fin)
    except FileNotFoundError as exc:
        raise BlobIllisible("absent", nom) from exc


def _segments(
    blob: Blob, dechiffreur: Dechiffreur, *, premier: int = 0, dernier: int | None = None
) -> Generator[bytes, None, None]:
    """The plaintext segments ``premier``..``dernier`` of a blob, authenticated one by one.

    On a local filesystem each segment is decrypted straight from the file mapped into memory
    (``Dechiffreur.segments_projetes``). Elsewhere (S3) the object is streamed: the whole of
    it, or only the bytes of the segments asked for, the next segment read by one of the
    vault's threads while this one is decrypted."""
    chemin = stockage.chemin_local(blob.nom)
    if chemin is not None:
        try:
            fd = os.open(chemin, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError as exc:
            raise BlobIllisible("absent", blob.nom) from exc
        try:
            yield from dechiffreur.segments_projetes(fd, premier=premier, dernier=dernier)
        finally:
            os.close(fd)
        return
    if premier == 0 and dernier is None:
        source = _ouvrir(blob.nom)
    else:
        with closing(_ouvrir(blob.nom, fin=HEADER_SIZE - 1)) as entete:
            dechiffreur.lire_en_tete(entete)
        fin = dechiffreur.segments - 1 if dernier is None else dernier
        source = _ouvrir(
            blob.nom,
            debut=dechiffreur.position(premier),
            fin=dechiffreur.position(fin) + dechiffreur.longueur(fin) - 1,
        )
    lecture = dechiffreur.segments_de(
        source, premier=premier, dernier=dernier, complet=dernier is None, atelier=_atelier()
    )
    # The segments are closed first: the next one may be being read in another thread.
    with closing(source), closing(lecture):
        yield from lecture


def blob_lire(blob: Blob, *, verifier_empreinte: bool = False) -> Iterator[bytes]:
    """Yield the plaintext, segment by segment; every segment is authenticated before it is
    yielded. With ``verifier_empreinte``, the last segment is only yielded once the SHA-256 of
    the whole plaintext matches the recorded one."""
    dechiffreur = _dechiffreur(blob)
    empreinte = hashlib.sha256()
    try:
        if not verifier_empreinte:
            yield from _segments(blob, dechiffreur)
            return
        precedent: bytes | None = None
        with closing(_segments(blob, dechiffreur)) as segments:
            for segment in segments:
                if precedent is not None:
                    yield precedent
                empreinte.update(segment)
                precedent = segment
        if not empreinte_conforme(empreinte.hexdigest(), blob):
            raise BlobIllisible("corrompu", "empreinte SHA-256 différente")
        if precedent:
            yield precedent
    except BlobCorrompu as exc:
        raise BlobIllisible("corrompu", str(exc)) from exc


def blob_plage(blob: Blob, debut: int, fin: int) -> Iterator[bytes]:
    """Yield plaintext bytes ``debut``..``fin`` (inclusive), decrypting only their segments."""
    if not 0 <= debut <= fin < blob.taille:
        raise ValueError("range outside the blob")
    dechiffreur = _dechiffreur(blob)
    premier, dernier = debut // blob.segment, fin // blob.segment
    try:
        segments = _segments(blob, dechiffreur, premier=premier, dernier=dernier)
        with closing(segments):
            for index, segment in zip(range(premier, dernier + 1), segments, strict=True):
                origine = index * blob.segment
                yield segment[max(debut - origine, 0) : fin - origine + 1]
    except BlobCorrompu as exc:
        raise BlobIllisible("corrompu", str(exc)) from exc


# --- Maintenance -------------------------------------------------------------------------------


def blob_verifier(blob: Blob) -> BlobIllisible | None:
    try:
        for _segment in blob_lire(blob, verifier_empreinte=True):
            pass
    except BlobIllisible as erreur:
        return erreur
    return None


def orphelins(*, avant: datetime | None = None, lot: int = 1000) -> Iterator[str]:
    """Stored objects without a row, older than ``avant`` (an object is written before the
    transaction that creates its row: see ``VAULT_GC_GRACE``). Rows are looked up ``lot``
    names at a time; only objects without a row have their date read."""
    avant = avant or timezone.now() - settings.VAULT_GC_GRACE
    noms = stockage.lister(PREFIXE)
    while paquet := list(islice(noms, lot)):
        connus = set(Blob.objects.filter(nom__in=paquet).values_list("nom", flat=True))
        for nom in paquet:
            if nom in connus:
                continue
            try:
                modifie = stockage.date_modification(nom)
            except FileNotFoundError:
                continue
            if timezone.is_naive(modifie):
                modifie = timezone.make_aware(modifie)
            if modifie < avant:
                yield nom


def orphelins_supprimer(*, avant: datetime | None = None) -> list[str]:
    """Delete the orphan objects (``orphelins``); return their names (random, never whose)."""
    noms = list(orphelins(avant=avant))
    for nom in noms:
        stockage.supprimer(nom)
    return noms


def cles_reenvelopper(*, lot: int = 500) -> int:
    """Re-wrap every data key not wrapped by the active key. Resumable and idempotent: each
    batch commits; running it again only touches what is left."""
    cles = trousseau()
    total = 0
    while True:
        with transaction.atomic():
            lignes = list(
                Blob.objects.select_for_update(skip_locked=True)
                .exclude(cle_id=cles.active)
                .order_by("id")[:lot]
            )
            if not lignes:
                return total
            for blob in lignes:
                nouvelle = cles.reenvelopper(
                    CleEnveloppee(cle_id=blob.cle_id, enveloppe=bytes(blob.cle_enveloppee)),
                    objet=blob.id,
                )
                blob.cle_id, blob.cle_enveloppee = nouvelle.cle_id, nouvelle.enveloppe
            Blob.objects.bulk_update(lignes, ["cle_id", "cle_enveloppee"])
            total += len(lignes)
