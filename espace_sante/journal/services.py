"""Writing to the journal, and verifying its chains."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.utils import timezone

from . import points
from .models import Action, ChaineJournal, Evenement, TypeActeur
from .sceaux import CleDeScellementAbsente, sceaux

CHAINE_PLATEFORME = "plateforme"
NON_SCELLEE = "tête de chaîne non scellée"


@dataclass(frozen=True)
class Acteur:
    """Who acts: kind, id and display name (as shown in the activity history)."""

    type: str
    id: str = ""
    nom: str = ""

    @classmethod
    def systeme(cls, nom: str = "Espace Santé") -> Acteur:
        return cls(type=TypeActeur.SYSTEME, id="", nom=nom)

    @classmethod
    def anonyme(cls) -> Acteur:
        return cls(type=TypeActeur.ANONYME, id="", nom="")

    @classmethod
    def pour_utilisateur(cls, utilisateur: Any, type: str) -> Acteur:
        return cls(type=type, id=str(utilisateur.uuid), nom=utilisateur.nom_affiche)


def cle_chaine(*, espace_uuid: uuid.UUID | None, compte_uuid: uuid.UUID | None = None) -> str:
    if espace_uuid is not None:
        return str(espace_uuid)
    if compte_uuid is not None:
        return f"compte:{compte_uuid}"
    return CHAINE_PLATEFORME


def _canonique(valeurs: Mapping[str, Any]) -> bytes:
    return json.dumps(valeurs, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _horodatage_canonique(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def calculer_hash(evenement: Evenement) -> str:
    valeurs = {
        "chaine": evenement.chaine,
        "rang": evenement.rang,
        "espace": str(evenement.espace_uuid) if evenement.espace_uuid else "",
        "horodatage": _horodatage_canonique(evenement.horodatage),
        "action": evenement.action,
        "acteur_type": evenement.acteur_type,
        "acteur_id": evenement.acteur_id,
        "acteur_nom": evenement.acteur_nom,
        "objet_type": evenement.objet_type,
        "objet_id": evenement.objet_id,
        "ip": evenement.ip or "",
        "details": evenement.details,
        "precedent": evenement.hash_precedent,
    }
    return hashlib.sha256(_canonique(valeurs)).hexdigest()


def evenement_enregistrer(
    *,
    action: Action | str,
    acteur: Acteur,
    espace_uuid: uuid.UUID | None = None,
    compte_uuid: uuid.UUID | None = None,
    objet_type: str = "",
    objet_id: str = "",
    ip: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> Evenement:
    """Append one event to its chain. Details must never hold health content or secrets.

    The chain's head row serialises appends: it is locked from the moment the sequence number is
    taken until the transaction ends, and the timestamp is read once the lock is held, so that
    sequence numbers, links and timestamps follow one another in every chain. Inside a caller's
    transaction no savepoint is made: a failed append fails the whole change it records."""
    action = Action(action)  # an unknown action is refused (ValueError): the column takes any text
    details = dict(details or {})
    json.dumps(details)  # refuse what cannot be hashed canonically
    cle = cle_chaine(espace_uuid=espace_uuid, compte_uuid=compte_uuid)
    evenement = Evenement(
        chaine=cle,
        espace_uuid=espace_uuid,
        action=str(action),
        acteur_type=acteur.type,
        acteur_id=acteur.id,
        acteur_nom=acteur.nom[:200],
        objet_type=objet_type,
        objet_id=str(objet_id),
        ip=ip or None,
        details=details,
    )
    connexion = connections[router.db_for_write(Evenement)]
    with transaction.atomic(using=connexion.alias, savepoint=False):
        if connexion.vendor == "postgresql":
            _ajouter_postgresql(connexion, evenement)
        else:
            _ajouter(evenement)
    return evenement


def _chainer(evenement: Evenement, rang: int, precedent: str) -> str:
    """Link the event after ``precedent``; return the head's new seal."""
    evenement.rang = rang
    evenement.hash_precedent = precedent
    evenement.horodatage = timezone.now()  # the head is locked: after the previous event's
    evenement.hash = calculer_hash(evenement)
    return sceaux().sceller_tete(chaine=evenement.chaine, rang=rang, hash=evenement.hash)


