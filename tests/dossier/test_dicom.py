"""DICOM previews for every compression a decoder here handles, palette colour in either byte
order, datasets without the Part-10 header, and hostile pixel data. The files are pydicom's own
test files (``pydicom/data/test_files``) and those of the ``pydicom-data`` package, found offline
(``get_testdata_file(download=False)``), or built here from them."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pydicom import dcmread, dcmwrite
from pydicom.data import data_manager, get_testdata_file
from pydicom.dataset import Dataset
from pydicom.encaps import generate_frames
from pydicom.uid import (
    HTJ2K,
    JPEG2000,
    JPEG2000MC,
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    HTJ2KLossless,
    HTJ2KLosslessRPCL,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEG2000MCLossless,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    JPEGLSNearLossless,
    generate_uid,
)

from dossier.formats import commun, dicom_lecture
from dossier.formats.apercus import apercus, miniature
from dossier.formats.commun import FichierCorrompu, FichierRefuse, MotifRefus, Nature
from dossier.formats.detection import detecter
from dossier.formats.pixels import taille_cible
from dossier.formats.validation import decrire

from .test_fichiers import dicom, encapsule, octets


@pytest.fixture(autouse=True)
def _hors_ligne(monkeypatch: pytest.MonkeyPatch) -> None:
    """pydicom downloads a test file it does not find: never here (no network, and a test must
    say which package ships its files)."""

    def interdit(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("pydicom tried to download a test file")

    monkeypatch.setattr(data_manager, "data_path_with_download", interdit)


def fichier(nom: str) -> bytes:
    chemin = get_testdata_file(nom, download=False)
    if chemin is None:
        pytest.fail(
            f"{nom} is not installed: pydicom-data ships it (pip install -e '.[dev]')",
            pytrace=False,
        )
    return Path(str(chemin)).read_bytes()


def syntaxe(donnees: bytes) -> UID:
    ds = dcmread(io.BytesIO(donnees), stop_before_pixels=True, force=True)
    return UID(ds.file_meta.TransferSyntaxUID)


def lire_png(donnees: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(donnees))
    assert image.format == "PNG"
    image.load()
    return image


def uniforme(image: Image.Image) -> bool:
    extremes = image.getextrema()
    bandes = extremes if isinstance(extremes[0], tuple) else (extremes,)
    return all(bas == haut for bas, haut in bandes)


def reecrite(donnees: bytes, **changements: Any) -> bytes:
    """The same file with some elements or its transfer syntax changed."""
    ds = dcmread(io.BytesIO(donnees))
    if "syntaxe" in changements:
        ds.file_meta.TransferSyntaxUID = changements.pop("syntaxe")
    for mot_cle, valeur in changements.items():
        setattr(ds, mot_cle, valeur)
    sortie = io.BytesIO()
    dcmwrite(sortie, ds, enforce_file_format=True)
    return sortie.getvalue()


# --- Every compression, from real files -------------------------------------------------------

COMPRESSIONS: list[tuple[str, UID]] = [
    ("JPGLosslessP14SV1_1s_1f_8b.dcm", JPEGLosslessSV1),  # pydicom-data, ultrasound, 8 bits
    ("JPEG-LL.dcm", JPEGLosslessSV1),  # pydicom-data, nuclear medicine, 16 bits
    ("SC_rgb_jpeg_gdcm.dcm", JPEGLosslessSV1),  # colour
    ("MR_small_jpeg_ls_lossless.dcm", JPEGLSLossless),
    ("emri_small_jpeg_ls_lossless.dcm", JPEGLSLossless),  # pydicom-data, 10 frames, 12 bits
    ("JPEGLSNearLossless_08.dcm", JPEGLSNearLossless),
    ("JPEGLSNearLossless_16.dcm", JPEGLSNearLossless),
    ("SC_rgb_jls_lossy_sample.dcm", JPEGLSNearLossless),  # colour
    ("JPGExtended.dcm", JPEGExtended12Bit),
    ("MR_small_jp2klossless.dcm", JPEG2000Lossless),
    ("US1_J2KR.dcm", JPEG2000Lossless),  # pydicom-data, YBR_RCT colour
    ("JPEG2000.dcm", JPEG2000),
    ("US1_J2KI.dcm", JPEG2000),  # pydicom-data, YBR_ICT colour
    ("RG3_J2KI.dcm", JPEG2000),  # pydicom-data, MONOCHROME1, larger than a preview
]


@pytest.mark.parametrize(("nom", "attendue"), COMPRESSIONS, ids=[n for n, _ in COMPRESSIONS])
def test_each_compression_gets_previews_that_show_the_image(nom: str, attendue: UID) -> None:
    donnees = fichier(nom)
    assert syntaxe(donnees) == attendue  # the file is what the test says it is
    ds = dcmread(io.BytesIO(donnees), stop_before_pixels=True)
    assert detecter(donnees[:8192]) is Nature.DICOM
    description = decrire(Nature.DICOM, donnees)
    assert description.apercu_possible is True, description.remarque
    assert (description.largeur, description.hauteur) == (ds.Columns, ds.Rows)
    images = [lire_png(a) for a in apercus(Nature.DICOM, donnees)]
    assert len(images) == min(int(ds.get("NumberOfFrames") or 1), 50)
    for image in images:
        assert image.size == taille_cible((ds.Columns, ds.Rows), (1600, 6400))
        assert not uniforme(image)
    assert miniature(Nature.DICOM, donnees) is not None


# --- JPEG lossless, process 14, every predictor (a codestream built here) ----------------------


def _bits_differences(difference: int) -> tuple[int, int]:
    """The category (SSSS) of a difference and its extra bits (T.81 H.1.2.2)."""
    if difference == 0:
        return 0, 0
    categorie = abs(difference).bit_length()
    if categorie == 16:  # 32768: no extra bits
        return 16, 0
    supplement = difference if difference > 0 else difference - 1
    return categorie, supplement & ((1 << categorie) - 1)


def jpeg_sans_perte(valeurs: np.ndarray[Any, Any], predicteur: int, precision: int) -> bytes:
    """A JPEG lossless (process 14) codestream of one grey component (ITU-T T.81 annex H):
    17 difference categories, each coded on 5 bits."""
    hauteur, largeur = valeurs.shape
    x = valeurs.astype(np.int64)
    bits: list[str] = []
    for ligne in range(hauteur):
        for colonne in range(largeur):
            a = x[ligne, colonne - 1] if colonne else 0
            b = x[ligne - 1, colonne] if ligne else 0
            c = x[ligne - 1, colonne - 1] if ligne and colonne else 0
            if ligne == 0 and colonne == 0:
                prediction = 1 << (precision - 1)
            elif ligne == 0:
                prediction = a
            elif colonne == 0:
                prediction = b
            else:
                prediction = {
                    1: a,
                    2: b,
                    3: c,
                    4: a + b - c,
                    5: a + ((b - c) >> 1),
                    6: b + ((a - c) >> 1),
                    7: (a + b) >> 1,
                }[predicteur]
            difference = int(x[ligne, colonne] - prediction) % 65536
            if difference >= 32768 and difference != 32768:
                difference -= 65536
            categorie, supplement = _bits_differences(difference)
            bits.append(format(categorie, "05b"))
            if 0 < categorie < 16:
                bits.append(format(supplement, f"0{categorie}b"))
    flux = "".join(bits)
    flux += "1" * (-len(flux) % 8)
    donnees = bytearray()
    for debut in range(0, len(flux), 8):
        octet = int(flux[debut : debut + 8], 2)
        donnees.append(octet)
        if octet == 0xFF:
            donnees.append(0x00)
    sof = struct.pack(">BHHB", precision, hauteur, largeur, 1) + bytes([1, 0x11, 0])
    dht = bytes([0x00]) + bytes([0, 0, 0, 0, 17] + [0] * 11) + bytes(range(17))
    sos = bytes([1, 1, 0x00, predicteur, 0, 0])
    return (
        b"\xff\xd8"
        + b"\xff\xc3" + struct.pack(">H", 2 + len(sof)) + sof
        + b"\xff\xc4" + struct.pack(">H", 2 + len(dht)) + dht
        + b"\xff\xda" + struct.pack(">H", 2 + len(sos)) + sos
        + bytes(donnees)
        + b"\xff\xd9"
    )  # fmt: skip


def dicom_gris(valeurs: np.ndarray[Any, Any], *, bits: int = 16) -> Dataset:
    """The CT-like dataset of ``test_fichiers``, without rescale or window, ``bits`` stored."""
    ds = dicom(valeurs, pente=None, ordonnee=None, centre=None, largeur=None)
    alloues = 8 if bits <= 8 else 16
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = alloues, bits, bits - 1
    ds.PixelData = valeurs.astype("u1" if alloues == 8 else "<u2").tobytes()
    return ds


def motif(precision: int, taille: tuple[int, int] = (24, 32)) -> np.ndarray[Any, Any]:
    """Gradients, an edge and noise, within ``precision`` bits."""
    hauteur, largeur = taille
    lignes, colonnes = np.mgrid[0:hauteur, 0:largeur]
    valeurs = (lignes * 37 + colonnes * 11) % (1 << precision)
    valeurs[:, largeur // 2 :] = (1 << precision) - 1 - valeurs[:, largeur // 2 :]
    bruit = np.random.default_rng(7).integers(0, 1 << precision, size=taille)
    valeurs[: hauteur // 3] = bruit[: hauteur // 3]
    return valeurs.astype(np.uint16)


@pytest.mark.parametrize("predicteur", range(1, 8))
@pytest.mark.parametrize("precision", [8, 12, 16])
def test_jpeg_lossless_process_14_decodes_exactly_whatever_the_predictor(
    predicteur: int, precision: int
) -> None:
    valeurs = motif(precision)
    syntaxe_ = JPEGLosslessSV1 if predicteur == 1 else JPEGLossless
    ds = dicom_gris(valeurs, bits=precision)
    donnees = octets(encapsule(ds, syntaxe_, [jpeg_sans_perte(valeurs, predicteur, precision)]))
    (decodee,) = dicom_lecture.trames(dicom_lecture.lire_dataset(donnees), 1)
    assert np.array_equal(decodee, valeurs)  # lossless: every value back
    assert decrire(Nature.DICOM, donnees).apercu_possible is True
    (image,) = [lire_png(a) for a in apercus(Nature.DICOM, donnees)]
    assert image.size == (32, 24) and not uniforme(image)


# --- JPEG 2000: Part 2 and HTJ2K RPCL (built from real codestreams) ---------------------------


@pytest.mark.parametrize(
    ("nom", "autre"),
    [
        ("MR_small_jp2klossless.dcm", JPEG2000MCLossless),
        ("US1_J2KR.dcm", JPEG2000MCLossless),
        ("JPEG2000.dcm", JPEG2000MC),
        ("MR_small_jp2klossless.dcm", HTJ2KLossless),
        ("MR_small_jp2klossless.dcm", HTJ2KLosslessRPCL),
        ("JPEG2000.dcm", HTJ2K),
    ],
)
def test_the_other_jpeg_2000_transfer_syntaxes_are_previewed(nom: str, autre: UID) -> None:
    """No package here ships a Part 2 or an HTJ2K file (pydicom downloads its HTJ2K ones). A
    Part 1 codestream is a valid Part 2 one, and HTJ2K decoders read Part 1 codestreams: the
    same frames under the other transfer syntaxes take the other decoding paths (openjpeg
    directly for Part 2, which pydicom does not decode; pydicom's HTJ2K decoders)."""
    origine = fichier(nom)
    donnees = reecrite(origine, syntaxe=autre)
    assert decrire(Nature.DICOM, donnees).apercu_possible is True
    attendues = [lire_png(a) for a in apercus(Nature.DICOM, origine)]
    obtenues = [lire_png(a) for a in apercus(Nature.DICOM, donnees)]
    assert [i.size for i in obtenues] == [i.size for i in attendues]
    for obtenue, attendue in zip(obtenues, attendues, strict=True):
        assert not uniforme(obtenue)
        assert np.array_equal(np.asarray(obtenue), np.asarray(attendue))


# --- Palette colour ---------------------------------------------------------------------------


def statistiques(image: Image.Image) -> np.ndarray[Any, Any]:
    pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    return np.concatenate([pixels.mean(axis=(0, 1)), pixels.std(axis=(0, 1))])


@pytest.mark.parametrize(
    ("petit", "grand"),
    [
        ("OBXXXX1A.dcm", "OBXXXX1A_expb.dcm"),  # 8-bit indices, 16-bit tables
        ("OBXXXX1A_2frame.dcm", "OBXXXX1A_expb_2frame.dcm"),
        ("gdcm-US-ALOKA-16.dcm", "gdcm-US-ALOKA-16_big.dcm"),  # 16-bit indices
    ],
)
def test_big_endian_palette_colour_renders_like_its_little_endian_twin(
    petit: str, grand: str
) -> None:
    donnees_petit, donnees_grand = fichier(petit), fichier(grand)
    assert syntaxe(donnees_grand) == ExplicitVRBigEndian
    assert syntaxe(donnees_petit) in (ExplicitVRLittleEndian, ImplicitVRLittleEndian)
    assert decrire(Nature.DICOM, donnees_grand).apercu_possible is True
    images_petit = [lire_png(a) for a in apercus(Nature.DICOM, donnees_petit)]
    images_grand = [lire_png(a) for a in apercus(Nature.DICOM, donnees_grand)]
    assert len(images_grand) == len(images_petit) >= 1
    for image_grand, image_petit in zip(images_grand, images_petit, strict=True):
        assert image_grand.mode == "RGB" and image_grand.size == image_petit.size
        assert not uniforme(image_grand)
        assert np.allclose(statistiques(image_grand), statistiques(image_petit), atol=0.5)


def test_palette_colour_shows_the_colours_of_its_lookup_table() -> None:
    (image,) = [lire_png(a) for a in apercus(Nature.DICOM, fichier("OBXXXX1A_expb.dcm"))]
    pixels = np.asarray(image, dtype=np.int64)
    bleus = (pixels[..., 2] - pixels[..., 0]) > 40  # the blue banner of the ultrasound screen
    assert bleus.mean() > 0.05
    assert pixels.max() >= 250  # the tables' full 16-bit range, not their bytes swapped


def test_a_12_bit_jpeg_that_the_decoder_refuses_is_kept_without_preview() -> None:
    """pydicom's JPEG-lossy.dcm: a non-conformant codestream (a sequential scan whose spectral
    selection is not 0–63) that libjpeg rightly refuses."""
    donnees = fichier("JPEG-lossy.dcm")
    assert syntaxe(donnees) == JPEGExtended12Bit
    description = decrire(Nature.DICOM, donnees)
    assert description.apercu_possible is False
    assert description.remarque is not None and "JPEG Extended" in description.remarque
    assert "n'ont pas pu être décodées" in description.remarque
    assert miniature(Nature.DICOM, donnees) is None


# --- A preview is promised only when it shows something ---------------------------------------


def test_frames_of_one_colour_get_no_preview_and_say_why() -> None:
    donnees = octets(dicom_gris(np.full((16, 16), 700, dtype=np.uint16)))
    description = decrire(Nature.DICOM, donnees)
    assert description.apercu_possible is False
    assert description.remarque is not None and "une seule couleur" in description.remarque


def test_frames_that_decode_to_nothing_get_no_preview(monkeypatch: pytest.MonkeyPatch) -> None:
    donnees = octets(dicom_gris(motif(12), bits=12))
    assert decrire(Nature.DICOM, donnees).apercu_possible is True

    def noires(_ds: Dataset, nombre: int) -> Any:
        return iter([np.zeros((24, 32), dtype=np.uint16)] * nombre)

    monkeypatch.setattr("dossier.formats.dicom.trames", noires)
    assert decrire(Nature.DICOM, donnees).apercu_possible is False


def test_a_thin_line_between_the_samples_of_a_thumbnail_still_shows() -> None:
    valeurs = np.zeros((1024, 1024), dtype=np.uint16)
    valeurs[:, 3] = 4000  # a one-pixel line that a 64-pixel sample misses
    description = decrire(Nature.DICOM, octets(dicom_gris(valeurs, bits=12)))
    assert description.apercu_possible is True


def test_a_series_whose_first_frame_is_blank_is_still_previewed() -> None:
    valeurs = np.stack([np.zeros((24, 32), dtype=np.uint16), motif(12)])
    ds = dicom_gris(valeurs, bits=12)
    ds.NumberOfFrames = 2
    assert decrire(Nature.DICOM, octets(ds)).apercu_possible is True


# --- Datasets without the Part-10 header ------------------------------------------------------


def sans_entete(donnees: bytes, *, implicite: bool = False) -> bytes:
    """The dataset alone, as old modalities and some CD exports write it: no preamble, no
    "DICM", no file meta group."""
    ds = dcmread(io.BytesIO(donnees))
    del ds.file_meta
    ds.preamble = None
    sortie = io.BytesIO()
    dcmwrite(sortie, ds, implicit_vr=implicite, little_endian=True)
    return sortie.getvalue()


def jeu_seul(donnees: bytes) -> bytes:
    """The bytes of a Part-10 file's dataset, as they are (big endian stays big endian): after
    the preamble, "DICM" and the meta group, whose length (0002,0000) gives."""
    assert donnees[128:136] == b"DICM\x02\x00\x00\x00"
    (longueur,) = struct.unpack_from("<I", donnees, 140)
    return donnees[144 + longueur :]


@pytest.mark.parametrize(
    ("nom", "modalite"),
    [
        ("ExplVR_LitEndNoMeta.dcm", "RTPLAN"),  # explicit VR, little endian
        ("ExplVR_BigEndNoMeta.dcm", "RTPLAN"),  # explicit VR, big endian
        ("rtstruct.dcm", "RTSTRUCT"),
        ("OT-PAL-8-face.dcm", "OT"),  # pydicom-data: an image, palette colour
    ],
)
def test_pydicoms_files_without_a_header_are_accepted(nom: str, modalite: str) -> None:
    donnees = fichier(nom)
    assert donnees[128:132] != b"DICM"
    assert detecter(donnees[:8192], fin=donnees[-1024:]) is Nature.DICOM
    assert decrire(Nature.DICOM, donnees).modalite == modalite


@pytest.mark.parametrize(
    ("nom", "decouper"),
    [
        ("CT_small.dcm", lambda d: sans_entete(d, implicite=True)),
        ("CT_small.dcm", lambda d: sans_entete(d, implicite=False)),
        ("MR_small_bigendian.dcm", jeu_seul),
        ("emri_small_big_endian.dcm", jeu_seul),  # pydicom-data, 10 frames
    ],
)
def test_an_image_without_a_header_is_described_and_previewed_like_the_file(
    nom: str, decouper: Any
) -> None:
    complet = fichier(nom)
    nu = decouper(complet)
    assert not nu.startswith(complet[:132])
    assert detecter(nu[:8192]) is Nature.DICOM
    assert decrire(Nature.DICOM, nu) == decrire(Nature.DICOM, complet)
    assert apercus(Nature.DICOM, nu) == apercus(Nature.DICOM, complet)


def test_a_palette_colour_image_without_a_header_is_previewed() -> None:
    donnees = fichier("OT-PAL-8-face.dcm")
    description = decrire(Nature.DICOM, donnees)
    assert description.apercu_possible is True
    assert (description.largeur, description.hauteur) == (640, 480)
    (image,) = [lire_png(a) for a in apercus(Nature.DICOM, donnees)]
    assert image.mode == "RGB" and image.size == (640, 480) and not uniforme(image)


def test_random_bytes_that_start_like_a_dataset_are_refused_with_what_to_do() -> None:
    donnees = b"\x08\x00\x05\x00CS\x0a\x00ISO_IR 100" + bytes(range(256)) * 8
    with pytest.raises(FichierRefuse) as refus:
        detecter(donnees)
    assert refus.value.motif is MotifRefus.INCONNU
    assert "DICOM" in refus.value.message and "Exportez" in refus.value.message
    with pytest.raises(FichierCorrompu, match="Exportez"):
        decrire(Nature.DICOM, donnees)


def test_a_dataset_of_an_unknown_class_without_an_image_is_refused() -> None:
    ds = Dataset()
    ds.SOPClassUID = "1.2.3.4.5"
    ds.SOPInstanceUID = generate_uid()
    ds.PatientName = "X^Y"
    sortie = io.BytesIO()
    dcmwrite(sortie, ds, implicit_vr=True, little_endian=True)
    with pytest.raises(FichierRefuse, match="Exportez"):
        detecter(sortie.getvalue())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    debut=st.sampled_from([b"\x08\x00", b"\x00\x08", b"\x02\x00"]),
    reste=st.binary(min_size=0, max_size=4096),
)
def test_random_bytes_never_become_dicom_through_force(debut: bytes, reste: bytes) -> None:
    with pytest.raises(FichierRefuse):
        detecter(debut + reste)


