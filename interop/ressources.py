"""The resources the API serves, built from what the access package let through: a Patient
(identity only, no profile), and DocumentReferences built by the export's own code
(``ensemble.fhir_elements.champs_document``) with the API's attachment URL, status and labels."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from dossier.models import Document, Statut
from ensemble.fhir_elements import GENRES, TYPES_IDENTIFIANT, champs_document
from profil.models import Espace

# DMP code system TRE_A07 (visibility), as the PDSm guide puts it in ``securityLabel``.
SYSTEME_VISIBILITE = "urn:oid:1.2.250.1.213.1.1.4.13"
MASQUE_PS = "MASQUE_PS"
INVISIBLE_PATIENT = "INVISIBLE_PATIENT"
INVISIBLE_REPRESENTANTS = "INVISIBLE_REPRESENTANTS_LEGAUX"
STATUTS_SERVIS = (Statut.DISPONIBLE, Statut.EN_TRAITEMENT, Statut.ARCHIVE)
"""A refused deposit (``EN_ERREUR``) is never served: it is no document of the patient's."""


def url_absolue(request: HttpRequest, nom: str, *args: Any) -> str:
    return request.build_absolute_uri(reverse(f"interop:{nom}", args=args))


def reference_patient(espace: Espace) -> str:
    return f"Patient/{espace.uuid}"


def patient(espace: Espace) -> dict[str, Any]:
    """Who the space is for, as PDQm answers: the INS, names, sex and birth date."""
    noms: list[dict[str, Any]] = [
        {"use": "official", "family": espace.nom_naissance, "given": espace.prenoms.split()}
    ]
    if espace.nom_utilise:
        noms.append({"use": "usual", "family": espace.nom_utilise, "given": espace.prenoms.split()})
    return {
        "resourceType": "Patient",
        "id": str(espace.uuid),
        "identifier": [
            {
                "use": "official",
                "type": {
                    "coding": [{"system": TYPES_IDENTIFIANT, "code": "INS-NIR", "display": "NIR"}]
                },
                "system": f"urn:oid:{espace.ins_oid}",
                "value": espace.ins,
            }
        ],
        "name": noms,
        "gender": GENRES.get(espace.sexe, "unknown"),
        "birthDate": espace.date_naissance.isoformat(),
    }


def etiquettes(document: Document) -> list[dict[str, Any]]:
    codes = [
        code
        for code, present in (
            (MASQUE_PS, document.masque_ps),
            (INVISIBLE_PATIENT, document.invisible_patient),
            (INVISIBLE_REPRESENTANTS, document.invisible_representants),
        )
        if present
    ]
    return [{"coding": [{"system": SYSTEME_VISIBILITE, "code": code}]} for code in codes]


_OID = re.compile(r"[0-2](?:\.(?:0|[1-9][0-9]*))+")


def identifiant_unique(valeur: str) -> dict[str, str] | None:
    """The document's XDS uniqueId as ``masterIdentifier`` (an OID, or an OID^extension)."""
    if not valeur:
        return None
    racine = valeur.split("^", 1)[0]
    texte = f"urn:oid:{valeur}" if _OID.fullmatch(racine) and "^" not in valeur else valeur
    return {"system": "urn:ietf:rfc:3986", "value": texte}


def reference_document(request: HttpRequest, document: Document) -> dict[str, Any]:
    """A DocumentReference (ITI-67's answer, and what ITI-65 created): its attachment points
    to ITI-68 (``Binary``); ``docStatus`` says whether ingestion has checked it yet."""
    precedent = document.version_precedente
    champs = champs_document(
        document,
        patient=reference_patient(document.espace),
        url=url_absolue(request, "binaire", document.uuid),
        remplace=f"DocumentReference/{precedent.uuid}"
        if precedent is not None and precedent.statut in STATUTS_SERVIS
        else "",
    )
    ressource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": str(document.uuid),
        "masterIdentifier": identifiant_unique(document.identifiant_unique),
        **champs,
        "docStatus": "preliminary" if document.statut == Statut.EN_TRAITEMENT else "final",
        "securityLabel": etiquettes(document),
    }
    return {cle: valeur for cle, valeur in ressource.items() if valeur not in (None, "", [], {})}
