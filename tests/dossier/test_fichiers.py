"""What an uploaded file really is, whether it is sound, its facts and its previews. Every sample
is made here, in memory: Pillow images and PDFs, pydicom datasets, executables as bytes."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import struct
import zipfile
import zlib
from typing import Any

import numpy as np
import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pydicom import dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import (
    MPEG2MPML,
    BasicTextSRStorage,
    CTImageStorage,
    EnhancedCTImageStorage,
    ExplicitVRLittleEndian,
    JPEGBaseline8Bit,
    RLELossless,
    SecondaryCaptureImageStorage,
    generate_uid,
)

from dossier.formats import commun as fichiers
from dossier.formats.apercus import apercus, miniature
from dossier.formats.commun import (
    ApercuImpossible,
    Description,
    FichierCorrompu,
    FichierRefuse,
    MotifRefus,
    Nature,
)
from dossier.formats.detection import detecter
from dossier.formats.validation import decrire

PNG_MAGIE = b"\x89PNG\r\n\x1a\n"

# --- Samples -----------------------------------------------------------------------------------


def jpeg(taille: tuple[int, int] = (40, 30), couleur: str = "teal", **options: Any) -> bytes:
    sortie = io.BytesIO()
    Image.new("RGB", taille, couleur).save(sortie, "JPEG", quality=90, **options)
    return sortie.getvalue()


def png(image: Image.Image | None = None) -> bytes:
    sortie = io.BytesIO()
    (image or Image.new("RGB", (40, 30), "orange")).save(sortie, "PNG")
    return sortie.getvalue()


def tiff(pages: int = 2) -> bytes:
    images = [Image.new("RGB", (30 + 10 * rang, 20), "navy") for rang in range(pages)]
    sortie = io.BytesIO()
    images[0].save(sortie, "TIFF", save_all=True, append_images=images[1:])
    return sortie.getvalue()


def pdf(pages: int = 3) -> bytes:
    images = [Image.new("RGB", (200, 300), c) for c in ("red", "green", "blue", "gray")[:pages]]
    sortie = io.BytesIO()
    images[0].save(sortie, "PDF", save_all=True, append_images=images[1:], resolution=72.0)
    return sortie.getvalue()


def pdf_chiffre(*, mot_de_passe: str) -> bytes:
    ecrivain = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf())))
    ecrivain.encrypt(user_password=mot_de_passe, owner_password="proprietaire", algorithm="AES-128")
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    return sortie.getvalue()


def chunk_png(genre: bytes, contenu: bytes) -> bytes:
    crc = zlib.crc32(genre + contenu) & 0xFFFFFFFF
    return struct.pack(">I", len(contenu)) + genre + contenu + struct.pack(">I", crc)


def executable_pe() -> bytes:
    entete = bytearray(b"MZ" + b"\x90\x00\x03\x00" + b"\x00" * 58)
    struct.pack_into("<I", entete, 0x3C, 0x80)
    stub = b"This program cannot be run in DOS mode.\r\r\n$".ljust(0x80 - 64, b"\x00")
    return bytes(entete) + stub + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def archive_zip() -> bytes:
    sortie = io.BytesIO()
    with zipfile.ZipFile(sortie, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return sortie.getvalue()


CDA = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<?xml-stylesheet type="text/xsl" href="CDA.xsl"?>\n'
    b"<!-- Compte rendu -->\n"
    b'<ClinicalDocument xmlns="urn:hl7-org:v3" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    b'  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>\n'
    b"</ClinicalDocument>\n"
)


def dicom(
    valeurs: np.ndarray[Any, Any],
    *,
    photometrie: str = "MONOCHROME2",
    pente: float | None = 1.0,
    ordonnee: float | None = -1024.0,
    centre: float | None = 40.0,
    largeur: float | None = 400.0,
) -> Dataset:
    """A CT-like dataset: 16-bit unsigned stored values (one frame, or frames × rows × cols)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "CT"
    ds.StudyDate = "20240315"
    ds.BodyPartExamined = "CHEST"
    ds.StudyDescription = "Scanner thoracique"
    ds.Rows, ds.Columns = valeurs.shape[-2:]
    if valeurs.ndim == 3:
        ds.NumberOfFrames = valeurs.shape[0]
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometrie
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    if pente is not None and ordonnee is not None:
        ds.RescaleSlope = pente
        ds.RescaleIntercept = ordonnee
    if centre is not None and largeur is not None:
        ds.WindowCenter = centre
        ds.WindowWidth = largeur
    ds.PixelData = valeurs.astype("<u2").tobytes()
    return ds


def octets(ds: Dataset) -> bytes:
    sortie = io.BytesIO()
    dcmwrite(sortie, ds, enforce_file_format=True)
    return sortie.getvalue()


def bandes() -> np.ndarray[Any, Any]:
    """Three vertical bands of stored values: far below the window, its centre, far above (with
    slope 1 and intercept -1024, HU -1024, 40 and 1976)."""
    valeurs = np.zeros((12, 12), dtype=np.uint16)
    valeurs[:, 4:8] = 1064
    valeurs[:, 8:] = 3000
    return valeurs


