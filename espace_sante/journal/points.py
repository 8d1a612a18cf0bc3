"""Sealed checkpoints kept outside the database, and the digest a holder downloads.

A checkpoint is an object of the vault's storage, written once under a new name
(``journal/points/<UTC time>-<uuid>.json.gz``, never overwritten; S3 Object Lock when asked),
signed with the active sealing key (Ed25519). It lists every chain ever checkpointed with its
sequence number and hash: a chain missing from the database, shorter than checkpointed, or whose
checkpointed event changed is a rewritten history (docs/JOURNAL.md).

Each checkpoint carries the previous one forward: a chain that vanished or was rewritten since
keeps its last good entry, so deleting a chain cannot be laundered by the next checkpoint.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models import Q
from storages.utils import clean_name

from espace_sante.coffre import stockage

from .models import ChaineJournal, Evenement
from .sceaux import CleDeScellementAbsente, cle_publique_brute, encoder_b64, sceaux

logger = logging.getLogger(__name__)

PREFIXE = "journal/points/"
TYPE_POINT = "espace-sante/journal/point-de-controle"
TYPE_EMPREINTE = "espace-sante/journal/empreinte"
_LOT = 200


def canonique(valeurs: Mapping[str, Any]) -> bytes:
    return json.dumps(valeurs, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _maintenant() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Point:
    nom: str
    horodatage: str
    chaines: dict[str, tuple[int, str]]


@dataclass(frozen=True)
class LecturePoint:
    """The latest checkpoint whose signature holds (or None), and why later ones were set
    aside."""

    point: Point | None
    rejets: list[str]


# --- Reading -----------------------------------------------------------------------------------


def _lire(nom: str) -> Point | str:
    """The checkpoint, or why it cannot be trusted."""
    try:
        with stockage.ouvrir(nom) as fichier:
            document = json.loads(gzip.decompress(fichier.read()))
        contenu, cle_id, signature = document["contenu"], document["cle"], document["signature"]
    except (OSError, ValueError, KeyError, TypeError):
        return "illisible"
    try:
        valide = sceaux().signature_valide(canonique(contenu), cle_id=cle_id, signature=signature)
    except CleDeScellementAbsente:
        return f"signé par la clé « {cle_id} », qui n'est pas chargée"
    if not valide or contenu.get("type") != TYPE_POINT:
        return "signature invalide (point de contrôle falsifié)"
    chaines = {cle: (int(rang), str(h)) for cle, (rang, h) in contenu["chaines"].items()}
    return Point(nom=nom, horodatage=contenu["horodatage"], chaines=chaines)


def points_lister() -> list[str]:
    return sorted(n for n in stockage.lister(PREFIXE) if n.endswith(".json.gz"))


def dernier_point() -> LecturePoint:
    """The latest trustworthy checkpoint: later ones that do not verify are reported."""
    rejets: list[str] = []
    for nom in reversed(points_lister()):
        lu = _lire(nom)
        if isinstance(lu, Point):
            return LecturePoint(point=lu, rejets=rejets)
        rejets.append(f"point de contrôle {nom} : {lu}")
    return LecturePoint(point=None, rejets=rejets)


# --- Writing -----------------------------------------------------------------------------------


def point_de_controle_ecrire() -> str:
    """Write a new checkpoint of every chain head; return its name."""
    precedent = dernier_point()
    for rejet in precedent.rejets:
        logger.error("journal: %s", rejet)
    anciens = precedent.point.chaines if precedent.point else {}
    chaines = dict(anciens)
    tetes = ChaineJournal.objects.values_list("cle", "dernier_rang", "dernier_hash", "sceau")
    valides: dict[str, tuple[int, str]] = {}
    scelles = sceaux()
    for cle, rang, h, sceau in tetes.iterator(chunk_size=2000):
        try:
            if sceau and scelles.tete_scellee(sceau, chaine=cle, rang=rang, hash=h):
                valides[cle] = (rang, h)
        except CleDeScellementAbsente:
            pass
    a_prolonger: dict[str, tuple[int, str]] = {}
    for cle, actuel in valides.items():
        ancien = anciens.get(cle)
        if ancien is None or ancien == actuel:
            chaines[cle] = actuel
        elif actuel[0] > ancien[0]:
            a_prolonger[cle] = ancien
    for cle in _prolongent(a_prolonger):
        chaines[cle] = valides[cle]
    ecarts = sum(1 for cle, entree in chaines.items() if valides.get(cle) != entree)
    if ecarts:  # unsealed heads, or chains that vanished or were rewritten: run verify_journal
        logger.error("journal: %d chain(s) not checkpointed as they stand: last good kept", ecarts)
    moment = datetime.now(UTC)
    contenu = {
        "type": TYPE_POINT,
        "version": 1,
        "horodatage": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "precedent": precedent.point.nom if precedent.point else "",
        "chaines": {cle: list(v) for cle, v in sorted(chaines.items())},
    }
    cle_id, signature = scelles.signer(canonique(contenu))
    document = {"contenu": contenu, "cle": cle_id, "signature": signature}
    nom = f"{PREFIXE}{moment:%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex}.json.gz"
    _deposer(nom, gzip.compress(canonique(document)), moment)
    return nom


def _prolongent(anciens: Mapping[str, tuple[int, str]]) -> Iterator[str]:
    """The chains whose event at the checkpointed sequence number still has the checkpointed
    hash (they grew since; they were not rewritten)."""
    cles = list(anciens)
    for debut in range(0, len(cles), _LOT):
        lot = cles[debut : debut + _LOT]
        filtre = reduce(or_, (Q(chaine=c, rang=anciens[c][0]) for c in lot))
        for cle, h in Evenement.objects.filter(filtre).values_list("chaine", "hash"):
            if anciens[cle][1] == h:
                yield cle


def _deposer(nom: str, donnees: bytes, moment: datetime) -> None:
    """Write once: S3 with Object Lock retention when asked; a read-only file otherwise."""
    storage = stockage.stockage()
    if stockage._est_s3(storage):
        parametres: dict[str, Any] = {
            "Key": storage._normalize_name(clean_name(nom)),  # type: ignore[attr-defined]
            "Body": donnees,
            "ContentType": "application/gzip",
        }
        jours = settings.JOURNAL_POINT_RETENTION_DAYS
        if jours > 0:
            parametres["ObjectLockMode"] = "COMPLIANCE"
            parametres["ObjectLockRetainUntilDate"] = moment + timedelta(days=jours)
        storage.bucket.put_object(**parametres)  # type: ignore[attr-defined]
        return
    stockage.ecrire(nom, iter([donnees]), len(donnees))
    if isinstance(storage, FileSystemStorage):
        os.chmod(storage.path(nom), 0o444)


# --- The holder's digest -----------------------------------------------------------------------


def empreinte_espace(*, espace_uuid: uuid.UUID) -> dict[str, Any]:
    """A signed statement of the space's history as it stands: sequence number and hash."""
    tete = ChaineJournal.objects.filter(cle=str(espace_uuid)).first()
    contenu = {
        "type": TYPE_EMPREINTE,
        "version": 1,
        "espace": str(espace_uuid),
        "rang": tete.dernier_rang if tete else 0,
        "hash": tete.dernier_hash if tete else "",
        "horodatage": _maintenant(),
    }
    scelles = sceaux()
    cle_id, signature = scelles.signer(canonique(contenu))
    publique = encoder_b64(cle_publique_brute(scelles.cle_publique(cle_id)))
    return {"contenu": contenu, "cle": cle_id, "cle_publique": publique, "signature": signature}


