"""Reading one line from the insurer: validated field by field, amounts in integer cents.

A line that does not pass raises ``LigneInvalide`` whose ``motif`` names the field only (it is
shown to operators and logged: never the value, which may be health data)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..models import NatureRemboursement

SYSTEMES = frozenset({"CIP13", "UCD", "NGAP", "CCAM", "NABM", "GHS", "LPP"})
_IDENTIFIANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9./ -]{0,29}")
_MONTANT = re.compile(r"-?[0-9]{1,9}(?:\.[0-9]{1,2})?")
LONGUEUR_MAX = 64 * 1024


class LigneInvalide(Exception):
    def __init__(self, motif: str, identifiant: str = "") -> None:
        super().__init__(motif)
        self.motif = motif
        self.identifiant = identifiant


@dataclass(frozen=True)
class LigneLue:
    identifiant: str
    date_soins: date
    nature: str
    systeme: str
    code: str
    atc: str
    libelle: str
    professionnel: str
    quantite: int
    paye: int  # cents
    base: int
    rembourse: int
    reste_a_charge: int

    @property
    def codes(self) -> str:
        codes = {"systeme": self.systeme, "code": self.code}
        if self.atc:
            codes["atc"] = self.atc
        return json.dumps(codes, ensure_ascii=False)


def centimes(valeur: Any, champ: str, identifiant: str = "") -> int:
    """A decimal string in euros ("12.5", "12.50") as integer cents; never through a float."""
    if not isinstance(valeur, str) or not _MONTANT.fullmatch(valeur):
        raise LigneInvalide(f"montant invalide : {champ}", identifiant)
    try:
        return int(Decimal(valeur) * 100)
    except InvalidOperation as exc:  # pragma: no cover (the pattern already checks)
        raise LigneInvalide(f"montant invalide : {champ}", identifiant) from exc


def _texte(donnees: dict[str, Any], champ: str, maximum: int, identifiant: str) -> str:
    valeur = donnees.get(champ, "")
    if not isinstance(valeur, str) or len(valeur) > maximum:
        raise LigneInvalide(f"champ invalide : {champ}", identifiant)
    return " ".join(valeur.split())


def lire_ligne(brute: str) -> LigneLue:
    if len(brute) > LONGUEUR_MAX:
        raise LigneInvalide("ligne trop longue")
    try:
        donnees = json.loads(brute)
    except ValueError as exc:
        raise LigneInvalide("JSON illisible") from exc
    if not isinstance(donnees, dict):
        raise LigneInvalide("ligne qui n'est pas un objet JSON")
    identifiant = donnees.get("id")
    if not isinstance(identifiant, str) or not _IDENTIFIANT.fullmatch(identifiant):
        raise LigneInvalide("identifiant absent ou invalide")
    try:
        date_soins = date.fromisoformat(str(donnees.get("date", "")))
    except ValueError as exc:
        raise LigneInvalide("date invalide", identifiant) from exc
    if date_soins > timezone.localdate() + timedelta(days=1) or date_soins.year < 1950:
        raise LigneInvalide("date hors limites", identifiant)
    nature = donnees.get("nature")
    if nature not in NatureRemboursement.values:
        raise LigneInvalide("nature inconnue", identifiant)
    systeme = donnees.get("systeme")
    if systeme not in SYSTEMES:
        raise LigneInvalide("système de codage inconnu", identifiant)
    code = donnees.get("code")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise LigneInvalide("code invalide", identifiant)
    atc = _texte(donnees, "atc", 10, identifiant)
    libelle = _texte(donnees, "libelle", 300, identifiant)
    if not libelle:
        raise LigneInvalide("libellé absent", identifiant)
    professionnel = _texte(donnees, "professionnel", 200, identifiant)
    quantite = donnees.get("quantite", 1)
    if not isinstance(quantite, int) or isinstance(quantite, bool) or not 1 <= quantite <= 9999:
        raise LigneInvalide("quantité invalide", identifiant)
    montants = {
        champ: centimes(donnees.get(champ), champ, identifiant)
        for champ in ("paye", "base", "rembourse", "reste_a_charge")
    }
    if min(montants.values()) < 0 or montants["rembourse"] > montants["paye"]:
        raise LigneInvalide("montants incohérents", identifiant)
    if montants["paye"] - montants["rembourse"] != montants["reste_a_charge"]:
        raise LigneInvalide("montants incohérents (reste à charge)", identifiant)
    return LigneLue(
        identifiant=identifiant,
        date_soins=date_soins,
        nature=nature,
        systeme=systeme,
        code=code,
        atc=atc,
        libelle=libelle,
        professionnel=professionnel,
        quantite=quantite,
        **montants,
    )


def empreinte_professionnel(nom: str) -> str:
    """A keyed digest of a professional's name (case and spaces ignored): the page filters by
    professional on it without the name in clear."""
    normalise = " ".join(nom.casefold().split())
    if not normalise:
        return ""
    return salted_hmac(
        "espace_sante.remboursements.professionnel", normalise, algorithm="sha256"
    ).hexdigest()
