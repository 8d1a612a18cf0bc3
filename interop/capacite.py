"""What the API serves, written once: the CapabilityStatement is built from this table, the
views accept exactly these search parameters, and a test checks the URL configuration against
it (tests/interop/test_capacite.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

OPERATIONS_PARTAGEES = ("_count", "_offset")


@dataclass(frozen=True)
class Parametre:
    nom: str
    type: str
    documentation: str


@dataclass(frozen=True)
class Ressource:
    type: str
    interactions: tuple[str, ...]
    parametres: tuple[Parametre, ...] = ()
    profil: str = ""
    documentation: str = ""

    @property
    def noms_parametres(self) -> set[str]:
        return {p.nom for p in self.parametres}


MHD = "https://profiles.ihe.net/ITI/MHD/StructureDefinition"
RESSOURCES = (
    Ressource(
        "Patient",
        ("read", "search-type"),
        (
            Parametre(
                "identifier",
                "token",
                "INS : urn:oid:1.2.250.1.213.1.4.8|<NIR> (ou les OID de test 1.2.250.1.213.1.4.10 "
                "et de démonstration 1.2.250.1.213.1.4.11). Un patient que le professionnel ne "
                "peut pas consulter n'est pas trouvé.",
            ),
        ),
        documentation=(
            "Recherche d'un patient par son INS (à la manière de PDQm), et lecture du patient "
            "que désigne DocumentReference.subject."
        ),
    ),
    Ressource(
        "DocumentReference",
        ("read", "search-type"),
        (
            Parametre("patient.identifier", "token", "INS du patient (obligatoire, ou patient)."),
            Parametre("patient", "reference", "Patient/<id> renvoyé par la recherche de patient."),
            Parametre("status", "token", "current | superseded"),
            Parametre("type", "token", "Type de document (LOINC, JDV_J07)."),
            Parametre("category", "token", "Catégorie du document (voir docs/API.md)."),
            Parametre("date", "date", "Date de dépôt, avec préfixe eq, ne, ge, le, gt, lt."),
            Parametre(
                "author.identifier",
                "token",
                "RPPS de l'auteur (urn:oid:1.2.250.1.71.4.2.1|8<RPPS>).",
            ),
            Parametre("_count", "number", "Entrées par page (20 par défaut)."),
            Parametre("_offset", "number", "Rang de la première entrée (pagination)."),
        ),
        profil=f"{MHD}/IHE.MHD.Minimal.DocumentReference",
        documentation="ITI-67 Find Document References, et lecture d'une référence.",
    ),
    Ressource(
        "Binary",
        ("read",),
        documentation="ITI-68 Retrieve Document : le fichier, avec Range (206, 416).",
    ),
)
PAR_TYPE = {r.type: r for r in RESSOURCES}
INTERACTIONS_SYSTEME = ("transaction",)


def declaration_capacites(*, base: str) -> dict[str, Any]:
    """The CapabilityStatement (R4) of this server."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "Espace Santé",
        "kind": "instance",
        "software": {"name": "Espace Santé"},
        "implementation": {"description": "API FHIR des logiciels de professionnels", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "implementationGuide": [
            "https://profiles.ihe.net/ITI/MHD/ImplementationGuide/ihe.iti.mhd",
            "https://interop.esante.gouv.fr/ig/fhir/pdsm",
        ],
        "rest": [
            {
                "mode": "server",
                "documentation": "Voir docs/API.md.",
                "security": {
                    "cors": False,
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": (
                        "OAuth 2.0, code d'autorisation avec PKCE (S256), au nom d'un "
                        "professionnel connecté ; portées read et deposit."
                    ),
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            "extension": [
                                {"url": "authorize", "valueUri": f"{base}/o/authorize/"},
                                {"url": "token", "valueUri": f"{base}/o/token/"},
                                {"url": "revoke", "valueUri": f"{base}/o/revoke_token/"},
                            ],
                        }
                    ],
                },
                "resource": [
                    {
                        "type": r.type,
                        **({"supportedProfile": [r.profil]} if r.profil else {}),
                        "documentation": r.documentation,
                        "interaction": [{"code": i} for i in r.interactions],
                        **(
                            {
                                "searchParam": [
                                    {
                                        "name": p.nom,
                                        "type": p.type,
                                        "documentation": p.documentation,
                                    }
                                    for p in r.parametres
                                ]
                            }
                            if r.parametres
                            else {}
                        ),
                    }
                    for r in RESSOURCES
                ],
                "interaction": [
                    {
                        "code": i,
                        "documentation": (
                            "ITI-65 Provide Document Bundle (lot de soumission PDSm) ; pièce "
                            f"jointe de {settings.VAULT_MAX_UPLOAD // (1024 * 1024)} Mo au plus."
                        ),
                    }
                    for i in INTERACTIONS_SYSTEME
                ],
            }
        ],
    }
