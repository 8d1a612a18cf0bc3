"""Structured lab reports (CR-BIO level 3, IHE PaLM entries) written by the tests, shaped like
the CI-SIS example: one act per report, its observations, their values and ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

import pytest

from dossier.models import Resultat, empreinte_analyse
from ensemble.demo import OID_INS_TEST

from ..conftest import en_ci


def fichier_partage(chemin: Path) -> bytes:
    """A national example file from ../shared/data; said clearly when absent (a failure in CI)."""
    if not chemin.exists():
        raison = f"{chemin} est absent : les exemples nationaux (../shared/data) sont nécessaires."
        if en_ci():
            pytest.fail(raison)
        pytest.skip(raison)
    return chemin.read_bytes()


@dataclass(frozen=True)
class Obs:
    code: str = "3016-3"
    libelle: str = "Thyréostimuline (TSH)"
    valeur: str | None = "1.95"
    unite: str | None = "m[IU]/L"
    type: str = "PQ"
    bas: str | None = "0.27"
    haut: str | None = "4.2"
    interpretation: str = "N"
    le: str = "20240115"
    methode: str = ""
    prelevement: str = ""
    xml_valeur: str = ""  # replaces the value element when given


def _observation(o: Obs) -> str:
    if o.xml_valeur:
        valeur = o.xml_valeur
    elif o.valeur is None:
        valeur = ""
    elif o.type == "PQ":
        unite = f' unit="{escape(o.unite)}"' if o.unite is not None else ""
        valeur = f'<value xsi:type="PQ" value="{escape(o.valeur)}"{unite}/>'
    elif o.type in {"CD", "CE"}:
        code = escape(o.valeur)
        valeur = f'<value xsi:type="{o.type}" code="{code}" displayName="{code}"/>'
    else:
        valeur = f'<value xsi:type="{o.type}" value="{escape(o.valeur)}"/>'
    reference = ""
    if o.bas is not None or o.haut is not None:
        bornes = "".join(
            f'<{nom} value="{escape(v)}" unit="{escape(o.unite or "1")}"/>'
            for nom, v in (("low", o.bas), ("high", o.haut))
            if v is not None
        )
        reference = (
            '<referenceRange typeCode="REFV"><observationRange classCode="OBS" moodCode="EVN.CRT">'
            f'<value xsi:type="IVL_PQ">{bornes}</value>'
            '<interpretationCode code="N" codeSystem="2.16.840.1.113883.5.83"/>'
            "</observationRange></referenceRange>"
        )
    methode = f'<methodCode displayName="{escape(o.methode)}"/>' if o.methode else ""
    prelevement = (
        "<specimen><specimenRole><specimenPlayingEntity>"
        f'<code code="X" displayName="{escape(o.prelevement)}"/>'
        "</specimenPlayingEntity></specimenRole></specimen>"
        if o.prelevement
        else ""
    )
    interpretation = (
        f'<interpretationCode code="{o.interpretation}" codeSystem="2.16.840.1.113883.5.83"/>'
        if o.interpretation
        else ""
    )
    temps = f'<effectiveTime value="{o.le}"/>' if o.le else ""
    return (
        '<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">'
        '<templateId root="1.3.6.1.4.1.19376.1.3.1.6"/>'
        f'<code code="{escape(o.code)}" displayName="{escape(o.libelle)}" '
        'codeSystem="2.16.840.1.113883.6.1"/>'
        f'<statusCode code="completed"/>{temps}{prelevement}{valeur}{interpretation}{methode}'
        f"{reference}</observation></entryRelationship>"
    )


def cr_bio(
    *,
    ins: str,
    observations: list[Obs],
    le: date = date(2024, 1, 15),
    oid_ins: str = OID_INS_TEST,
    identifiant: str = "1",
) -> bytes:
    """A CR-BIO level 3 for this INS holding these observations (and a narrative)."""
    corps = "".join(_observation(o) for o in observations)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="1.2.250.1.213.1.1.1.55"/>
  <id root="1.2.250.1.999.4" extension="CRBIO-{escape(identifiant)}"/>
  <code code="11502-2" codeSystem="2.16.840.1.113883.6.1" displayName="CR d'examens biologiques"/>
  <title>Compte rendu d'examens biologiques</title>
  <effectiveTime value="{le:%Y%m%d}"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <recordTarget><patientRole><id root="{oid_ins}" extension="{ins}"/>
    <patient><name><family>TEST</family><given>Camille</given></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="19850314"/></patient></patientRole></recordTarget>
  <author><time value="{le:%Y%m%d}"/><assignedAuthor>
    <id root="1.2.250.1.71.4.2.1" extension="810000336601"/>
    <assignedPerson><name><given>Marcel</given><family>BIOLOGISTE</family></name></assignedPerson>
    <representedOrganization><name>Laboratoire de test</name></representedOrganization>
  </assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization>
    <name>Laboratoire de test</name></representedCustodianOrganization></assignedCustodian>
  </custodian>
  <component><structuredBody><component><section>
    <templateId root="1.3.6.1.4.1.19376.1.3.3.2.1"/>
    <code code="18719-5" displayName="Biochimie" codeSystem="2.16.840.1.113883.6.1"/>
    <title>Biochimie</title><text><paragraph>Résultats</paragraph></text>
    <entry typeCode="DRIV"><templateId root="1.3.6.1.4.1.19376.1.3.1"/>
      <act classCode="ACT" moodCode="EVN">
        <code code="18719-5" codeSystem="2.16.840.1.113883.6.1"/>
        <statusCode code="completed"/>{corps}
      </act>
    </entry>
  </section></component></structuredBody></component>
</ClinicalDocument>""".encode()


def resultat(
    document,  # type: ignore[no-untyped-def]
    *,
    code: str = "3016-3",
    libelle: str = "TSH",
    valeur: str = "1.95",
    unite: str = "m[IU]/L",
    le: date = date(2024, 1, 15),
    rang: int = 1,
    **contenu: str,
) -> Resultat:
    """A result row of ``document`` (as ingestion stores it), for the page and policy tests."""
    import json

    valeurs = {"libelle": libelle, "genre": "nombre", "valeur": valeur, "unite": unite, **contenu}
    return Resultat.objects.create(
        espace_id=document.espace_id,
        document=document,
        rang=rang,
        code=code,
        analyse=empreinte_analyse(document.espace_id, code),
        date_observation=le,
        contenu=json.dumps(valeurs, ensure_ascii=False),
    )
