"""Structured lab reports for the ingestion bench (``--kinds cda-bio``): CR-BIO level 3 shaped
like the CI-SIS example (IHE PaLM entries), 20 coded results each — LOINC code, a number in
its UCUM unit, the reference range, the interpretation, the method — for one space's INS.
Written here, from the bench's own table: no third-party file."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

# (LOINC, label, UCUM unit, low, high, usual value)
ANALYSES_CODEES = (
    ("718-7", "Hémoglobine", "g/dL", 12.0, 16.0, 13.8),
    ("4544-3", "Hématocrite", "%", 36.0, 46.0, 41.0),
    ("6690-2", "Leucocytes", "10*9/L", 4.0, 10.0, 6.5),
    ("777-3", "Plaquettes", "10*9/L", 150.0, 400.0, 250.0),
    ("2345-7", "Glycémie à jeun", "g/L", 0.70, 1.10, 0.92),
    ("2160-0", "Créatinine", "umol/L", 45.0, 90.0, 70.0),
    ("62238-1", "DFG (CKD-EPI)", "mL/min/{1.73_m2}", 90.0, 140.0, 98.0),
    ("2951-2", "Sodium", "mmol/L", 135.0, 145.0, 140.0),
    ("2823-3", "Potassium", "mmol/L", 3.5, 5.0, 4.2),
    ("2093-3", "Cholestérol total", "g/L", 1.5, 2.0, 1.9),
    ("2085-9", "HDL-cholestérol", "g/L", 0.4, 0.8, 0.55),
    ("13457-7", "LDL-cholestérol", "g/L", 0.5, 1.6, 1.1),
    ("2571-8", "Triglycérides", "g/L", 0.35, 1.5, 0.9),
    ("1920-8", "ASAT", "U/L", 5.0, 35.0, 22.0),
    ("1742-6", "ALAT", "U/L", 5.0, 45.0, 25.0),
    ("2324-2", "Gamma-GT", "U/L", 5.0, 40.0, 28.0),
    ("3016-3", "TSH", "m[IU]/L", 0.27, 4.2, 1.9),
    ("1988-5", "CRP", "mg/L", 0.0, 5.0, 2.0),
    ("2276-4", "Ferritine", "ug/L", 15.0, 150.0, 80.0),
    ("4548-4", "HbA1c", "%", 4.0, 6.0, 5.4),
)


def _observation(rang: int, variante: int, le: date) -> str:
    code, libelle, unite, bas, haut, usuelle = ANALYSES_CODEES[rang]
    valeur = round(usuelle * (0.8 + ((variante * 7 + rang * 13) % 9) / 20), 2)
    drapeau = "H" if valeur > haut else "L" if valeur < bas else "N"
    return (
        '<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN">'
        '<templateId root="1.3.6.1.4.1.19376.1.3.1.6"/>'
        '<templateId root="1.2.250.1.213.1.1.3.80"/>'
        f'<code code="{code}" displayName="{libelle}" codeSystem="2.16.840.1.113883.6.1"'
        f' codeSystemName="LOINC"><originalText><reference value="#r{rang}"/></originalText>'
        '</code><statusCode code="completed"/>'
        f'<effectiveTime value="{le:%Y%m%d}0735+0100"/>'
        f'<value xsi:type="PQ" value="{valeur}" unit="{unite}"/>'
        f'<interpretationCode code="{drapeau}" codeSystem="2.16.840.1.113883.5.83"/>'
        '<methodCode displayName="Automate"/>'
        '<referenceRange typeCode="REFV"><observationRange classCode="OBS" moodCode="EVN.CRT">'
        f'<value xsi:type="IVL_PQ"><low value="{bas}" unit="{unite}"/>'
        f'<high value="{haut}" unit="{unite}"/></value>'
        '<interpretationCode code="N" codeSystem="2.16.840.1.113883.5.83"/>'
        "</observationRange></referenceRange></observation></entryRelationship>"
    )


def cr_bio(espace: Any, variante: int) -> bytes:
    """A CR-BIO level 3 for this space's INS: its 20 results, their table in the narrative."""
    le = date(2026, 1, 1) + timedelta(days=variante % 60)
    lignes = "".join(
        f'<tr><td><content ID="r{rang}">{libelle}</content></td><td>{unite}</td></tr>'
        for rang, (_code, libelle, unite, *_reste) in enumerate(ANALYSES_CODEES)
    )
    observations = "".join(_observation(rang, variante, le) for rang in range(len(ANALYSES_CODEES)))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="2.16.840.1.113883.2.8.2.1"/>
  <templateId root="1.2.250.1.213.1.1.1.1"/>
  <templateId root="1.3.6.1.4.1.19376.1.3.3"/>
  <templateId root="1.2.250.1.213.1.1.1.55"/>
  <id root="1.2.250.1.999.5" extension="BENCH-CRBIO-{espace.pk}-{variante}"/>
  <code code="11502-2" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC"
    displayName="CR d'examens biologiques"/>
  <title>Compte rendu d'examens biologiques</title>
  <effectiveTime value="{le:%Y%m%d}171000+0100"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <setId root="1.2.250.1.999.5" extension="BENCH-CRBIO-{espace.pk}-{variante}"/>
  <versionNumber value="1"/>
  <recordTarget><patientRole><id root="{espace.ins_oid}" extension="{espace.ins}"/>
    <patient><name><family qualifier="BR">BENCH</family><given>Camille</given></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="19790328"/></patient></patientRole></recordTarget>
  <author><time value="{le:%Y%m%d}"/><assignedAuthor>
    <id root="1.2.250.1.71.4.2.1" extension="801234534765"/>
    <assignedPerson><name><given>Marcel</given><family>BIOLOGISTE</family></name>
    </assignedPerson>
    <representedOrganization><name>Laboratoire du bench</name></representedOrganization>
  </assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization>
    <name>Laboratoire du bench</name></representedCustodianOrganization></assignedCustodian>
  </custodian>
  <component><structuredBody><component><section>
    <templateId root="1.3.6.1.4.1.19376.1.3.3.2.1"/>
    <templateId root="1.2.250.1.213.1.1.2.70"/>
    <code code="18719-5" displayName="Biochimie" codeSystem="2.16.840.1.113883.6.1"/>
    <title>BIOCHIMIE</title>
    <text><table><thead><tr><th>Analyse</th><th>Unité</th></tr></thead>
      <tbody>{lignes}</tbody></table></text>
    <entry typeCode="DRIV"><templateId root="1.3.6.1.4.1.19376.1.3.1"/>
      <templateId root="1.2.250.1.213.1.1.3.21"/>
      <act classCode="ACT" moodCode="EVN">
        <code code="18719-5" displayName="Biochimie" codeSystem="2.16.840.1.113883.6.1"/>
        <statusCode code="completed"/>{observations}
      </act>
    </entry>
  </section></component></structuredBody></component>
</ClinicalDocument>""".encode()