def test_a_file_with_neither_header_nor_a_dataset_start_is_not_read_as_dicom() -> None:
    with pytest.raises(FichierRefuse) as refus:
        detecter(b"\x01\x02\x03\x00" * 100)
    assert refus.value.message.startswith("Le format de ce fichier n'est pas reconnu.")


# --- Hostile pixel data stays bounded ---------------------------------------------------------


def _premiere_trame(donnees: bytes) -> tuple[Dataset, bytes]:
    ds = dcmread(io.BytesIO(donnees))
    return ds, next(generate_frames(ds.PixelData, number_of_frames=1))


def _avec_trame(ds: Dataset, trame: bytes) -> bytes:
    return octets(encapsule(ds, ds.file_meta.TransferSyntaxUID, [trame]))


def _j2k_de_taille(trame: bytes, largeur: int, hauteur: int) -> bytes:
    siz = bytearray(trame)
    debut = siz.find(b"\xff\x4f\xff\x51")
    struct.pack_into(">IIII", siz, debut + 8, largeur, hauteur, 0, 0)
    return bytes(siz)


def _jpeg_de_taille(trame: bytes, largeur: int, hauteur: int) -> bytes:
    modifiee = bytearray(trame)
    for marqueur in (b"\xff\xc1", b"\xff\xc3", b"\xff\xf7", b"\xff\xc0"):
        position = modifiee.find(marqueur)
        if position != -1:
            struct.pack_into(">HH", modifiee, position + 5, hauteur, largeur)
            return bytes(modifiee)
    raise AssertionError("no frame header")


