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

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dossier.models import Document
from espace_sante.acces import AccesPatient, entrees_profil_lisibles
from professionnels.selectors import professionnels_de_l_espace
from profil import profil_medical as pm
from profil.carnet_vaccinal import carnet
from profil.models import (
    Allergie,
    Antecedent,
    Espace,
    Mesure,
    PersonneAPrevenir,
    Traitement,
)

from .fhir_elements import (
    CS_ACCES,
    GENRES,
    LOINC,
    OID_RPPS,
    TYPES_IDENTIFIANT,
    _Bundle,
    _concept,
    _instant,
    _jour,
    _sans_vides,
    _url,
    champs_document,
)
from .fhir_profil import (
    _allergies,
    _antecedents,
    _mesures,
    _traitements,
    _vaccinations,
)


@dataclass(frozen=True)
class FichierExporte:
    """A document and where its original lies in the archive (``chemin``), with the SHA-1 of
    what was written there (base64, as FHIR R4's ``Attachment.hash`` wants it)."""

    document: Document
    chemin: str
    sha1: str


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
