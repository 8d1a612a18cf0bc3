"""Reimbursement lines read from CNAM-HR documents ("Données de remboursement", type REMB).

When: not at ingestion (the ingestion job is another module's, and most documents are not
REMB) but lazily, the first time the space's Remboursements page is shown or its sync runs
after the document became available. Each document is read once (``LectureRemboursementsCDA``
records it, with the number of lines), with the project's hardened CDA parser
(dossier/formats/cda/analyse.py: no DTD, no entity, no network). Its lines are stored like the
insurer's, encrypted, marked with their source document, and shown only while that document is
visible to the reader.

A line's ``identifiant`` is a digest of the entry (kind, coding system, code, date,
professional) and of its rank among identical entries of the document: reading the document
again, or another CNAM-HR document covering the same period, adds nothing twice."""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from datetime import date
from html import escape

from django.db import IntegrityError, transaction
from django.db.models import Q

from espace_sante.coffre.services import BlobIllisible, blob_lire
from espace_sante.lib.formulations import compte
from profil.models import Espace

from ..formats.cda.analyse import CDAInvalide
from ..formats.cda.cnam_hr import EntreeRemboursement, entrees_remboursement
from ..models import (
    Document,
    LectureRemboursementsCDA,
    LigneRemboursement,
    Nature,
    OrigineRemboursement,
    Source,
    Statut,
)
from .lignes import empreinte_professionnel

logger = logging.getLogger(__name__)
TYPE_REMB = "REMB"


def documents_lire(*, espace: Espace) -> int:
    """Read the space's CNAM-HR documents not read yet; the number of lines added. A patient's
    own deposit is typed by the patient, not by its CDA code: its CDA is read too (once)."""
    a_lire = (
        Document.objects.presents()
        .filter(espace=espace, nature=Nature.CDA, statut=Statut.DISPONIBLE)
        .filter(Q(type_code=TYPE_REMB) | Q(source=Source.PATIENT))
        .filter(lecture_remboursements__isnull=True)
        .select_related("blob")
    )
    return sum(document_lire(document=document) for document in a_lire)


def _cle(entree: EntreeRemboursement, rang: int) -> str:
    valeurs = [entree.nature, entree.systeme, entree.code, entree.date.isoformat()]
    valeurs += [" ".join(entree.professionnel.casefold().split()), str(rang)]
    return "cda-" + hashlib.sha256("|".join(valeurs).encode()).hexdigest()[:48]


def document_lire(*, document: Document) -> int:
    erreur, entrees = "", []
    if document.blob is None:
        erreur = "document sans contenu"
    else:
        try:
            donnees = b"".join(blob_lire(document.blob))
            entrees = entrees_remboursement(donnees)
        except (CDAInvalide, BlobIllisible) as exc:
            erreur = type(exc).__name__
    vues: Counter[tuple[str, str, str, date, str]] = Counter()
    lignes = []
    for entree in entrees:
        cle = (entree.nature, entree.systeme, entree.code, entree.date, entree.professionnel)
        vues[cle] += 1
        lignes.append(
            LigneRemboursement(
                espace_id=document.espace_id,
                identifiant=_cle(entree, vues[cle]),
                origine=OrigineRemboursement.DOCUMENT,
                document=document,
                date_soins=entree.date,
                nature=entree.nature,
                libelle=entree.libelle,
                codes=json.dumps(
                    {"systeme": entree.systeme, "code": entree.code}
                    | ({"atc": entree.atc} if entree.atc else {}),
                    ensure_ascii=False,
                ),
                professionnel=entree.professionnel,
                professionnel_empreinte=empreinte_professionnel(entree.professionnel),
                quantite=entree.quantite,
            )
        )
    try:
        with transaction.atomic():
            LectureRemboursementsCDA.objects.create(
                document=document, lignes=len(lignes), erreur=erreur
            )
            avant = LigneRemboursement.objects.filter(espace_id=document.espace_id).count()
            LigneRemboursement.objects.bulk_create(lignes, ignore_conflicts=True)
            ajoutees = (
                LigneRemboursement.objects.filter(espace_id=document.espace_id).count() - avant
            )
    except IntegrityError:  # read at the same moment by another request: done there
        return 0
    if erreur:
        logger.warning("remboursements : document %s illisible (%s)", document.uuid, erreur)
    return ajoutees


# --- A CNAM-HR document, written by the project (tests and demo; no third-party file) ---------