@pytest.mark.parametrize(
    ("nom", "retailler"),
    [
        ("MR_small_jp2klossless.dcm", _j2k_de_taille),
        ("US1_J2KR.dcm", _j2k_de_taille),
        ("MR_small_jpeg_ls_lossless.dcm", _jpeg_de_taille),
        ("JPGExtended.dcm", _jpeg_de_taille),
    ],
)
def test_a_compressed_frame_announcing_a_bomb_is_refused_before_decoding(
    nom: str, retailler: Any
) -> None:
    ds, trame = _premiere_trame(fichier(nom))
    bombe = _avec_trame(ds, retailler(trame, 60000, 60000))
    with pytest.raises(FichierCorrompu, match="trop grande"):
        decrire(Nature.DICOM, bombe)
    with pytest.raises(FichierCorrompu, match="trop grande"):
        apercus(Nature.DICOM, bombe)


@pytest.mark.parametrize(
    ("nom", "retailler"),
    [("MR_small_jp2klossless.dcm", _j2k_de_taille), ("JPGExtended.dcm", _jpeg_de_taille)],
)
def test_a_compressed_frame_of_another_size_than_the_dataset_is_kept_without_preview(
    nom: str, retailler: Any
) -> None:
    ds, trame = _premiere_trame(fichier(nom))
    autre = _avec_trame(ds, retailler(trame, int(ds.Columns) * 2, int(ds.Rows)))
    description = decrire(Nature.DICOM, autre)
    assert description.apercu_possible is False
    assert description.remarque is not None and "visionneuse DICOM" in description.remarque


