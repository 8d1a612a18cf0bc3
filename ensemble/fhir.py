"""The export's FHIR R4 (4.0.1) Bundle: the record of one space, as its holder (or a minor's
representative) sees it (docs/EXPORT.md has the mapping table).

Every resource is identified by the uuid of what it stands for, every entry's ``fullUrl`` is
``urn:uuid:<that uuid>`` and every reference points to such a ``fullUrl``: the Bundle is self
contained. A DocumentReference's attachment points to the original file inside the archive, by
its path relative to the archive's root, with its size and hash. What the actor may not read
is never loaded: the profile's entries come through ``entrees_profil_lisibles`` and the
documents are given by the caller, who found them through the one policy.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from dossier.models import Document, Source
from dossier.models import Statut as StatutDocument
from dossier.types import OID_LOINC, TypeDocument
from espace_sante.acces import AccesPatient, entrees_profil_lisibles
from professionnels.selectors import professionnels_de_l_espace
from profil import profil_medical as pm
from profil.carnet_vaccinal import LigneCarnet, carnet
from profil.codes_vaccins import OID_CIS, OID_UCD_CNAM
from profil.models import (
    Allergie,
    Antecedent,
    Espace,
    Mesure,
    NatureAntecedent,
    PersonneAPrevenir,
    Severite,
    Traitement,
    TypeMesure,
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


@dataclass(frozen=True)
class FichierExporte:
    """A document and where its original lies in the archive (``chemin``), with the SHA-1 of
    what was written there (base64, as FHIR R4's ``Attachment.hash`` wants it)."""

    document: Document
    chemin: str
    sha1: str


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


def bundle_construire(
    *,
    acces: AccesPatient,
    fichiers: Iterable[FichierExporte],
    identifiant: uuid.UUID,
    moment: datetime,
    directives_chemin: str = "",
) -> dict[str, Any]:
    """The Bundle (type ``collection``) of the space behind ``acces``, as JSON-ready data."""
    espace: Espace = acces.espace
    bundle = _Bundle(identifiant=identifiant, moment=moment)
    patient = _patient(bundle, acces)
    _documents(bundle, patient, list(fichiers))
    _allergies(bundle, patient, entrees_profil_lisibles(acces=acces, modele=Allergie))
    _traitements(bundle, patient, entrees_profil_lisibles(acces=acces, modele=Traitement))
    _antecedents(bundle, patient, entrees_profil_lisibles(acces=acces, modele=Antecedent))
    _vaccinations(bundle, patient, espace, carnet(acces=acces))
    _mesures(bundle, patient, entrees_profil_lisibles(acces=acces, modele=Mesure))
    directives = pm.unique(acces=acces, cle="directives")
    if directives is not None:
        _directives(bundle, patient, espace, directives, directives_chemin)
    _acces_professionnels(bundle, patient, espace)
    return bundle.json()


def _patient(bundle: _Bundle, acces: AccesPatient) -> str:
    espace: Espace = acces.espace
    noms = [{"use": "official", "family": espace.nom_naissance, "given": espace.prenoms.split()}]
    if espace.nom_utilise:
        noms.append({"use": "usual", "family": espace.nom_utilise, "given": espace.prenoms.split()})
    contacts = [
        _contact("C", "Emergency Contact", personne)
        for personne in entrees_profil_lisibles(acces=acces, modele=PersonneAPrevenir)
    ]
    confiance = pm.unique(acces=acces, cle="personne_confiance")
    if confiance is not None:
        contact = _contact("", "Personne de confiance", confiance)
        contacts.insert(0, contact)
    return bundle.ajouter(
        "Patient",
        espace.uuid,
        identifier=[
            {
                "use": "official",
                "type": {
                    "coding": [{"system": TYPES_IDENTIFIANT, "code": "INS-NIR", "display": "NIR"}]
                },
                "system": f"urn:oid:{espace.ins_oid}",
                "value": espace.ins,
            }
        ],
        name=noms,
        gender=GENRES.get(espace.sexe, "unknown"),
        birthDate=_jour(espace.date_naissance),
        deceasedDateTime=_jour(espace.deces_le),
        contact=contacts,
    )


def _contact(code: str, libelle: str, personne: Any) -> dict[str, Any]:
    relation = _concept(
        libelle + (f" ({personne.lien})" if personne.lien else ""),
        *(
            [{"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": code}]
            if code
            else []
        ),
    )
    telecom = []
    if personne.telephone:
        telecom.append({"system": "phone", "value": str(personne.telephone)})
    if getattr(personne, "courriel", ""):
        telecom.append({"system": "email", "value": str(personne.courriel)})
    return _sans_vides(
        {"relationship": [relation], "name": {"text": str(personne.nom)}, "telecom": telecom}
    )


def _documents(bundle: _Bundle, patient: str, fichiers: list[FichierExporte]) -> None:
    exportes = {fichier.document.pk for fichier in fichiers}
    for fichier in fichiers:
        document = fichier.document
        precedent = document.version_precedente_id
        bundle.ajouter(
            "DocumentReference",
            document.uuid,
            **champs_document(
                document,
                patient=patient,
                url=fichier.chemin,
                sha1=fichier.sha1,
                remplace=_url(document.version_precedente.uuid)
                if precedent is not None and precedent in exportes and document.version_precedente
                else "",
            ),
        )


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


def _consentement(
    bundle: _Bundle,
    identifiant: uuid.UUID,
    *,
    patient: str,
    statut: str,
    portee: tuple[str, str],
    categories: list[dict[str, Any]],
    regle: str,
    quand: datetime | date | None,
    **champs: Any,
) -> None:
    bundle.ajouter(
        "Consent",
        identifiant,
        status=statut,
        scope={
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": portee[0],
                    "display": portee[1],
                }
            ]
        },
        category=categories,
        patient={"reference": patient},
        dateTime=_instant(quand) if isinstance(quand, datetime) else _jour(quand),
        performer=[{"reference": patient}],
        # R4 invariant ppc-1: a policy or a policy rule.
        policyRule={
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": regle}
            ]
        },
        **champs,
    )


