"""Realistic demonstration files, made here (no real person, no file copied from elsewhere):
PDF letters, a photo, a DICOM scanner series, CI-SIS-shaped CDA documents; and the proches'
demo rows (a carer for Camille, a tutelle), which the demo command calls."""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape as _attr
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from django.utils import timezone
from PIL import Image, ImageDraw
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from profil.models import Delegation, Espace, MesureProtection, Perimetre, TypeProtection

OID_INS_TEST = "1.2.250.1.213.1.4.10"


def pdf(pages: int = 1, lignes: tuple[str, ...] = ()) -> bytes:
    images = []
    for numero in range(pages):
        page = Image.new("RGB", (595, 842), "white")
        dessin = ImageDraw.Draw(page)
        for rang, ligne in enumerate(lignes or ("Document de démonstration",)):
            dessin.text((60, 60 + 22 * rang), ligne, fill="black")
        dessin.text((480, 800), f"{numero + 1} / {pages}", fill="gray")
        images.append(page)
    sortie = io.BytesIO()
    images[0].save(sortie, "PDF", save_all=True, append_images=images[1:], resolution=72.0)
    return sortie.getvalue()


def png(largeur: int = 64, hauteur: int = 48, texte: str = "") -> bytes:
    image = Image.new("RGB", (largeur, hauteur), (250, 240, 230))
    if texte:
        ImageDraw.Draw(image).text((10, 10), texte, fill=(120, 20, 20))
    sortie = io.BytesIO()
    image.save(sortie, "PNG")
    return sortie.getvalue()


def jpeg() -> bytes:
    sortie = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 120, 30)).save(sortie, "JPEG")
    return sortie.getvalue()


def dicom(images: int = 1, taille: int = 32) -> bytes:
    """A CT series: a gradient phantom in Hounsfield units, windowed for soft tissue."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName = "DEMO^Camille"
    ds.Modality = "CT"
    ds.StudyDate = "20260115"
    ds.BodyPartExamined = "CHEST"
    ds.StudyDescription = "Scanner thoracique"
    ds.Rows = ds.Columns = taille
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 1
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.WindowCenter, ds.WindowWidth = 40, 400
    ligne = np.linspace(600, 1500, taille).astype(np.int16)
    pixels = np.stack([np.tile(ligne + 20 * i, (taille, 1)) for i in range(images)])
    if images > 1:
        ds.NumberOfFrames = images
    ds.PixelData = (pixels if images > 1 else pixels[0]).astype(np.int16).tobytes()
    sortie = io.BytesIO()
    ds.save_as(sortie, enforce_file_format=True)
    return sortie.getvalue()


def cda(
    *,
    ins: str,
    code: str = "11502-2",
    titre: str = "Compte rendu de biologie",
    le: date = date(2026, 1, 10),
    auteur: tuple[str, str] = ("Paul", "DURAND"),
    organisation: str = "Laboratoire de démonstration",
    paragraphes: tuple[str, ...] = ("TSH : 2,1 mUI/L (normal)",),
    pdf_b64: str = "",
    oid_ins: str = OID_INS_TEST,
) -> bytes:
    """A CDA R2 document shaped like the CI-SIS ones (structured narrative, or level 1)."""
    if pdf_b64:
        texte = f'<text mediaType="application/pdf" representation="B64">{pdf_b64}</text>'
        corps = f"<nonXMLBody>{texte}</nonXMLBody>"
    else:
        narratif = "".join(f"<paragraph>{escape(p)}</paragraph>" for p in paragraphes)
        corps = (
            "<structuredBody><component><section>"
            f"<title>{escape(titre)}</title><text>{narratif}</text>"
            "</section></component></structuredBody>"
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <id root="1.2.250.1.999.2" extension="DEMO-{code}-{le:%Y%m%d}"/>
  <code code="{code}" codeSystem="2.16.840.1.113883.6.1" displayName="{escape(titre)}"/>
  <title>{escape(titre)}</title>
  <effectiveTime value="{le:%Y%m%d}"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <languageCode code="fr-FR"/>
  <recordTarget><patientRole>
    <id root="{oid_ins}" extension="{ins}"/>
    <patient><name><family>DEMO</family><given>Camille</given></name>
      <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="19850314"/></patient>
  </patientRole></recordTarget>
  <author><time value="{le:%Y%m%d}"/><assignedAuthor>
    <id root="1.2.250.1.71.4.2.1" extension="810000336601"/>
    <assignedPerson><name><given>{escape(auteur[0])}</given><family>{escape(auteur[1])}</family>
    </name></assignedPerson>
    <representedOrganization><name>{escape(organisation)}</name></representedOrganization>
  </assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization>
    <name>{escape(organisation)}</name>
  </representedCustodianOrganization></assignedCustodian></custodian>
  <component>{corps}</component>
</ClinicalDocument>""".encode()