def lire_png(donnees: bytes) -> Image.Image:
    assert donnees.startswith(PNG_MAGIE)
    image = Image.open(io.BytesIO(donnees))
    assert image.format == "PNG"
    image.load()
    return image


def lire_jpeg(donnees: bytes) -> Image.Image:
    assert donnees.startswith(b"\xff\xd8\xff")
    image = Image.open(io.BytesIO(donnees))
    assert image.format == "JPEG"
    image.load()
    return image


def encapsule(ds: Dataset, syntaxe: Any, trames: list[bytes]) -> Dataset:
    ds.file_meta.TransferSyntaxUID = syntaxe
    ds.PixelData = encapsulate(trames)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    return ds


# --- Detection ---------------------------------------------------------------------------------


def jpeg_avec_orientation() -> bytes:
    image = Image.new("RGB", (40, 20), "red")
    image.paste(Image.new("RGB", (20, 20), "blue"), (20, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # displayed turned 90° clockwise
    exif[0x010F] = "Fabricant"
    sortie = io.BytesIO()
    image.save(sortie, "JPEG", quality=95, exif=exif.tobytes())
    return sortie.getvalue()


ACCEPTES: list[tuple[str, bytes, Nature]] = [
    ("pdf", pdf(), Nature.PDF),
    ("jpeg", jpeg(), Nature.JPEG),
    ("jpeg-exif", jpeg_avec_orientation(), Nature.JPEG),
    ("png", png(), Nature.PNG),
    ("tiff-intel", tiff(), Nature.TIFF),
    ("tiff-motorola", b"MM\x00*" + b"\x00\x00\x00\x08" + b"\x00" * 40, Nature.TIFF),
    ("dicom", octets(dicom(bandes())), Nature.DICOM),
    ("dicom-preambule-tiff", b"II*\x00" + octets(dicom(bandes()))[4:], Nature.DICOM),
    ("cda", CDA, Nature.CDA),
    (
        "cda-prefixe",
        b"<hl7:ClinicalDocument xmlns:hl7='urn:hl7-org:v3'><hl7:title/></hl7:ClinicalDocument>",
        Nature.CDA,
    ),
    ("rtf", b"{\\rtf1\\ansi\\ansicpg1252 Compte rendu : fi\\'e8vre}", Nature.RTF),
    ("texte-utf8", "Ordonnance : paracétamol 1 g, 3×/jour\r\n".encode(), Nature.TEXTE),
    ("texte-bom", b"\xef\xbb\xbfNotes\tdu 3 mars\n", Nature.TEXTE),
    ("texte-latin1", b"Compte rendu : fi\xe8vre \xe0 39\xb0C\x0c\n", Nature.TEXTE),
    ("texte-cp1252", b"Facture : 25 \x80 \x96 pay\xe9e\n", Nature.TEXTE),
]


@pytest.mark.parametrize(
    ("contenu", "nature"), [a[1:] for a in ACCEPTES], ids=[a[0] for a in ACCEPTES]
)
def test_each_accepted_nature_is_recognised_from_its_content(
    contenu: bytes, nature: Nature
) -> None:
    assert detecter(contenu) is nature
    assert detecter(contenu[: fichiers.TAILLE_DEBUT]) is nature


def test_the_nature_knows_its_media_type() -> None:
    assert Nature.PDF.type_mime == "application/pdf"
    assert Nature.DICOM.type_mime == "application/dicom"
    assert {n.type_mime for n in Nature} >= {"image/jpeg", "image/png", "image/tiff", "text/plain"}


def test_a_text_cut_in_the_middle_of_a_character_by_the_8_kib_sample_is_still_text() -> None:
    texte = ("a" + "é" * 6000).encode()
    assert detecter(texte[: fichiers.TAILLE_DEBUT]) is Nature.TEXTE


def test_only_the_first_8_kib_decide_so_a_large_file_can_be_given_whole() -> None:
    texte = b"ligne de texte\n" * 100_000 + b"\x00"
    assert detecter(texte) is Nature.TEXTE


def jpeg_commente(commentaire: bytes) -> bytes:
    return jpeg(comment=commentaire)


def png_avec_chunk(contenu: bytes) -> bytes:
    donnees = png()
    return donnees[:33] + chunk_png(b"prIv", contenu) + donnees[33:]


def dicom_preambule(preambule: bytes) -> bytes:
    return preambule.ljust(128, b"\x00")[:128] + octets(dicom(bandes()))[128:]


PDF = pdf(1)

REFUSES: list[tuple[str, bytes, MotifRefus]] = [
    ("vide", b"", MotifRefus.VIDE),
    ("exe", executable_pe(), MotifRefus.PROGRAMME),
    ("dos", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, MotifRefus.PROGRAMME),
    ("elf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56, MotifRefus.PROGRAMME),
    ("mach-o", b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 24, MotifRefus.PROGRAMME),
    ("script", b"#!/bin/sh\nrm -rf ~\n", MotifRefus.PROGRAMME),
    ("postscript", b"%!PS-Adobe-3.0\n/Helvetica findfont\n", MotifRefus.PROGRAMME),
    ("html", "<!DOCTYPE html>\n<html><body>Résultats</body></html>".encode(), MotifRefus.PAGE_WEB),
    ("html-sans-doctype", b"\n  <HTML><p>ok</p></HTML>", MotifRefus.PAGE_WEB),
    (
        "svg",
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        MotifRefus.PAGE_WEB,
    ),
    (
        "xhtml",
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        MotifRefus.PAGE_WEB,
    ),
    ("texte-script", b"Voir le lien java\nscript:alert(document.cookie)\n", MotifRefus.PAGE_WEB),
    ("rtf-script", b"{\\rtf1 <script>alert(1)</script>}", MotifRefus.PAGE_WEB),
    (
        "cda-script",
        CDA.replace(b"<typeId", b"<script>alert(1)</script><typeId"),
        MotifRefus.PAGE_WEB,
    ),
    ("zip", archive_zip(), MotifRefus.ARCHIVE),
    ("gzip", gzip.compress(b"contenu"), MotifRefus.ARCHIVE),
    ("rar", b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20, MotifRefus.ARCHIVE),
    ("7z", b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 24, MotifRefus.ARCHIVE),
    ("word-97", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, MotifRefus.ARCHIVE),
    ("jpeg-html", jpeg_commente(b"<script>alert(1)</script>"), MotifRefus.POLYGLOTTE),
    ("jpeg-zip-interne", jpeg_commente(b"PK\x03\x04\x14\x00"), MotifRefus.POLYGLOTTE),
    ("jpeg-html-ajoute", jpeg() + b"<html><script>alert(1)</script></html>", MotifRefus.POLYGLOTTE),
    ("jpeg-zip-ajoute", jpeg() + archive_zip(), MotifRefus.POLYGLOTTE),
    ("png-exe", png_avec_chunk(executable_pe()), MotifRefus.POLYGLOTTE),
    ("png-svg", png_avec_chunk(b"<svg onload=alert(1)>"), MotifRefus.POLYGLOTTE),
    ("pdf-zip", PDF[:9] + b"%PK\x03\x04\n" + PDF[9:], MotifRefus.POLYGLOTTE),
    ("pdf-html", PDF[:9] + b"%<iframe src=x>\n" + PDF[9:], MotifRefus.POLYGLOTTE),
    ("pdf-decale", b"Bonjour\n" + PDF, MotifRefus.POLYGLOTTE),
    ("gif-pdf", b"GIF89a/*" + b" " * 100 + PDF, MotifRefus.POLYGLOTTE),
    ("dicom-exe", dicom_preambule(executable_pe()[:128]), MotifRefus.PROGRAMME),
    ("dicom-jpeg", dicom_preambule(b"\xff\xd8\xff\xe0"), MotifRefus.POLYGLOTTE),
    ("dicom-pdf", dicom_preambule(b"%PDF-1.4\n"), MotifRefus.POLYGLOTTE),
    ("texte-nul", b"Compte rendu\x00\x00 du 3 mars", MotifRefus.INCONNU),
    ("texte-utf16", "Compte rendu".encode("utf-16"), MotifRefus.INCONNU),
    ("controles", b"\x01\x02\x03 donn\xe9es \x1b[31m", MotifRefus.INCONNU),
    ("gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00", MotifRefus.INCONNU),
    ("xml", b'<?xml version="1.0"?>\n<note><to>Dr</to></note>', MotifRefus.XML_NON_CDA),
    (
        "cda-autre-espace",
        b'<ClinicalDocument xmlns="urn:exemple"></ClinicalDocument>',
        MotifRefus.XML_NON_CDA,
    ),
    (
        "cda-prefixe-non-lie",
        b'<hl7:ClinicalDocument xmlns="urn:hl7-org:v3"></hl7:ClinicalDocument>',
        MotifRefus.XML_NON_CDA,
    ),
    (
        "cda-doctype",
        b'<?xml version="1.0"?>\n<!DOCTYPE ClinicalDocument [<!ENTITY x "y">]>\n'
        b'<ClinicalDocument xmlns="urn:hl7-org:v3"/>',
        MotifRefus.XML_NON_CDA,
    ),
    ("rtf-objet", b"{\\rtf1 {\\object\\objemb {\\*\\objdata 0105}}}", MotifRefus.OBJET_INCORPORE),
    # web markers in any case, wherever they are looked for
    ("texte-script-casse", b"Voir le lien JaVa\tScRiPt:alert(1)\n", MotifRefus.PAGE_WEB),
    ("texte-vbscript-casse", b"lien VBSCRIPT :\nVBScript:msgbox(1)\n", MotifRefus.PAGE_WEB),
    ("texte-doctype-casse", b"notes\n<!DocType\t HTML>\n", MotifRefus.PAGE_WEB),
    ("pdf-svg-casse", PDF[:9] + b"%<SvG onload=x>\n" + PDF[9:], MotifRefus.POLYGLOTTE),
    ("pdf-php-ajoute", PDF + b"\n<?PHP echo 1; ?>", MotifRefus.POLYGLOTTE),
    ("png-body-casse", png_avec_chunk(b"<BoDy onload=alert(1)>"), MotifRefus.POLYGLOTTE),
]


@pytest.mark.parametrize(
    ("contenu", "motif"), [r[1:] for r in REFUSES], ids=[r[0] for r in REFUSES]
)
def test_a_file_that_is_not_accepted_is_refused_with_a_message_saying_what_is(
    contenu: bytes, motif: MotifRefus
) -> None:
    with pytest.raises(FichierRefuse) as refus:
        detecter(contenu)
    assert refus.value.motif is motif
    assert "Formats acceptés : PDF" in refus.value.message
    assert refus.value.message == str(refus.value)


def test_an_html_page_is_refused_as_a_web_page_whatever_its_name() -> None:
    with pytest.raises(FichierRefuse) as refus:
        detecter(b"<!doctype HTML>\n<title>compte-rendu.pdf</title>")
    assert "page web" in refus.value.message


def test_html_appended_far_after_the_start_is_found_when_the_last_kib_is_given() -> None:
    piegee = bruit_jpeg() + b"<html><script>alert(1)</script></html>"
    assert len(piegee) > 2 * fichiers.TAILLE_DEBUT
    assert detecter(piegee[: fichiers.TAILLE_DEBUT]) is Nature.JPEG
    with pytest.raises(FichierRefuse) as refus:
        detecter(piegee[: fichiers.TAILLE_DEBUT], fin=piegee[-1024:])
    assert refus.value.motif is MotifRefus.POLYGLOTTE
    with pytest.raises(FichierRefuse):
        detecter(piegee)


def test_embedded_objects_are_looked_for_in_the_whole_rtf_given() -> None:
    rtf = b"{\\rtf1\\ansi " + b"Texte du compte rendu. " * 1000 + b"{\\object\\objdata 01}}"
    assert detecter(rtf[: fichiers.TAILLE_DEBUT]) is Nature.RTF
    with pytest.raises(FichierRefuse):
        detecter(rtf)


SIGNATURES = [
    b"",
    b"%PDF-1.7\n",
    b"\xff\xd8\xff\xe0",
    PNG_MAGIE,
    b"II*\x00",
    b"MM\x00*",
    b"{\\rtf1 ",
    b'<?xml version="1.0"?>',
    b'<ClinicalDocument xmlns="urn:hl7-org:v3">',
    b"MZ",
    b"PK\x03\x04",
    b"\x00" * 128 + b"DICM",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SIGNATURES), st.binary(max_size=2048))
def test_any_bytes_give_a_nature_or_a_refusal_and_nothing_else(
    signature: bytes, reste: bytes
) -> None:
    try:
        assert isinstance(detecter(signature + reste), Nature)
    except FichierRefuse as refus:
        assert refus.message


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_any_text_gives_a_nature_or_a_refusal_and_nothing_else(texte: str) -> None:
    try:
        assert isinstance(detecter(texte.encode()), Nature)
    except FichierRefuse as refus:
        assert refus.message


# --- Description: PDF --------------------------------------------------------------------------


def test_a_three_page_pdf_is_described_with_its_pages() -> None:
    description = decrire(Nature.PDF, pdf(3))
    assert description == Description(nature=Nature.PDF, apercu_possible=True, pages=3)


def test_a_truncated_pdf_is_corrupt() -> None:
    donnees = pdf(3)
    for coupe in (len(donnees) // 2, len(donnees) - 40):
        with pytest.raises(FichierCorrompu, match="endommagé ou incomplet"):
            decrire(Nature.PDF, donnees[:coupe])


def test_a_pdf_protected_by_a_password_is_refused_as_such() -> None:
    with pytest.raises(FichierCorrompu, match="protégé par mot de passe"):
        decrire(Nature.PDF, pdf_chiffre(mot_de_passe="secret"))


def test_a_pdf_encrypted_without_a_user_password_opens_everywhere_and_is_accepted() -> None:
    donnees = pdf_chiffre(mot_de_passe="")
    assert detecter(donnees) is Nature.PDF
    assert decrire(Nature.PDF, donnees).pages == 3
    assert len(apercus(Nature.PDF, donnees, limite=1)) == 1


def test_a_pdf_without_pages_is_corrupt() -> None:
    sortie = io.BytesIO()
    pypdf.PdfWriter().write(sortie)
    with pytest.raises(FichierCorrompu, match="aucune page"):
        decrire(Nature.PDF, sortie.getvalue())


def test_bytes_that_are_not_a_pdf_at_all_are_corrupt() -> None:
    with pytest.raises(FichierCorrompu):
        decrire(Nature.PDF, b"%PDF-1.4\nrien d'autre")


# --- Description: images -----------------------------------------------------------------------


def test_a_jpeg_and_a_png_are_described_with_their_size() -> None:
    assert decrire(Nature.JPEG, jpeg((40, 30))) == Description(
        nature=Nature.JPEG, apercu_possible=True, pages=1, largeur=40, hauteur=30
    )
    description = decrire(Nature.PNG, png())
    assert (description.largeur, description.hauteur, description.pages) == (40, 30, 1)


def test_the_size_described_is_the_size_displayed_after_exif_orientation() -> None:
    description = decrire(Nature.JPEG, jpeg_avec_orientation())
    assert (description.largeur, description.hauteur) == (20, 40)


def test_a_two_page_tiff_is_described_with_its_pages() -> None:
    description = decrire(Nature.TIFF, tiff(2))
    assert (description.pages, description.largeur, description.hauteur) == (2, 30, 20)


def bruit_png() -> bytes:
    return png(Image.effect_noise((200, 200), 60).convert("RGB"))


def bruit_jpeg() -> bytes:
    sortie = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(sortie, "JPEG")
    return sortie.getvalue()


@pytest.mark.parametrize(
    ("nature", "donnees"), [(Nature.JPEG, bruit_jpeg()), (Nature.PNG, bruit_png())]
)
def test_a_truncated_image_is_corrupt(nature: Nature, donnees: bytes) -> None:
    for coupe in (len(donnees) // 2, len(donnees) - 30, 40):
        with pytest.raises(FichierCorrompu, match="endommagée ou incomplète"):
            decrire(nature, donnees[:coupe])


def test_a_truncated_tiff_is_corrupt() -> None:
    donnees = tiff(2)
    with pytest.raises(FichierCorrompu):
        decrire(Nature.TIFF, donnees[: len(donnees) // 2])


def test_an_image_of_another_format_than_announced_is_corrupt() -> None:
    with pytest.raises(FichierCorrompu):
        decrire(Nature.PNG, jpeg())


def bombe_png(largeur: int, hauteur: int) -> bytes:
    entete = struct.pack(">IIBBBBB", largeur, hauteur, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        PNG_MAGIE + chunk_png(b"IHDR", entete) + chunk_png(b"IDAT", idat) + chunk_png(b"IEND", b"")
    )


def test_a_png_claiming_a_huge_size_is_refused_before_decoding() -> None:
    bombe = bombe_png(100_000, 100_000)
    assert detecter(bombe) is Nature.PNG
    with pytest.raises(FichierCorrompu, match="trop grande"):
        decrire(Nature.PNG, bombe)
    with pytest.raises(FichierCorrompu, match="trop grande"):
        apercus(Nature.PNG, bombe)


def test_an_image_above_the_pixel_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fichiers, "PIXELS_MAX", 500)
    for nature, donnees in ((Nature.JPEG, jpeg((40, 30))), (Nature.TIFF, tiff(2))):
        with pytest.raises(FichierCorrompu, match="trop grande"):
            decrire(nature, donnees)
        with pytest.raises(FichierCorrompu, match="trop grande"):
            miniature(nature, donnees)


def test_a_tiff_whose_second_page_is_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fichiers, "PIXELS_MAX", 700)  # page 1: 30 × 20, page 2: 40 × 20
    with pytest.raises(FichierCorrompu, match="trop grande"):
        decrire(Nature.TIFF, tiff(2))


# --- Description: texts and CDA ----------------------------------------------------------------


def test_a_utf8_text_is_described_with_its_encoding_and_lines() -> None:
    description = decrire(Nature.TEXTE, "Première ligne\r\nDeuxième\nTroisième".encode())
    assert description == Description(
        nature=Nature.TEXTE, apercu_possible=False, encodage="utf-8", lignes=3
    )
    assert decrire(Nature.TEXTE, b"\xef\xbb\xbfune\n").lignes == 1


def test_a_legacy_text_is_described_as_windows_1252_or_latin_1() -> None:
    assert decrire(Nature.TEXTE, b"25 \x80 pay\xe9s\n").encodage == "windows-1252"
    assert decrire(Nature.TEXTE, b"caract\xe8re \x81\n").encodage == "iso-8859-1"


def test_a_text_with_binary_data_after_the_first_8_kib_is_corrupt() -> None:
    with pytest.raises(FichierCorrompu, match="données binaires"):
        decrire(Nature.TEXTE, b"texte\n" * 2000 + b"\x00\x01")


def test_an_rtf_reports_its_code_page() -> None:
    description = decrire(Nature.RTF, b"{\\rtf1\\ansi\\ansicpg1252\n{Fi\\'e8vre}\n}")
    assert (description.encodage, description.lignes, description.apercu_possible) == (
        "windows-1252",
        3,
        False,
    )


def test_a_cda_is_left_to_the_cda_reader_and_has_no_image_preview() -> None:
    assert decrire(Nature.CDA, CDA) == Description(nature=Nature.CDA, apercu_possible=False)


@pytest.mark.parametrize(
    ("nature", "donnees"),
    [(Nature.TEXTE, b"notes\n"), (Nature.RTF, b"{\\rtf1 x}"), (Nature.CDA, CDA)],
)
def test_texts_and_cda_have_no_image_preview(nature: Nature, donnees: bytes) -> None:
    assert apercus(nature, donnees) == []
    assert miniature(nature, donnees) is None


def test_an_empty_file_is_corrupt_whatever_its_announced_nature() -> None:
    for nature in Nature:
        with pytest.raises(FichierCorrompu, match="vide"):
            decrire(nature, b"")


# --- Description: DICOM ------------------------------------------------------------------------


def test_a_dicom_is_described_with_its_facts() -> None:
    description = decrire(Nature.DICOM, octets(dicom(bandes())))
    assert description == Description(
        nature=Nature.DICOM,
        apercu_possible=True,
        images=1,
        largeur=12,
        hauteur=12,
        modalite="CT",
        date_etude=dt.date(2024, 3, 15),
        region="CHEST",
        description="Scanner thoracique",
    )


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom: invalid DA value
def test_a_dicom_with_odd_facts_is_described_with_what_makes_sense() -> None:
    ds = dicom(bandes())
    ds.StudyDate = "2024"
    del ds.StudyDescription
    ds.SeriesDescription = "Coupes axiales"
    del ds.BodyPartExamined
    description = decrire(Nature.DICOM, octets(ds))
    assert (description.date_etude, description.description, description.region) == (
        None,
        "Coupes axiales",
        None,
    )


def test_a_multiframe_dicom_counts_its_images_and_yields_one_preview_per_frame() -> None:
    valeurs = np.stack([bandes()] * 4)
    donnees = octets(dicom(valeurs))
    assert decrire(Nature.DICOM, donnees).images == 4
    assert len(apercus(Nature.DICOM, donnees)) == 4
    assert len(apercus(Nature.DICOM, donnees, limite=2)) == 2


def test_a_truncated_dicom_is_corrupt() -> None:
    donnees = octets(dicom(np.stack([bandes()] * 4)))
    with pytest.raises(FichierCorrompu, match="DICOM est endommagé"):
        decrire(Nature.DICOM, donnees[:-100])
    with pytest.raises(FichierCorrompu):
        decrire(Nature.DICOM, donnees[:200])


def test_an_image_dicom_without_pixel_data_is_a_truncated_file() -> None:
    ds = dicom(bandes())
    del ds.PixelData
    with pytest.raises(FichierCorrompu, match="DICOM est endommagé"):
        decrire(Nature.DICOM, octets(ds))


def test_a_dicom_without_pixel_data_is_accepted_without_preview() -> None:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = BasicTextSRStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = BasicTextSRStorage, meta.MediaStorageSOPInstanceUID
    ds.Modality = "SR"
    ds.StudyDate = "20240315"
    donnees = octets(ds)
    description = decrire(Nature.DICOM, donnees)
    assert description.apercu_possible is False
    assert (description.modalite, description.date_etude) == ("SR", dt.date(2024, 3, 15))
    assert description.images is None
    assert description.remarque == "Ce fichier DICOM ne contient pas d'image."
    assert apercus(Nature.DICOM, donnees) == []
    assert miniature(Nature.DICOM, donnees) is None


def test_a_dicom_compressed_in_a_way_we_cannot_decode_is_accepted_without_preview() -> None:
    ds = encapsule(dicom(bandes()), MPEG2MPML, [b"\x00\x00\x01\xb3" + b"\x00" * 30])
    donnees = octets(ds)
    assert detecter(donnees) is Nature.DICOM
    description = decrire(Nature.DICOM, donnees)
    assert description.apercu_possible is False
    assert description.images == 1 and description.modalite == "CT"
    assert description.remarque is not None
    assert "compression" in description.remarque and "MPEG2" in description.remarque
    with pytest.raises(ApercuImpossible, match="pas prise en charge pour l'aperçu"):
        apercus(Nature.DICOM, donnees)
    assert miniature(Nature.DICOM, donnees) is None


def jpeg_gris(valeurs: np.ndarray[Any, Any]) -> bytes:
    sortie = io.BytesIO()
    Image.fromarray(valeurs.astype(np.uint8), "L").save(sortie, "JPEG", quality=100)
    return sortie.getvalue()


def dicom_8_bits(valeurs: np.ndarray[Any, Any]) -> Dataset:
    ds = dicom(valeurs, pente=None, ordonnee=None, centre=None, largeur=None)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    ds.PixelData = valeurs.astype(np.uint8).tobytes()
    return ds


def test_a_jpeg_compressed_dicom_is_decoded_through_pillow_and_previewed() -> None:
    valeurs = np.zeros((16, 16), dtype=np.uint8)
    valeurs[:, 8:] = 200
    donnees = octets(encapsule(dicom_8_bits(valeurs), JPEGBaseline8Bit, [jpeg_gris(valeurs)]))
    assert decrire(Nature.DICOM, donnees).apercu_possible is True
    (image,) = [lire_png(a) for a in apercus(Nature.DICOM, donnees)]
    assert image.mode == "L" and image.size == (16, 16)
    assert image.getpixel((2, 8)) <= 5 and image.getpixel((13, 8)) >= 250  # min–max stretched


def test_an_rle_compressed_dicom_is_decoded_natively() -> None:
    ds = dicom(bandes())
    ds.compress(RLELossless)
    donnees = octets(ds)
    assert decrire(Nature.DICOM, donnees).apercu_possible is True
    assert lire_png(apercus(Nature.DICOM, donnees)[0]).getpixel((5, 5)) in range(126, 131)


def test_a_dicom_whose_compressed_frames_do_not_decode_is_accepted_without_preview() -> None:
    ds = encapsule(dicom_8_bits(np.zeros((16, 16))), JPEGBaseline8Bit, [b"\xff\xd8\xff" + b"?" * 9])
    description = decrire(Nature.DICOM, octets(ds))
    assert description.apercu_possible is False
    assert description.remarque is not None and "compression" in description.remarque


def test_a_dicom_too_large_to_decode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fichiers, "PIXELS_MAX", 100)
    with pytest.raises(FichierCorrompu, match="trop grande"):
        decrire(Nature.DICOM, octets(dicom(bandes())))


# --- Previews: DICOM ---------------------------------------------------------------------------


def test_dicom_windowing_maps_the_window_onto_the_grey_levels() -> None:
    (apercu,) = apercus(Nature.DICOM, octets(dicom(bandes())))
    image = lire_png(apercu)
    assert image.mode == "L" and image.size == (12, 12)
    assert image.getpixel((1, 6)) == 0  # HU -1024, below the window [-160, 240]
    assert abs(image.getpixel((5, 6)) - 128) <= 1  # HU 40, the window centre
    assert image.getpixel((10, 6)) == 255  # HU 1976, above the window


def test_the_edges_of_the_window_are_black_and_white() -> None:
    valeurs = np.full((4, 4), 1024 - 160, dtype=np.uint16)  # HU -160: the lower edge
    valeurs[2:] = 1024 + 240  # HU 240: the upper edge
    image = lire_png(apercus(Nature.DICOM, octets(dicom(valeurs)))[0])
    assert image.getpixel((0, 0)) <= 1 and image.getpixel((0, 3)) >= 254


def test_a_monochrome1_dicom_is_inverted() -> None:
    image = lire_png(apercus(Nature.DICOM, octets(dicom(bandes(), photometrie="MONOCHROME1")))[0])
    assert image.getpixel((1, 6)) == 255
    assert image.getpixel((10, 6)) == 0


def test_a_dicom_without_window_is_stretched_from_its_minimum_to_its_maximum() -> None:
    valeurs = np.full((6, 6), 100, dtype=np.uint16)
    valeurs[:, 3:] = 300
    image = lire_png(apercus(Nature.DICOM, octets(dicom(valeurs, centre=None, largeur=None)))[0])
    assert (image.getpixel((0, 0)), image.getpixel((5, 0))) == (0, 255)


def test_a_voi_lut_is_preferred_to_the_window_and_scaled_to_its_own_range() -> None:
    ds = dicom(bandes(), pente=None, ordonnee=None)
    item = Dataset()
    item.add_new(0x00283002, "US", [4096, 0, 16])
    item.add_new(0x00283006, "US", list(range(4095, -1, -1)))  # an inverting 12-bit LUT
    ds.VOILUTSequence = Sequence([item])
    image = lire_png(apercus(Nature.DICOM, octets(ds))[0])
    assert image.getpixel((1, 6)) == 255  # stored 0 → 4095, the top of the LUT
    assert abs(image.getpixel((5, 6)) - round(255 * (4095 - 1064) / 4095)) <= 1
    assert image.getpixel((10, 6)) == round(255 * (4095 - 3000) / 4095)


def test_an_enhanced_multiframe_dicom_is_windowed_from_its_functional_groups() -> None:
    ds = dicom(np.stack([bandes()] * 2), pente=None, ordonnee=None, centre=None, largeur=None)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = EnhancedCTImageStorage
    fenetre, transformation, partage = Dataset(), Dataset(), Dataset()
    fenetre.WindowCenter, fenetre.WindowWidth = 40, 400
    transformation.RescaleSlope, transformation.RescaleIntercept = 1, -1024
    transformation.RescaleType = "HU"
    partage.FrameVOILUTSequence = Sequence([fenetre])
    partage.PixelValueTransformationSequence = Sequence([transformation])
    ds.SharedFunctionalGroupsSequence = Sequence([partage])
    for apercu in apercus(Nature.DICOM, octets(ds)):
        image = lire_png(apercu)
        assert (image.getpixel((1, 6)), image.getpixel((10, 6))) == (0, 255)
        assert abs(image.getpixel((5, 6)) - 128) <= 1


def test_an_rgb_dicom_is_previewed_in_colour() -> None:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = SecondaryCaptureImageStorage, generate_uid()
    ds.Modality = "OT"
    ds.Rows, ds.Columns, ds.SamplesPerPixel = 8, 8, 3
    ds.PhotometricInterpretation, ds.PlanarConfiguration = "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    pixels = np.zeros((8, 8, 3), dtype=np.uint8)
    pixels[..., 0] = 220
    ds.PixelData = pixels.tobytes()
    image = lire_png(apercus(Nature.DICOM, octets(ds))[0])
    assert image.mode == "RGB" and image.getpixel((3, 3)) == (220, 0, 0)


def test_a_large_dicom_frame_is_reduced_to_fit_and_its_thumbnail_to_the_side() -> None:
    valeurs = np.tile(np.arange(800, dtype=np.uint16), (600, 1))
    donnees = octets(dicom(valeurs))
    image = lire_png(apercus(Nature.DICOM, donnees, largeur_max=200)[0])
    assert image.size == (200, 150)
    vignette = miniature(Nature.DICOM, donnees, cote=64)
    assert vignette is not None and lire_jpeg(vignette).size == (64, 48)


# --- Previews: images and PDF ------------------------------------------------------------------


def test_a_jpeg_preview_is_a_png_that_fits_the_width() -> None:
    (apercu,) = apercus(Nature.JPEG, jpeg((3000, 1000)), largeur_max=500)
    image = lire_png(apercu)
    assert image.size == (500, 167) and image.mode == "RGB"


def test_a_small_image_is_not_enlarged() -> None:
    assert lire_png(apercus(Nature.PNG, png())[0]).size == (40, 30)


def test_exif_orientation_is_applied_and_metadata_stripped() -> None:
    (apercu,) = apercus(Nature.JPEG, jpeg_avec_orientation())
    image = lire_png(apercu)
    assert image.size == (20, 40)
    rouge, bleu = image.getpixel((10, 3)), image.getpixel((10, 36))
    assert rouge[0] > 200 and rouge[2] < 60  # the left of the stored image is now the top
    assert bleu[2] > 200 and bleu[0] < 60
    assert "exif" not in image.info and b"eXIf" not in apercu and b"Fabricant" not in apercu
    assert not any(chunk in apercu for chunk in (b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"pHYs"))


def test_transparency_is_shown_on_white() -> None:
    transparente = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    image = lire_png(apercus(Nature.PNG, png(transparente))[0])
    assert image.mode == "RGB" and image.getpixel((5, 5)) == (255, 255, 255)


def test_a_16_bit_greyscale_png_is_stretched_to_8_bits() -> None:
    valeurs = np.array([[0, 1000], [1000, 0]], dtype=np.uint16)
    image = lire_png(apercus(Nature.PNG, png(Image.fromarray(valeurs)))[0])
    assert image.mode == "L" and (image.getpixel((0, 0)), image.getpixel((1, 0))) == (0, 255)


def test_a_two_page_tiff_yields_two_previews() -> None:
    donnees = tiff(2)
    assert [lire_png(a).size for a in apercus(Nature.TIFF, donnees)] == [(30, 20), (40, 20)]
    assert len(apercus(Nature.TIFF, donnees, limite=1)) == 1


def test_a_pdf_yields_one_preview_per_page_about_the_width_asked() -> None:
    donnees = pdf(3)
    images = [lire_png(a) for a in apercus(Nature.PDF, donnees, largeur_max=400)]
    assert [i.size for i in images] == [(400, 600)] * 3
    assert images[1].getpixel((200, 300))[1] > 100  # the green page
    assert len(apercus(Nature.PDF, donnees, limite=2)) == 2


def test_thumbnails_fit_the_side_asked() -> None:
    for nature, donnees in (
        (Nature.PDF, pdf(3)),
        (Nature.JPEG, jpeg((3000, 1000))),
        (Nature.TIFF, tiff(2)),
        (Nature.DICOM, octets(dicom(bandes()))),
    ):
        vignette = miniature(nature, donnees, cote=100)
        assert vignette is not None
        largeur, hauteur = lire_jpeg(vignette).size
        assert max(largeur, hauteur) <= 100, nature


def test_the_default_thumbnail_is_320_pixels_at_most() -> None:
    vignette = miniature(Nature.PDF, pdf(1))
    assert vignette is not None
    largeur, hauteur = lire_jpeg(vignette).size
    assert abs(largeur - 213) <= 1 and hauteur == 320


def test_a_thumbnail_is_a_jpeg_without_metadata_and_the_orientation_applied() -> None:
    vignette = miniature(Nature.JPEG, jpeg_avec_orientation())
    assert vignette is not None
    image = lire_jpeg(vignette)
    assert image.size == (20, 40) and image.mode == "RGB"
    assert image.getpixel((10, 3))[0] > 200  # the left of the stored image is now the top
    assert "exif" not in image.info and b"Exif" not in vignette and b"Fabricant" not in vignette
    assert "icc_profile" not in image.info and "comment" not in image.info


def test_a_corrupt_image_gives_no_preview_but_an_error() -> None:
    with pytest.raises(FichierCorrompu):
        apercus(Nature.PNG, bruit_png()[:300])


# --- Robustness ---------------------------------------------------------------------------------

ECHANTILLONS = [
    (Nature.PDF, pdf(1)),
    (Nature.JPEG, jpeg()),
    (Nature.PNG, png()),
    (Nature.TIFF, tiff(1)),
    (Nature.DICOM, octets(dicom(bandes()))),
    (Nature.TEXTE, b"texte\n"),
]


@pytest.mark.filterwarnings("ignore::UserWarning")  # what the parsers say of damaged files
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(ECHANTILLONS),
    st.integers(min_value=0, max_value=10_000),
    st.binary(min_size=1, max_size=16),
)
def test_a_damaged_file_is_described_or_corrupt_and_previewable_when_said_so(
    echantillon: tuple[Nature, bytes], position: int, degats: bytes
) -> None:
    nature, donnees = echantillon
    position %= len(donnees)
    abime = donnees[:position] + degats + donnees[position + len(degats) :]
    try:
        description = decrire(nature, abime)
    except FichierCorrompu as erreur:
        assert erreur.message
        return
    if description.apercu_possible:  # then previews can be made
        assert all(
            a.startswith(PNG_MAGIE) for a in apercus(nature, abime, largeur_max=200, limite=2)
        )
