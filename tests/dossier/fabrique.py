"""Files the tests make themselves: PDF, images, DICOM, CDA (fictitious people)."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
from PIL import Image


def pdf(pages: int = 1, texte: str = "") -> bytes:
    images = [Image.new("RGB", (300, 400), (255, 255, 255 - 40 * i)) for i in range(pages)]
    sortie = io.BytesIO()
    images[0].save(sortie, "PDF", save_all=True, append_images=images[1:], title=texte or None)
    return sortie.getvalue()


def png(largeur: int = 64, hauteur: int = 48) -> bytes:
    sortie = io.BytesIO()
    Image.new("RGB", (largeur, hauteur), (200, 30, 30)).save(sortie, "PNG")
    return sortie.getvalue()


def jpeg() -> bytes:
    sortie = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 120, 30)).save(sortie, "JPEG")
    return sortie.getvalue()


def dicom(images: int = 1) -> bytes:
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
    ds.PatientName = "ESSAI^Camille"
    ds.Modality = "CT"
    ds.StudyDate = "20260115"
    ds.BodyPartExamined = "CHEST"
    ds.StudyDescription = "Scanner thoracique"
    ds.Rows, ds.Columns = 32, 32
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelRepresentation = 1
    ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
    ds.WindowCenter, ds.WindowWidth = 40, 400
    pixels = np.tile(np.arange(32, dtype=np.int16) * 40 + 800, (images, 32, 1))
    if images > 1:
        ds.NumberOfFrames = images
    ds.PixelData = (pixels if images > 1 else pixels[0]).tobytes()
    sortie = io.BytesIO()
    ds.save_as(sortie, enforce_file_format=True)
    return sortie.getvalue()


def cda(
    *, ins: str, code: str = "11502-2", titre: str = "CR de biologie", pdf_b64: str = ""
) -> bytes:
    texte_pdf = f'<text mediaType="application/pdf" representation="B64">{pdf_b64}</text>'
    corps = (
        f"<nonXMLBody>{texte_pdf}</nonXMLBody>"
        if pdf_b64
        else """<structuredBody><component><section>
          <code code="18767-4" codeSystem="2.16.840.1.113883.6.1"/>
          <title>Résultats</title>
          <text><paragraph>TSH : 2,1 mUI/L <content styleCode="Bold">normal</content></paragraph>
          <paragraph>&lt;script&gt;alert(1)&lt;/script&gt;</paragraph></text>
        </section></component></structuredBody>"""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  <id root="1.2.250.1.999.2" extension="DOC-TEST"/>
  <code code="{code}" codeSystem="2.16.840.1.113883.6.1" displayName="{titre}"/>
  <title>{titre}</title>
  <effectiveTime value="20260110"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <recordTarget><patientRole>
    <id root="1.2.250.1.213.1.4.10" extension="{ins}"/>
    <patient><name><family>ESSAI</family><given>Camille</given></name>
      <administrativeGenderCode code="F"/><birthTime value="19800517"/></patient>
  </patientRole></recordTarget>
  <author><time value="20260110"/><assignedAuthor>
    <id root="1.2.250.1.71.4.2.1" extension="810000336601"/>
    <assignedPerson><name><given>Paul</given><family>DURAND</family></name></assignedPerson>
  </assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization><name>Laboratoire fictif</name>
  </representedCustodianOrganization></assignedCustodian></custodian>
  <component>{corps}</component>
</ClinicalDocument>""".encode()


AUJOURD_HUI = date(2026, 1, 20)