@dataclass(frozen=True)
class DocumentXDM:
    """One document of a DMP archive made by ``archive_xdm``."""

    contenu: bytes
    identifiant_unique: str
    type_code: str = "11502-2"
    classe: str = "10"
    titre: str = "Compte rendu de biologie"
    le: date = date(2026, 1, 10)
    confidentialite: tuple[str, ...] = ("N",)
    type_mime: str = "text/xml"
    type_libelle: str = ""  # the typeCode's displayName, when the archive states one


def archive_xdm(
    *, ins: str, documents: list[DocumentXDM], lot: str = "SUBSET01", oid_ins: str = OID_INS_TEST
) -> bytes:
    """A DMP-style IHE XDM archive (``IHE_XDM/<lot>/METADATA.XML``: an ebRIM
    SubmitObjectsRequest, then the documents), shaped like the national examples."""

    def slot(nom: str, valeur: str) -> str:
        return f'<Slot name="{nom}"><ValueList><Value>{escape(valeur)}</Value></ValueList></Slot>'

    def classification(schema: str, code: str, systeme: str, objet: str, nom: str = "") -> str:
        libelle = f"<Name><LocalizedString value={quoteattr(nom)}/></Name>" if nom else ""
        return (
            f'<Classification classificationScheme="urn:uuid:{schema}" '
            f"classifiedObject={quoteattr(objet)} nodeRepresentation={quoteattr(code)}>"
            f"{slot('codingScheme', systeme)}{libelle}</Classification>"
        )

    def identifiant(schema: str, valeur: str) -> str:
        return (
            f'<ExternalIdentifier identificationScheme="urn:uuid:{schema}" '
            f"value={quoteattr(valeur)}/>"
        )

    patient = f"{ins}^^^&{oid_ins}&ISO^NH"
    fiches, fichiers = [], {}
    for rang, document in enumerate(documents, start=1):
        nom = f"DOC{rang:04d}.{'XML' if document.type_mime == 'text/xml' else 'PDF'}"
        fichiers[f"IHE_XDM/{lot}/{nom}"] = document.contenu
        objet = f"Document{rang:04d}"
        empreinte = hashlib.sha1(document.contenu, usedforsecurity=False).hexdigest()
        fiches.append(
            f'<ExtrinsicObject id="{objet}" mimeType="{document.type_mime}" '
            'objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">'
            + slot("creationTime", f"{document.le:%Y%m%d}120000")
            + slot("serviceStartTime", f"{document.le:%Y%m%d}")
            + slot("hash", empreinte)
            + slot("size", str(len(document.contenu)))
            + slot("URI", nom)
            + slot("sourcePatientId", patient)
            + f"<Name><LocalizedString value={quoteattr(document.titre)}/></Name>"
            + '<Classification classificationScheme="urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"'
            f' classifiedObject="{objet}" nodeRepresentation="">'
            + slot("authorPerson", "810000336601^DURAND^Paul^^^Dr^^^&1.2.250.1.71.4.2.1&ISO")
            + slot("authorInstitution", "Laboratoire de démonstration^^^^^&1.2.250.1.71.4.2.2&ISO")
            + "</Classification>"
            + classification(
                "41a5887f-8865-4c09-adf7-e362475b143a",
                document.classe,
                "1.2.250.1.213.1.1.4.1",
                objet,
            )
            + "".join(
                classification(
                    "f4f85eac-e6cb-4883-b524-f2705394840f", code, "1.2.250.1.213.1.1.4.13", objet
                )
                for code in document.confidentialite
            )
            + classification(
                "f0306f51-975f-434e-a61c-c59651d33983",
                document.type_code,
                "2.16.840.1.113883.6.1",
                objet,
                document.type_libelle,
            )
            + identifiant("58a6f841-87b3-4a3e-92fd-a8ffeff98427", patient)
            + identifiant("2e82c1f6-a085-4c72-9da3-8640a32e42ab", document.identifiant_unique)
            + "</ExtrinsicObject>"
        )
    lot_soumission = (
        '<RegistryPackage id="SubmissionSet01">'
        + slot("submissionTime", "20260110120000")
        + identifiant("96fdda7c-d067-4183-912e-bf5ee74998a8", f"1.2.250.1.999.3.{ins}")
        + identifiant("6b5aea1a-874d-4603-a4bc-96a0a7b38446", patient)
        + "</RegistryPackage>"
    )
    metadonnees = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0">'
        '<RegistryObjectList xmlns="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">'
        f"{lot_soumission}{''.join(fiches)}</RegistryObjectList></lcm:SubmitObjectsRequest>"
    ).encode()
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.TXT", "Archive XDM de démonstration.\r\n")
        archive.writestr(f"IHE_XDM/{lot}/METADATA.XML", metadonnees)
        for nom, contenu in fichiers.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