def _ajouter(evenement: Evenement) -> None:
    """Any database: create the head if need be, lock it, read it, insert, update it."""
    ChaineJournal.objects.bulk_create([ChaineJournal(cle=evenement.chaine)], ignore_conflicts=True)
    tete = ChaineJournal.objects.select_for_update().get(cle=evenement.chaine)
    tete.sceau = _chainer(evenement, tete.dernier_rang + 1, tete.dernier_hash)
    evenement.save()
    tete.dernier_rang = evenement.rang
    tete.dernier_hash = evenement.hash
    tete.save(update_fields=["dernier_rang", "dernier_hash", "sceau"])


def _ajouter_postgresql(connexion: BaseDatabaseWrapper, evenement: Evenement) -> None:
    """Two statements instead of five. The first creates the head or, if it exists, locks it
    and takes the next sequence number (``ON CONFLICT DO UPDATE`` locks the row, waiting for a
    concurrent append to commit, and returns its latest committed state): it returns the new
    number and the hash still in the head, the previous event's. The second inserts the event and
    moves the head's hash and seal forward. Every value goes through its field's own conversion."""
    avancer, ajouter, champs = _REQUETES.get(connexion.alias) or _requetes(connexion)
    with connexion.cursor() as curseur:
        curseur.execute(avancer, [evenement.chaine])
        rang, precedent = curseur.fetchone()
        sceau = _chainer(evenement, rang, precedent)
        valeurs = [
            champ.get_db_prep_save(getattr(evenement, champ.attname), connexion) for champ in champs
        ]
        curseur.execute(ajouter, [*valeurs, evenement.hash, sceau, evenement.chaine])
        (evenement.pk,) = curseur.fetchone()
    evenement._state.adding = False
    evenement._state.db = connexion.alias


_REQUETES: dict[str, tuple[str, str, list[Field[Any, Any]]]] = {}


def _requetes(connexion: BaseDatabaseWrapper) -> tuple[str, str, list[Field[Any, Any]]]:
    nom = connexion.ops.quote_name
    tete, table = nom(ChaineJournal._meta.db_table), nom(Evenement._meta.db_table)
    champs = [champ for champ in Evenement._meta.concrete_fields if not champ.primary_key]
    colonnes = ", ".join(nom(str(champ.column)) for champ in champs)
    avancer = (
        f"INSERT INTO {tete} AS tete (cle, dernier_rang, dernier_hash, sceau) "  # noqa: S608 (no value in the text)
        "VALUES (%s, 1, '', '') ON CONFLICT (cle) "
        "DO UPDATE SET dernier_rang = tete.dernier_rang + 1 RETURNING dernier_rang, dernier_hash"
    )
    ajouter = (
        f"WITH evenement AS (INSERT INTO {table} ({colonnes}) "  # noqa: S608 (no value in the text)
        f"VALUES ({', '.join(['%s'] * len(champs))}) RETURNING id) "
        f"UPDATE {tete} SET dernier_hash = %s, sceau = %s FROM evenement WHERE cle = %s "
        "RETURNING evenement.id"
    )
    _REQUETES[connexion.alias] = avancer, ajouter, champs
    return avancer, ajouter, champs


@dataclass(frozen=True)
class Anomalie:
    chaine: str
    rang: int
    message: str

    def __str__(self) -> str:
        return f"chaîne {self.chaine}, rang {self.rang} : {self.message}"


def journal_verifier(*, chaines: list[str] | None = None) -> Iterator[Anomalie]:
    """Yield every anomaly: altered, removed, inserted or reordered events, a cut tail, a head
    whose seal does not hold, and any difference from the latest checkpoint kept in the storage
    (a chain deleted, cut below, or rewritten before its checkpointed event)."""
    lecture = points.dernier_point()
    for rejet in lecture.rejets:
        yield Anomalie("points de contrôle", 0, rejet)
    attendus = points.chaines_attendues(lecture.point, chaines)
    date_point = lecture.point.horodatage if lecture.point else ""
    tetes = ChaineJournal.objects.order_by("cle")
    cles_evenements = set(Evenement.objects.values_list("chaine", flat=True).distinct())
    if chaines is not None:
        tetes = tetes.filter(cle__in=chaines)
        cles_evenements &= set(chaines)
    vues: set[str] = set()
    for tete in tetes.iterator():
        vues.add(tete.cle)
        yield from _verifier_chaine(tete, attendus.get(tete.cle), date_point)
    for cle in sorted(cles_evenements - vues):
        yield Anomalie(cle, 0, "événements sans tête de chaîne")
    for cle in sorted(set(attendus) - vues - cles_evenements):
        rang = attendus[cle][0]
        yield Anomalie(cle, rang, f"chaîne absente, présente au point de contrôle du {date_point}")


