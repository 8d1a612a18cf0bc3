"""Writing to the journal, and verifying its chains."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Action, ChaineJournal, Evenement, TypeActeur

CHAINE_PLATEFORME = "plateforme"


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
    """Append one event to its chain. Details must never hold health content or secrets."""
    details = dict(details or {})
    json.dumps(details)  # refuse what cannot be hashed canonically
    cle = cle_chaine(espace_uuid=espace_uuid, compte_uuid=compte_uuid)
    with transaction.atomic():
        ChaineJournal.objects.bulk_create([ChaineJournal(cle=cle)], ignore_conflicts=True)
        tete = ChaineJournal.objects.select_for_update().get(cle=cle)
        evenement = Evenement(
            chaine=cle,
            rang=tete.dernier_rang + 1,
            espace_uuid=espace_uuid,
            horodatage=timezone.now(),
            action=str(action),
            acteur_type=acteur.type,
            acteur_id=acteur.id,
            acteur_nom=acteur.nom[:200],
            objet_type=objet_type,
            objet_id=str(objet_id),
            ip=ip or None,
            details=details,
            hash_precedent=tete.dernier_hash,
        )
        evenement.hash = calculer_hash(evenement)
        evenement.save()
        tete.dernier_rang = evenement.rang
        tete.dernier_hash = evenement.hash
        tete.save(update_fields=["dernier_rang", "dernier_hash"])
    return evenement


@dataclass(frozen=True)
class Anomalie:
    chaine: str
    rang: int
    message: str

    def __str__(self) -> str:
        return f"chaîne {self.chaine}, rang {self.rang} : {self.message}"


def journal_verifier(*, chaines: list[str] | None = None) -> Iterator[Anomalie]:
    """Yield every anomaly: altered, removed, inserted or reordered events, or a cut tail."""
    tetes = ChaineJournal.objects.order_by("cle")
    cles_evenements = set(Evenement.objects.values_list("chaine", flat=True).distinct())
    if chaines is not None:
        tetes = tetes.filter(cle__in=chaines)
        cles_evenements &= set(chaines)
    vues: set[str] = set()
    for tete in tetes.iterator():
        vues.add(tete.cle)
        yield from _verifier_chaine(tete)
    for cle in sorted(cles_evenements - vues):
        yield Anomalie(cle, 0, "événements sans tête de chaîne")


def _verifier_chaine(tete: ChaineJournal) -> Iterator[Anomalie]:
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
        precedent, moment, attendu_rang = ev.hash, ev.horodatage, ev.rang + 1
    if tete.dernier_rang != attendu_rang - 1 or tete.dernier_hash != precedent:
        yield Anomalie(tete.cle, attendu_rang, "fin de chaîne absente (événements supprimés)")