# --- Structured lab reports (CR-BIO level 3) ---------------------------------------------------


@dataclass(frozen=True)
class ObservationBio:
    """One coded observation of a structured lab report made by ``cr_bio``."""

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


def _observation_bio(o: ObservationBio) -> str:
    if o.xml_valeur:
        valeur = o.xml_valeur
    elif o.valeur is None:
        valeur = ""
    elif o.type == "PQ":
        unite = f' unit="{_attr(o.unite)}"' if o.unite is not None else ""
        valeur = f'<value xsi:type="PQ" value="{_attr(o.valeur)}"{unite}/>'
    elif o.type in {"CD", "CE"}:
        code = _attr(o.valeur)
        valeur = f'<value xsi:type="{o.type}" code="{code}" displayName="{code}"/>'
    else:
        valeur = f'<value xsi:type="{o.type}" value="{_attr(o.valeur)}"/>'
    reference = ""
    if o.bas is not None or o.haut is not None:
        bornes = "".join(
            f'<{nom} value="{_attr(v)}" unit="{_attr(o.unite or "1")}"/>'
            for nom, v in (("low", o.bas), ("high", o.haut))
            if v is not None
        )
        reference = (
            '<referenceRange typeCode="REFV"><observationRange classCode="OBS" moodCode="EVN.CRT">'
            f'<value xsi:type="IVL_PQ">{bornes}</value>'
            '<interpretationCode code="N" codeSystem="2.16.840.1.113883.5.83"/>'
            "</observationRange></referenceRange>"
        )
    methode = f'<methodCode displayName="{_attr(o.methode)}"/>' if o.methode else ""
    prelevement = (
        "<specimen><specimenRole><specimenPlayingEntity>"
        f'<code code="X" displayName="{_attr(o.prelevement)}"/>'
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
        f'<code code="{_attr(o.code)}" displayName="{_attr(o.libelle)}" '
        'codeSystem="2.16.840.1.113883.6.1"/>'
        f'<statusCode code="completed"/>{temps}{prelevement}{valeur}{interpretation}{methode}'
        f"{reference}</observation></entryRelationship>"
    )


def cr_bio(
    *,
    ins: str,
    observations: list[ObservationBio],
    le: date = date(2024, 1, 15),
    oid_ins: str = OID_INS_TEST,
    identifiant: str = "1",
    laboratoire: str = "Laboratoire de test",
) -> bytes:
    """A CR-BIO level 3 (IHE PaLM entries, shaped like the CI-SIS example) for this INS holding
    these observations (and a narrative)."""
    corps = "".join(_observation_bio(o) for o in observations)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <realmCode code="FR"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <templateId root="1.2.250.1.213.1.1.1.55"/>
  <id root="1.2.250.1.999.4" extension="CRBIO-{_attr(identifiant)}"/>
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
    <representedOrganization><name>{_attr(laboratoire)}</name></representedOrganization>
  </assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization>
    <name>{_attr(laboratoire)}</name></representedCustodianOrganization></assignedCustodian>
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


# --- Proches (issue 21) ------------------------------------------------------------------------


def proches(
    *, camille: Espace, aidante: Espace, courriel_aidante: str, protege: Espace, tuteur: Espace
) -> None:
    """Camille's carer (documents, read only, accepted) and an adult under tutelle with their
    tutor: rows only, once (the command runs twice without doubling them)."""
    maintenant = timezone.now()
    if not Delegation.objects.filter(espace=camille, aidant=aidante).exists():
        Delegation.objects.create(
            espace=camille,
            aidant=aidante,
            courriel=courriel_aidante,
            perimetre=Perimetre.DOCUMENTS,
            ecriture=False,
            # an accepted delegation's link is spent: a hash no token was given for
            jeton_empreinte=hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest(),
            invitation_expire_le=maintenant + timedelta(days=7),
            acceptee_le=maintenant,
        )
    if not MesureProtection.objects.filter(espace=protege, responsable=tuteur).exists():
        MesureProtection.objects.create(
            espace=protege,
            responsable=tuteur,
            type=TypeProtection.TUTELLE,
            decision_justice="Jugement de démonstration du juge des contentieux de la protection",
            debut=date(2025, 6, 2),
        )
