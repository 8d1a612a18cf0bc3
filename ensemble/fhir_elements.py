"""The building blocks of the FHIR R4 resources Espace Santé writes (the export's Bundle,
``ensemble/fhir.py``, and the API's resources, ``interop/``): code systems, data types, the
Bundle under construction, and a DocumentReference's fields."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dossier.models import Document, Source
from dossier.models import Statut as StatutDocument
from dossier.types import OID_LOINC, TypeDocument
from profil.models import (
    Severite,
)

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
TYPES_IDENTIFIANT = "http://interopsante.org/CodeSystem/fr-v2-0203"
OID_RPPS = "1.2.250.1.71.4.2.1"
# This project's own code systems, for what no standard one names.
BASE = "https://espace-sante.example/fhir"
CS_CATEGORIE = f"{BASE}/CodeSystem/categorie-document"
CS_VACCIN = f"{BASE}/CodeSystem/famille-vaccin"
CS_ANTECEDENT = f"{BASE}/CodeSystem/nature-antecedent"
CS_ACCES = f"{BASE}/CodeSystem/acces-professionnel"
EXT_SHA256 = f"{BASE}/StructureDefinition/attachment-sha256"

GENRES = {"F": "female", "M": "male", "U": "unknown"}
GRAVITES = {Severite.LEGERE: "mild", Severite.MODEREE: "moderate", Severite.SEVERE: "severe"}
SIGNES_VITAUX = {"code": "vital-signs", "display": "Vital Signs"}
LABORATOIRE = {"code": "laboratory", "display": "Laboratory"}


def _url(identifiant: uuid.UUID | str) -> str:
    return f"urn:uuid:{identifiant}"


def _instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _jour(jour: date | None) -> str | None:
    return jour.isoformat() if jour else None


def _quantite(valeur: Decimal, unite: str) -> dict[str, Any]:
    return {"value": float(valeur), "unit": unite, "system": UCUM, "code": unite}


def _concept(texte: str, *codages: dict[str, str]) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": texte}
    if codages:
        concept["coding"] = list(codages)
    return concept


def _sans_vides(valeurs: dict[str, Any]) -> dict[str, Any]:
    """FHIR forbids empty elements: drop the keys whose value is None, '' or empty."""
    return {cle: valeur for cle, valeur in valeurs.items() if valeur not in (None, "", [], {})}


class _Bundle:
    def __init__(self, *, identifiant: uuid.UUID, moment: datetime) -> None:
        self.entrees: list[dict[str, Any]] = []
        self.identifiant = identifiant
        self.moment = moment

    def ajouter(self, type_ressource: str, identifiant: uuid.UUID | str, **champs: Any) -> str:
        ressource = {"resourceType": type_ressource, "id": str(identifiant), **champs}
        self.entrees.append({"fullUrl": _url(identifiant), "resource": _sans_vides(ressource)})
        return _url(identifiant)

    def json(self) -> dict[str, Any]:
        return {
            "resourceType": "Bundle",
            "id": str(self.identifiant),
            "meta": {"lastUpdated": _instant(self.moment)},
            "identifier": {"system": "urn:ietf:rfc:3986", "value": _url(self.identifiant)},
            "type": "collection",
            "timestamp": _instant(self.moment),
            "entry": self.entrees,
        }


def champs_document(
    document: Document, *, patient: str, url: str, sha1: str = "", remplace: str = ""
) -> dict[str, Any]:
    """A DocumentReference's elements for ``document`` (the export's, and the API's: ITI-67):
    its type, category, subject (``patient``, a reference), author, title, the version it
    replaces (``remplace``, a reference) and its attachment at ``url`` (with its SHA-1 when
    known, as R4's ``Attachment.hash`` wants it, and its SHA-256 in an extension)."""
    auteur: dict[str, Any] = {"display": document.auteur_nom}
    if document.source == Source.PATIENT and document.auteur_type == "titulaire":
        auteur = {"reference": patient, "display": document.auteur_nom}
    return {
        "status": "superseded" if document.statut == StatutDocument.ARCHIVE else "current",
        "type": _type_document(document.type_document),
        "category": [
            _concept(
                str(document.get_categorie_display()),
                {"system": CS_CATEGORIE, "code": document.categorie},
            )
        ],
        "subject": {"reference": patient},
        "date": _instant(document.cree_le),
        "author": [auteur],
        "description": document.titre,
        "relatesTo": [{"code": "replaces", "target": {"reference": remplace}}] if remplace else [],
        "content": [
            {
                "attachment": _sans_vides(
                    {
                        "extension": [{"url": EXT_SHA256, "valueString": document.sha256}]
                        if document.sha256
                        else [],
                        "contentType": document.media_type or "application/octet-stream",
                        "url": url,
                        "size": document.taille,
                        "hash": sha1,
                        "title": document.nom_fichier or document.titre,
                        "creation": _jour(document.date_acte),
                    }
                )
            }
        ],
        "context": {"period": {"start": _jour(document.date_acte)}},
    }


_OID = re.compile(r"[0-2](?:\.(?:0|[1-9][0-9]*))+")


def _systeme(systeme: str) -> str:
    """A code system as FHIR names it: LOINC by its URI, an OID as ``urn:oid:``, a URI as it
    is; nothing for a name that is neither (J07 writes "ASTM" for E1762)."""
    if systeme == OID_LOINC:
        return LOINC
    if _OID.fullmatch(systeme):
        return f"urn:oid:{systeme}"
    if systeme.startswith(("http://", "https://", "urn:")):
        return systeme
    return ""


def _type_document(type_document: TypeDocument) -> dict[str, Any]:
    """The document's real type: its coding as J07 gives it (system, code, the nomenclature's
    label), or as the document stated a code J07 does not know; the label people read as
    text."""
    codage = {
        "system": _systeme(type_document.systeme),
        "code": type_document.code,
        "display": type_document.libelle_officiel,
    }
    return _concept(type_document.libelle, {k: v for k, v in codage.items() if v})