_SECTIONS = {
    "pharmacie": ("10160-0", "", "Médicaments"),
    "consultation": ("29554-3", "67803-7", "Soins médicaux et dentaires"),
    "dentaire": ("29554-3", "67803-7", "Soins médicaux et dentaires"),
    "biologie": ("29554-3", "26436-6", "Biologie"),
    "radiologie": ("29554-3", "18726-0", "Radiologie"),
    "hospitalisation": ("46240-8", "", "Hospitalisations"),
}
_OIDS = {
    "CIP13": "1.2.250.1.215.200.1.1.1",
    "NGAP": "1.2.250.1.215.200.3.3",
    "CCAM": "1.2.250.1.215.200.3.4",
    "NABM": "1.2.250.1.215.200.4.1",
    "GHS": "1.2.250.1.215.200.3.1",
}


def _entree_xml(e: EntreeRemboursement) -> str:
    code = f'code="{escape(e.code)}" displayName="{escape(e.libelle)}"'
    systeme = f'codeSystem="{_OIDS[e.systeme]}"'
    organisation = (
        "<performer><assignedEntity><id nullFlavor='UNK'/><representedOrganization>"
        f"<name>{escape(e.professionnel)}</name></representedOrganization></assignedEntity>"
        "</performer>"
    )
    if e.nature == "pharmacie":
        return (
            '<substanceAdministration classCode="SBADM" moodCode="EVN"><consumable>'
            f"<manufacturedProduct><manufacturedMaterial><code><translation {code} {systeme}/>"
            f'<translation code="{escape(e.atc)}" codeSystem="1.2.250.1.215.200.1.2.1"/>'
            f"</code><name>{escape(e.libelle)}</name></manufacturedMaterial>"
            "</manufacturedProduct></consumable>"
            '<entryRelationship typeCode="REFR"><supply classCode="SPLY" moodCode="EVN">'
            f'<quantity value="{e.quantite}"/>'
            f'<performer><time value="{e.date:%Y%m%d}"/><assignedEntity><id nullFlavor="UNK"/>'
            f"<representedOrganization><name>{escape(e.professionnel)}</name>"
            "</representedOrganization></assignedEntity></performer>"
            "</supply></entryRelationship></substanceAdministration>"
        )
    if e.nature == "hospitalisation":
        return (
            '<encounter classCode="ENC" moodCode="EVN"><code code="IMP" '
            f'codeSystem="2.16.840.1.113883.5.4"><qualifier><value {code} {systeme}/></qualifier>'
            f'</code><effectiveTime><low value="{e.date:%Y%m%d}"/></effectiveTime>'
            f"{organisation}</encounter>"
        )
    return (
        f'<procedure classCode="PROC" moodCode="EVN"><code {code} {systeme}/>'
        f'<effectiveTime value="{e.date:%Y%m%d}"/>{organisation}</procedure>'
    )


def cnam_hr_ecrire(
    *, ins: str, entrees: list[EntreeRemboursement], le: date, oid_ins: str
) -> bytes:
    """A CNAM-HR document (type REMB) holding these entries, shaped like the CI-SIS example."""
    sections = []
    for nature, (loinc, traduction, titre) in _SECTIONS.items():
        du_genre = [e for e in entrees if e.nature == nature]
        if not du_genre or (
            nature == "dentaire" and any(e.nature == "consultation" for e in entrees)
        ):
            continue
        if nature == "consultation":
            du_genre += [e for e in entrees if e.nature == "dentaire"]
        code = f'<code code="{loinc}" codeSystem="2.16.840.1.113883.6.1">'
        if traduction:
            code += f'<translation code="{traduction}" codeSystem="2.16.840.1.113883.6.1"/>'
        sections.append(
            f"<component><section>{code}</code><title>{titre}</title>"
            f"<text><paragraph>{compte(len(du_genre), 'ligne', 'lignes')}</paragraph></text>"
            + "".join(f"<entry>{_entree_xml(e)}</entry>" for e in du_genre)
            + "</section></component>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="1.2.250.1.213.1.1.1.36" extension="2021.01"/>
  <id root="1.2.250.1.999.3" extension="REMB-{ins}-{le:%Y%m%d}"/>
  <code code="REMB" codeSystem="1.2.250.1.213.1.1.4.12" displayName="Données de remboursement"/>
  <title>Données de remboursement</title>
  <effectiveTime value="{le:%Y%m%d}"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <recordTarget><patientRole><id root="{oid_ins}" extension="{ins}"/>
    <patient><name><family>ASSURE</family><given>Camille</given></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="19850314"/></patient></patientRole></recordTarget>
  <author><time value="{le:%Y%m%d}"/><assignedAuthor><id root="1.2.250.1.213.1.6.1.1"/>
    <assignedAuthoringDevice><softwareName>Assurance Maladie</softwareName>
    </assignedAuthoringDevice>
    <representedOrganization><name>Assurance Maladie</name></representedOrganization>
  </assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization><name>Assurance Maladie</name>
  </representedCustodianOrganization></assignedCustodian></custodian>
  <component><structuredBody>{"".join(sections)}</structuredBody></component>
</ClinicalDocument>""".encode()
