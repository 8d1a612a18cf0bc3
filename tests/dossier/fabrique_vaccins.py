"""Vaccination notes the tests write themselves, shaped like the CI-SIS VAC-NOTE examples."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from dossier.models import Source
from dossier.services import document_creer
from espace_sante.journal.services import Acteur

OID_INS_TEST = "1.2.250.1.213.1.4.10"
OID_ATC = "2.16.840.1.113883.6.73"
OID_CIS = "1.2.250.1.213.2.3.1"


@dataclass(frozen=True)
class Injection:
    """One ``substanceAdministration``. ``le``: the ``effectiveTime`` value ("" → nullFlavor);
    ``atc``/``cis``: (code, display name) or None; ``nom``: ``manufacturedMaterial/name``."""

    le: str = "20160115"
    atc: tuple[str, str] | None = ("J07BD52", "rougeole, oreillons, rubéole")
    cis: tuple[str, str] | None = None
    nom: str = "PRIORIX, poudre et solvant pour solution injectable"
    lot: str = "A12B"
    rang: int | None = 1
    acte: str = "INITIMMUNIZ"
    vaccinateur: tuple[str, str] = ("Claire", "PIQUER")
    humeur: str = "EVN"
    negation: bool = False
    modele: bool = True  # carries the FR-Vaccination / IHE entry templates


ROR_1 = Injection()
ROR_2 = Injection(le="20160520", lot="C34D", rang=2)
HEXA_1 = Injection(
    le="20150310",
    atc=("J07CA09", "diphtérie-Hib-coqueluche-polio-tétanos-hépatite B"),
    nom="INFANRIX HEXA",
    lot="H1",
)


def _code(injection: Injection) -> str:
    principal, traductions = injection.cis, [injection.atc] if injection.atc else []
    if principal is None and injection.atc is not None:
        principal, traductions = injection.atc, []
    if principal is None:
        return "<code nullFlavor='UNK'/>"
    systeme = OID_CIS if principal is injection.cis else OID_ATC
    traduites = "".join(
        f"<translation code={quoteattr(c)} displayName={quoteattr(n)} codeSystem='{OID_ATC}'/>"
        for c, n in traductions
        if c
    )
    return (
        f"<code code={quoteattr(principal[0])} displayName={quoteattr(principal[1])} "
        f"codeSystem='{systeme}'>{traduites}</code>"
    )


def _entree(injection: Injection) -> str:
    moment = (
        f"<effectiveTime value={quoteattr(injection.le)}/>"
        if injection.le
        else "<effectiveTime nullFlavor='UNK'/>"
    )
    modeles = (
        "<templateId root='1.3.6.1.4.1.19376.1.5.3.1.4.12'/>"
        "<templateId root='1.2.250.1.213.1.1.3.45'/>"
        if injection.modele
        else ""
    )
    rang = (
        "<entryRelationship typeCode='SUBJ'><observation classCode='OBS' moodCode='EVN'>"
        "<code code='30973-2' codeSystem='2.16.840.1.113883.6.1'/>"
        f"<statusCode code='completed'/><value xsi:type='INT' value='{injection.rang}'/>"
        "</observation></entryRelationship>"
        if injection.rang is not None
        else ""
    )
    prenom, nom = injection.vaccinateur
    negation = "true" if injection.negation else "false"
    return f"""<entry><substanceAdministration classCode="SBADM"
      moodCode={quoteattr(injection.humeur)} negationInd="{negation}">
      {modeles}
      <code code={quoteattr(injection.acte)} codeSystem="2.16.840.1.113883.5.4"/>
      <statusCode code="completed"/>{moment}
      <consumable><manufacturedProduct><manufacturedMaterial>{_code(injection)}
        <name>{escape(injection.nom)}</name><lotNumberText>{escape(injection.lot)}</lotNumberText>
      </manufacturedMaterial></manufacturedProduct></consumable>
      <performer typeCode="PRF"><assignedEntity>
        <id root="1.2.250.1.71.4.2.1" extension="810000000001"/>
        <assignedPerson><name><given>{escape(prenom)}</given><family>{escape(nom)}</family></name>
        </assignedPerson></assignedEntity></performer>{rang}
    </substanceAdministration></entry>"""


def note_de_vaccination(
    *,
    ins: str,
    injections: tuple[Injection, ...] = (ROR_1, ROR_2),
    le: date = date(2026, 1, 10),
    titre: str = "Note de vaccination",
    oid_ins: str = OID_INS_TEST,
    code_section: str = "11369-6",
    code_document: str = "87273-9",
) -> bytes:
    """A CDA R2 vaccination note (VAC-NOTE), with a "Vaccins recommandés" section whose
    intended vaccine (moodCode INT) is not a vaccination."""
    entrees = "".join(_entree(i) for i in injections)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="1.2.250.1.213.1.1.1.46" extension="2023.01"/>
  <id root="1.2.250.1.999.2" extension="TEST-VAC-{le:%Y%m%d}"/>
  <code code="{code_document}" codeSystem="2.16.840.1.113883.6.1" displayName="{escape(titre)}"/>
  <title>{escape(titre)}</title>
  <effectiveTime value="{le:%Y%m%d}"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <recordTarget><patientRole>
    <id root="{oid_ins}" extension="{ins}"/>
    <patient><name><family>TEST</family><given>Léo</given></name>
      <administrativeGenderCode code="M" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="20150110"/></patient>
  </patientRole></recordTarget>
  <author><time value="{le:%Y%m%d}"/><assignedAuthor>
    <id root="1.2.250.1.71.4.2.1" extension="810000000001"/>
    <assignedPerson><name><given>Claire</given><family>PIQUER</family></name></assignedPerson>
    <representedOrganization><name>Cabinet de test</name></representedOrganization>
  </assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization>
    <name>Cabinet de test</name>
  </representedCustodianOrganization></assignedCustodian></custodian>
  <component><structuredBody>
    <component><section>
      <code code="{code_section}" codeSystem="2.16.840.1.113883.6.1"/>
      <title>Vaccinations</title><text><paragraph>Vaccinations réalisées</paragraph></text>
      {entrees}
    </section></component>
    <component><section>
      <templateId root="1.3.6.1.4.1.19376.1.5.3.1.1.18.3.1"/>
      <code code="18776-5" codeSystem="2.16.840.1.113883.6.1"/>
      <title>Vaccins recommandés</title><text>Un rappel ROR</text>
      {_entree(Injection(le="20300101", humeur="INT", lot="", rang=None))}
    </section></component>
  </structuredBody></component>
</ClinicalDocument>""".encode()


def deposer_note(espace: Any, contenu: bytes | None = None, **champs: Any) -> Any:
    """A vaccination note from a professional's software (``document_creer``): its ingestion
    is queued for the commit. ``contenu``: the note (by default ROR doses 1 and 2)."""

    return document_creer(
        espace=espace,
        contenu=contenu or note_de_vaccination(ins=espace.ins),
        nom_fichier="vac-note.xml",
        titre=champs.pop("titre", "Note de vaccination"),
        date_acte=date(2026, 1, 10),
        type_code="87273-9",
        auteur=Acteur(type="professionnel", id="810000000001", nom="Dr Claire PIQUER"),
        source=Source.PROFESSIONNEL,
        media_type="text/xml",
        **champs,
    )