def test_a_deflated_dataset_is_read_and_a_deflate_bomb_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    donnees = fichier("image_dfl.dcm")
    assert syntaxe(donnees) == DeflatedExplicitVRLittleEndian
    assert decrire(Nature.DICOM, donnees).apercu_possible is True
    monkeypatch.setattr(dicom_lecture, "TAILLE_INFLATEE_MAX", 10_000)
    with pytest.raises(FichierCorrompu, match="trop volumineux"):
        decrire(Nature.DICOM, donnees)


def test_a_frame_larger_than_the_limits_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commun, "PIXELS_MAX", 100)
    with pytest.raises(FichierCorrompu, match="trop grande"):
        decrire(Nature.DICOM, fichier("JPEG2000.dcm"))


def test_jpip_referenced_pixels_are_accepted_without_preview() -> None:
    ds = dicom_gris(motif(12), bits=12)
    del ds.PixelData
    ds.file_meta.TransferSyntaxUID = UID("1.2.840.10008.1.2.4.94")  # JPIP Referenced
    ds.PixelDataProviderURL = "https://pacs.example/jpip?uid=1"
    donnees = octets(ds)
    description = decrire(Nature.DICOM, donnees)
    assert description.apercu_possible is False
    assert description.remarque is not None and "serveur" in description.remarque
    assert apercus(Nature.DICOM, donnees) == []
