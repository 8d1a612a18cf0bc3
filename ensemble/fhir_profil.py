"""The medical profile in the export's FHIR Bundle: allergies, treatments, history, the
vaccinations of the carnet and the measures, each as the resource FHIR R4 has for it
(docs/EXPORT.md has the mapping table)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from profil.carnet_vaccinal import LigneCarnet
from profil.codes_vaccins import OID_CIS, OID_UCD_CNAM
from profil.models import (
    Allergie,
    Antecedent,
    Espace,
    Mesure,
    NatureAntecedent,
    Traitement,
    TypeMesure,
)

from .fhir_elements import (
    CS_ANTECEDENT,
    CS_VACCIN,
    GRAVITES,
    LABORATOIRE,
    LOINC,
    SIGNES_VITAUX,
    _Bundle,
    _concept,
    _instant,
    _jour,
    _quantite,
    _sans_vides,
)


@dataclass(frozen=True)
class CodeMesure:
    loinc: str
    libelle: str
    unite: str  # UCUM
    categorie: dict[str, str]


MESURES = {
    TypeMesure.POIDS: CodeMesure("29463-7", "Body weight", "kg", SIGNES_VITAUX),
    TypeMesure.TAILLE: CodeMesure("8302-2", "Body height", "cm", SIGNES_VITAUX),
    TypeMesure.TOUR_DE_TAILLE: CodeMesure("8280-0", "Waist Circumference", "cm", SIGNES_VITAUX),
    TypeMesure.TENSION: CodeMesure("85354-9", "Blood pressure panel", "mm[Hg]", SIGNES_VITAUX),
    TypeMesure.FREQUENCE_CARDIAQUE: CodeMesure("8867-4", "Heart rate", "/min", SIGNES_VITAUX),
    TypeMesure.GLYCEMIE: CodeMesure(
        "1558-6", "Fasting glucose [Mass/volume] in Serum or Plasma", "g/L", LABORATOIRE
    ),
    TypeMesure.TEMPERATURE: CodeMesure("8310-5", "Body temperature", "Cel", SIGNES_VITAUX),
}
SYSTOLIQUE = ("8480-6", "Systolic blood pressure")
DIASTOLIQUE = ("8462-4", "Diastolic blood pressure")


def _allergies(bundle: _Bundle, patient: str, allergies: Iterable[Allergie]) -> None:
    for allergie in allergies:
        reaction = _sans_vides(
            {
                "manifestation": [_concept(str(allergie.reaction))] if allergie.reaction else [],
                "severity": GRAVITES.get(allergie.severite),  # type: ignore[call-overload]
            }
        )
        bundle.ajouter(
            "AllergyIntolerance",
            allergie.uuid,
            clinicalStatus={
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                        "code": "active",
                    }
                ]
            },
            code=_concept(str(allergie.substance)),
            patient={"reference": patient},
            onsetDateTime=_jour(allergie.depuis),
            recordedDate=_instant(allergie.cree_le),
            # R4 wants at least one manifestation in a reaction: no reaction without one.
            reaction=[reaction] if "manifestation" in reaction else [],
        )


def _traitements(bundle: _Bundle, patient: str, traitements: Iterable[Traitement]) -> None:
    for traitement in traitements:
        bundle.ajouter(
            "MedicationStatement",
            traitement.uuid,
            status="active",
            medicationCodeableConcept=_concept(str(traitement.medicament)),
            subject={"reference": patient},
            effectivePeriod={"start": _jour(traitement.depuis)} if traitement.depuis else None,
            dateAsserted=_instant(traitement.cree_le),
            note=[{"text": f"Prescrit par {traitement.prescripteur}"}]
            if traitement.prescripteur
            else [],
            dosage=[{"text": str(traitement.dose)}] if traitement.dose else [],
        )


def _antecedents(bundle: _Bundle, patient: str, antecedents: Iterable[Antecedent]) -> None:
    """Medical and surgical history: Condition (a problem-list item); family history:
    FamilyMemberHistory (it is not the patient's condition), the relative left unspecified."""
    for antecedent in antecedents:
        nature = {"system": CS_ANTECEDENT, "code": antecedent.nature}
        note = [{"text": str(antecedent.precision)}] if antecedent.precision else []
        if antecedent.nature == NatureAntecedent.FAMILIAL:
            bundle.ajouter(
                "FamilyMemberHistory",
                antecedent.uuid,
                status="completed",
                patient={"reference": patient},
                date=_jour(antecedent.date),
                relationship={
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                            "code": "FAMMEMB",
                            "display": "family member",
                        }
                    ]
                },
                condition=[_sans_vides({"code": _concept(str(antecedent.libelle)), "note": note})],
            )
            continue
        bundle.ajouter(
            "Condition",
            antecedent.uuid,
            category=[
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                            "code": "problem-list-item",
                        },
                        nature,
                    ]
                }
            ],
            code=_concept(str(antecedent.libelle)),
            subject={"reference": patient},
            onsetDateTime=_jour(antecedent.date),
            recordedDate=_instant(antecedent.cree_le),
            note=note,
        )