def _verifier_chaine(
    tete: ChaineJournal, attendu: tuple[int, str] | None, date_point: str
) -> Iterator[Anomalie]:
    attendu_rang, precedent, moment = 1, "", None
    for ev in Evenement.objects.filter(chaine=tete.cle).order_by("rang").iterator(chunk_size=2000):
        if ev.rang != attendu_rang:
            yield Anomalie(tete.cle, attendu_rang, f"rang {ev.rang} trouvé : événement supprimé")
            attendu_rang = ev.rang
        if ev.hash_precedent != precedent:
            yield Anomalie(tete.cle, ev.rang, "le lien vers l'événement précédent est rompu")
        if calculer_hash(ev) != ev.hash:
            yield Anomalie(tete.cle, ev.rang, "contenu modifié (empreinte différente)")
        if moment is not None and ev.horodatage < moment:
            yield Anomalie(tete.cle, ev.rang, "horodatage antérieur au précédent (réordonné)")
        if attendu is not None and ev.rang == attendu[0] and ev.hash != attendu[1]:
            yield Anomalie(
                tete.cle, ev.rang, f"différent du point de contrôle du {date_point} (réécrit)"
            )
        precedent, moment, attendu_rang = ev.hash, ev.horodatage, ev.rang + 1
    if tete.dernier_rang != attendu_rang - 1 or tete.dernier_hash != precedent:
        yield Anomalie(tete.cle, attendu_rang, "fin de chaîne absente (événements supprimés)")
    if attendu is not None and attendu_rang - 1 < attendu[0]:
        yield Anomalie(
            tete.cle,
            attendu[0],
            f"chaîne plus courte qu'au point de contrôle du {date_point} (fin coupée)",
        )
    yield from _verifier_sceau(tete)


def _verifier_sceau(tete: ChaineJournal) -> Iterator[Anomalie]:
    if not tete.sceau:
        yield Anomalie(tete.cle, tete.dernier_rang, NON_SCELLEE)
        return
    try:
        valide = sceaux().tete_scellee(
            tete.sceau, chaine=tete.cle, rang=tete.dernier_rang, hash=tete.dernier_hash
        )
    except CleDeScellementAbsente as absente:
        yield Anomalie(tete.cle, tete.dernier_rang, f"clé de scellement « {absente} » non chargée")
        return
    if not valide:
        yield Anomalie(tete.cle, tete.dernier_rang, "sceau de la tête invalide (tête réécrite)")


def tetes_sceller(*, chaines: list[str] | None = None) -> tuple[int, int]:
    """(Re)seal with the active key every head whose chain verifies whole (the upgrade to sealed
    heads, or retiring an old key): ``(sealed, refused)``. A head sealed under another loaded key
    is sealed again only if its seal holds; an unsealed one is trusted as it stands."""
    lecture = points.dernier_point()
    attendus = points.chaines_attendues(lecture.point, chaines)
    actif = sceaux().active
    scellees = refusees = 0
    tetes = ChaineJournal.objects.exclude(sceau__startswith=f"{actif}:").order_by("cle")
    if chaines is not None:
        tetes = tetes.filter(cle__in=chaines)
    date_point = lecture.point.horodatage if lecture.point else ""
    for tete in tetes.iterator():
        anomalies = [
            a
            for a in _verifier_chaine(tete, attendus.get(tete.cle), date_point)
            if a.message != NON_SCELLEE
        ]
        if anomalies:
            refusees += 1
            continue
        with transaction.atomic():
            verrou = ChaineJournal.objects.select_for_update().get(cle=tete.cle)
            if (verrou.dernier_rang, verrou.dernier_hash) != (tete.dernier_rang, tete.dernier_hash):
                continue  # an append sealed it meanwhile
            verrou.sceau = sceaux().sceller_tete(
                chaine=tete.cle, rang=tete.dernier_rang, hash=tete.dernier_hash
            )
            verrou.save(update_fields=["sceau"])
            scellees += 1
    return scellees, refusees