def _directives(
    bundle: _Bundle, patient: str, espace: Espace, directives: Any, chemin: str
) -> None:
    _consentement(
        bundle,
        uuid.uuid5(espace.uuid, "directives-anticipees"),
        patient=patient,
        statut="active",
        portee=("adr", "Advanced Care Directive"),
        categories=[
            _concept(
                "Directives anticipées",
                {"system": LOINC, "code": "75320-2", "display": "Advance directive"},
            )
        ],
        regle="OPTIN",
        quand=directives.fait_le,
        sourceAttachment=_sans_vides(
            {"contentType": "application/pdf", "url": chemin, "title": "Directives anticipées"}
        )
        if chemin
        else None,
    )


def _acces_professionnels(bundle: _Bundle, patient: str, espace: Espace) -> None:
    """Each professional the holder authorised, made médecin traitant, blocked, or whose grant
    ended: a Practitioner (RPPS) and a Consent that permits or denies them access."""
    for ligne in professionnels_de_l_espace(espace=espace):
        lien = ligne.lien
        if lien is None:  # only a running emergency access: no decision of the holder
            continue
        professionnel = ligne.professionnel
        praticien = bundle.ajouter(
            "Practitioner",
            professionnel.uuid,
            identifier=[
                {
                    "type": {"coding": [{"system": TYPES_IDENTIFIANT, "code": "IDNPS"}]},
                    "system": f"urn:oid:{OID_RPPS}",
                    "value": f"8{professionnel.rpps}",
                }
            ],
            name=[
                _sans_vides(
                    {
                        "family": professionnel.utilisateur.nom,
                        "given": [professionnel.utilisateur.prenom]
                        if professionnel.utilisateur.prenom
                        else [],
                        "text": professionnel.nom_affiche,
                    }
                )
            ],
            qualification=[{"code": _concept(professionnel.qualite)}],
        )
        if ligne.bloque:
            statut, genre, code, quand = "active", "deny", "bloque", lien.bloque_le
        elif ligne.medecin_traitant:
            statut, genre, code = "active", "permit", "medecin-traitant"
            quand = lien.medecin_traitant_depuis
        elif ligne.autorise:
            statut, genre, code, quand = "active", "permit", "autorise", lien.autorise_le
        else:  # expired or revoked
            statut, genre, code, quand = "inactive", "permit", "termine", lien.autorise_le
        fin = lien.revoque_le if code == "termine" and lien.revoque_le else lien.expire_le
        _consentement(
            bundle,
            uuid.uuid5(espace.uuid, f"acces:{professionnel.uuid}"),
            patient=patient,
            statut=statut,
            portee=("patient-privacy", "Privacy Consent"),
            categories=[
                _concept(
                    "Accès d'un professionnel au dossier",
                    {"system": LOINC, "code": "59284-0", "display": "Patient Consent"},
                    {"system": CS_ACCES, "code": code},
                )
            ],
            regle="OPTOUT" if genre == "deny" else "OPTIN",
            quand=quand,
            provision=_sans_vides(
                {
                    "type": genre,
                    "period": _sans_vides(
                        {
                            "start": _instant(lien.autorise_le)
                            if lien.autorise_le and genre == "permit"
                            else None,
                            "end": _instant(fin) if fin and genre == "permit" else None,
                        }
                    ),
                    "actor": [
                        {
                            "role": {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                        "code": "IRCP",
                                        "display": "information recipient",
                                    }
                                ]
                            },
                            "reference": {"reference": praticien},
                        }
                    ],
                }
            ),
        )