# The vaccine code systems a document may use (profil/codes_vaccins.py names them), as FHIR
# writes them; another system's OID is written ``urn:oid:``.
SYSTEMES_VACCINS = {
    "ATC": "http://www.whocc.no/atc",
    "CVX": "http://hl7.org/fhir/sid/cvx",
    "CIS": f"urn:oid:{OID_CIS}",
    "CIP": "urn:oid:1.2.250.1.213.2.3.2",
    "UCD": f"urn:oid:{OID_UCD_CNAM}",
}


def _codage_vaccin(code: str) -> dict[str, str] | None:
    """``"ATC J07BD52"`` (a code read from a document, as stored) as a FHIR coding."""
    systeme, _, valeur = code.strip().partition(" ")
    if not valeur:
        return None
    if systeme in SYSTEMES_VACCINS:
        return {"system": SYSTEMES_VACCINS[systeme], "code": valeur}
    if all(partie.isdigit() for partie in systeme.split(".")):
        return {"system": f"urn:oid:{systeme}", "code": valeur}
    return None


def _vaccinations(bundle: _Bundle, patient: str, espace: Espace, lignes: list[LigneCarnet]) -> None:
    """One Immunization per line of the carnet: a vaccination the holder noted and a document
    records is one, not two (as the carnet shows it), with the codes its documents give."""
    for ligne in lignes:
        famille = {"system": CS_VACCIN, "code": ligne.famille, "display": ligne.libelle}
        codages = [c for c in map(_codage_vaccin, ligne.codes) if c is not None]
        identifiant = (
            ligne.saisie.uuid
            if ligne.saisie is not None
            else uuid.uuid5(
                uuid.NAMESPACE_URL, f"vaccination:{espace.uuid}:{ligne.famille}:{ligne.date}"
            )
        )
        saisi_par_pro = ligne.saisie is not None and ligne.saisie.saisi_par_type == "professionnel"
        bundle.ajouter(
            "Immunization",
            identifiant,
            status="completed",
            vaccineCode=_concept(
                ", ".join(ligne.produits) or ligne.libelle,
                famille,
                *{tuple(c.items()): c for c in codages}.values(),
            ),
            patient={"reference": patient},
            occurrenceDateTime=_jour(ligne.date),
            recorded=_instant(ligne.saisie.cree_le) if ligne.saisie is not None else None,
            primarySource=bool(ligne.documents) or saisi_par_pro,
            lotNumber=ligne.lots[0] if ligne.lots else None,
            performer=[{"actor": {"display": nom}} for nom in ligne.vaccinateurs],
            protocolApplied=([{"doseNumberPositiveInt": ligne.rang}] if ligne.rang else []),
            note=[
                {"text": f"Relevée dans le document « {source.titre} »"}
                for source in ligne.documents
            ],
        )


def _mesures(bundle: _Bundle, patient: str, mesures: Iterable[Mesure]) -> None:
    for mesure in mesures:
        code = MESURES[TypeMesure(mesure.type)]
        champs: dict[str, Any] = {}
        if mesure.type == TypeMesure.TENSION:
            champs["component"] = [
                {
                    "code": _concept(nom, {"system": LOINC, "code": loinc, "display": nom}),
                    "valueQuantity": _quantite(valeur, code.unite),
                }
                for (loinc, nom), valeur in [
                    (SYSTOLIQUE, mesure.valeur),
                    (DIASTOLIQUE, mesure.valeur_basse),
                ]
                if valeur is not None
            ]
        else:
            champs["valueQuantity"] = _quantite(mesure.valeur, code.unite)
        bundle.ajouter(
            "Observation",
            mesure.uuid,
            status="final",
            category=[
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            **code.categorie,
                        }
                    ]
                }
            ],
            code=_concept(
                str(mesure.get_type_display()),
                {"system": LOINC, "code": code.loinc, "display": code.libelle},
            ),
            subject={"reference": patient},
            effectiveDateTime=_jour(mesure.date),
            **champs,
        )
