"""Realistic demonstration files, made here (no real person, no file copied from elsewhere):
PDF letters, a photo, a DICOM scanner series, CI-SIS-shaped CDA documents."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
from PIL import Image, ImageDraw


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
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

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
    oid_ins: str = "1.2.250.1.213.1.4.10",
) -> bytes:
    """A CDA R2 document shaped like the CI-SIS ones (structured narrative, or level 1)."""
    from xml.sax.saxutils import escape

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