def empreinte_verifier(document: Mapping[str, Any]) -> list[str]:
    """What is wrong with a digest or with the journal since it was signed (empty: all good)."""
    try:
        contenu, cle_id = document["contenu"], document["cle"]
        valide = sceaux().signature_valide(
            canonique(contenu), cle_id=cle_id, signature=document["signature"]
        )
        espace, rang, h = str(contenu["espace"]), int(contenu["rang"]), str(contenu["hash"])
    except CleDeScellementAbsente:
        return [f"empreinte signée par la clé « {document['cle']} », qui n'est pas chargée"]
    except (KeyError, TypeError, ValueError):
        return ["fichier d'empreinte illisible"]
    if not valide or contenu.get("type") != TYPE_EMPREINTE:
        return ["signature invalide : cette empreinte n'a pas été délivrée par Espace Santé"]
    if rang == 0:
        return []
    stocke = Evenement.objects.filter(chaine=espace, rang=rang).values_list("hash", flat=True)
    if list(stocke) != [h]:
        return [f"historique réécrit ou tronqué depuis cette empreinte (rang {rang})"]
    return []


def chaines_attendues(point: Point | None, chaines: Iterable[str] | None) -> dict[str, Any]:
    if point is None:
        return {}
    if chaines is None:
        return dict(point.chaines)
    return {c: point.chaines[c] for c in chaines if c in point.chaines}
