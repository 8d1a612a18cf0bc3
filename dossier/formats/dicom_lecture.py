"""Reading a DICOM file before any pixel is shown: the dataset, and its frames decoded one at a
time, each limit checked *before* a library allocates anything.

- A Part-10 file (128-byte preamble, "DICM") is read as it is. A bare dataset (no preamble,
  no "DICM": old modalities, some CD exports) is read with pydicom's ``force`` only when it is
  plausible: it starts with an element of group 0002 or 0008 and holds a SOP Class UID that the
  standard defines, or the image module (rows, columns, bits) and standard group 0008 elements.
  Anything else is refused (random bytes must not become "DICOM" through ``force``).
- A deflated dataset is inflated once, counting, before pydicom inflates it: beyond
  ``TAILLE_INFLATEE_MAX`` it is a decompression bomb, refused.
- Compressed frames announce their size in their own header (JPEG, JPEG-LS: SOF; JPEG 2000:
  SIZ): a frame larger than the limits is a bomb (refused), one that disagrees with the
  dataset's rows and columns cannot be previewed. Only then is it decoded: by pydicom's decoders
  (Pillow, and pylibjpeg with its libjpeg and openjpeg plugins: JPEG lossless, JPEG-LS, 12-bit
  JPEG, JPEG 2000 and HTJ2K), and by openjpeg directly for JPEG 2000 Part 2 (multi-component),
  which pydicom does not decode.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
import openjpeg
from pydicom import dcmread
from pydicom.datadict import dictionary_has_tag
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import generate_frames
from pydicom.filereader import read_dataset
from pydicom.pixels import get_decoder, iter_pixels
from pydicom.uid import (
    JPEG2000MC,
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000MCLossless,
    JPEG2000TransferSyntaxes,
    JPEGLSTransferSyntaxes,
    JPEGTransferSyntaxes,
)

from .commun import (
    ApercuImpossible,
    ErreurFichier,
    FichierCorrompu,
    analyse,
    controler_pixels,
    controler_total,
)

MESSAGE_DICOM = "Ce fichier DICOM est endommagé ou incomplet : il ne peut pas être lu."
MESSAGE_SANS_ENTETE = (
    "Ce fichier ressemble à de l'imagerie DICOM sans en-tête standard, mais il ne peut pas être "
    "lu. Exportez l'examen depuis le CD ou le portail d'imagerie au format DICOM (fichiers "
    "« .dcm »), puis déposez ces fichiers."
)
TAILLE_INFLATEE_MAX = 512 * 1024 * 1024
"""Largest deflated dataset inflated, in bytes (five times the largest upload): beyond, a
decompression bomb."""

_DEBUTS_NUS = (b"\x02\x00", b"\x08\x00", b"\x00\x08")
"""How a bare dataset starts: group 0002 (meta, always little endian) or 0008, little or big
endian."""
_J2K_PART_2 = frozenset({JPEG2000MCLossless, JPEG2000MC})
_JPEG = frozenset((*JPEGTransferSyntaxes, *JPEGLSTransferSyntaxes))
_J2K = frozenset(JPEG2000TransferSyntaxes)
_COMPOSANTES_MAX = 4


# --- The dataset -------------------------------------------------------------------------------


def lire_dataset(donnees: bytes) -> Dataset:
    """The dataset of a Part-10 file or of a plausible bare dataset; FichierCorrompu otherwise."""
    part_10 = donnees[128:132] == b"DICM"
    if part_10 or donnees.startswith(b"\x02\x00"):
        _controler_inflation(donnees, 132 if part_10 else 0)
    if part_10:
        with analyse(MESSAGE_DICOM):
            return dcmread(io.BytesIO(donnees), force=False)
    if not donnees.startswith(_DEBUTS_NUS):
        raise FichierCorrompu(MESSAGE_SANS_ENTETE)
    with analyse(MESSAGE_SANS_ENTETE):
        ds = _lire_force(donnees, avant_pixels=False)
    if not dataset_plausible(ds):
        raise FichierCorrompu(MESSAGE_SANS_ENTETE)
    _completer_syntaxe(ds)
    return ds


def debut_plausible(debut: bytes) -> bool:
    """Whether the start of a file without "DICM" is a plausible bare DICOM dataset (for
    :func:`.detection.detecter`; the whole file is read again by :func:`lire_dataset`)."""
    if not debut.startswith(_DEBUTS_NUS):
        return False
    try:
        return dataset_plausible(_lire_force(debut, avant_pixels=True))
    except Exception:  # any failure of the parser on untrusted bytes: not a dataset
        return False


def _lire_force(donnees: bytes, *, avant_pixels: bool) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns on every guess it makes
        return dcmread(io.BytesIO(donnees), force=True, stop_before_pixels=avant_pixels)


def dataset_plausible(ds: Dataset) -> bool:
    """A SOP Class UID defined by the standard, or the image module with at least two standard
    group 0008 elements. Never raises: a value that does not convert makes it implausible."""
    try:
        meta = getattr(ds, "file_meta", None)
        classe = ds.get("SOPClassUID") or (meta.get("MediaStorageSOPClassUID") if meta else None)
        if classe is not None and _classe_sop_standard(UID(str(classe))):
            return True
        image = all(isinstance(ds.get(m), int) for m in ("Rows", "Columns", "BitsAllocated"))
        etiquettes = list(ds.keys())  # the tags only: the values may not convert
        groupe_8 = [t for t in etiquettes if t.group == 0x0008 and dictionary_has_tag(t)]
        return image and len(groupe_8) >= 2
    except Exception:  # a value of untrusted bytes that does not convert
        return False


def _classe_sop_standard(classe: UID) -> bool:
    return classe.is_valid and not classe.is_private and classe.type == "SOP Class"


def _completer_syntaxe(ds: Dataset) -> None:
    """A bare dataset has no transfer syntax, which pixel decoding needs: the encoding pydicom
    found. Encapsulated pixel data keeps none (its compression is unknown)."""
    meta = getattr(ds, "file_meta", None)
    if meta is None:
        meta = ds.file_meta = FileMetaDataset()
    if "TransferSyntaxUID" in meta:
        return
    if "PixelData" in ds and ds["PixelData"].is_undefined_length:
        return
    implicite, petit_boutiste = ds.original_encoding[:2]
    if implicite:
        meta.TransferSyntaxUID = ImplicitVRLittleEndian
    else:
        meta.TransferSyntaxUID = ExplicitVRLittleEndian if petit_boutiste else ExplicitVRBigEndian


def _controler_inflation(donnees: bytes, debut_meta: int) -> None:
    """A deflated dataset inflated once, counting and keeping nothing, before pydicom inflates
    it whole."""
    flux = io.BytesIO(donnees)
    flux.seek(debut_meta)
    with analyse(MESSAGE_DICOM):
        meta = read_dataset(flux, False, True, stop_when=lambda tag, _vr, _long: tag.group != 2)
        syntaxe = meta.get("TransferSyntaxUID")
    if syntaxe is None or UID(str(syntaxe)) != DeflatedExplicitVRLittleEndian:
        return
    inflateur = zlib.decompressobj(-zlib.MAX_WBITS)
    reste: bytes | memoryview = memoryview(donnees)[flux.tell() :]
    taille = 0
    with analyse(MESSAGE_DICOM):
        while reste and not inflateur.eof:
            taille += len(inflateur.decompress(reste, 16 * 1024 * 1024))
            reste = inflateur.unconsumed_tail
            if taille > TAILLE_INFLATEE_MAX:
                raise FichierCorrompu(
                    "Ce fichier DICOM compressé est trop volumineux une fois décompressé : "
                    "il ne peut pas être déposé."
                )


# --- The transfer syntax -----------------------------------------------------------------------


def syntaxe(ds: Dataset) -> UID | None:
    meta = getattr(ds, "file_meta", None)
    valeur = meta.get("TransferSyntaxUID") if meta is not None else None
    return UID(str(valeur)) if valeur else None


def encapsulee(ds: Dataset) -> bool:
    """Compressed pixel data: an encapsulated transfer syntax, an unknown (private or damaged)
    one, or encapsulated pixel data in a bare dataset that names none."""
    uid = syntaxe(ds)
    if uid is None:
        return "PixelData" in ds and bool(ds["PixelData"].is_undefined_length)
    try:
        return uid.is_encapsulated
    except ValueError:  # not a transfer syntax pydicom knows
        return True


def decodable(ds: Dataset) -> bool:
    """A decoder is available here for this dataset's pixel data (True for native data: decoding
    will tell whether it is sound)."""
    if not encapsulee(ds):
        return True
    uid = syntaxe(ds)
    if uid is None:
        return False
    if uid in _J2K_PART_2:
        return True
    try:
        return bool(get_decoder(uid).is_available)
    except NotImplementedError:
        return False


def _nom_compression(ds: Dataset) -> str:
    uid = syntaxe(ds)
    return uid.name if uid is not None and uid.is_transfer_syntax else "inconnue"


def remarque_decodage(ds: Dataset) -> str:
    """Why frames whose compression a decoder here handles give no preview."""
    return (
        f"La compression de ces images DICOM ({_nom_compression(ds)}) est prise en charge, mais "
        "elles n'ont pas pu être décodées pour l'aperçu (données non conformes ou endommagées) : "
        "le fichier est conservé tel quel et s'ouvre avec une visionneuse DICOM."
    )


def remarque_compression(ds: Dataset) -> str:
    """Why frames whose compression no decoder here handles give no preview."""
    return (
        f"La compression de ces images DICOM ({_nom_compression(ds)}) n'est pas prise en charge "
        "pour l'aperçu : le fichier est conservé tel quel et s'ouvre avec une visionneuse DICOM."
    )


# --- The frames --------------------------------------------------------------------------------


def entier(ds: Dataset, mot_cle: str) -> int | None:
    try:
        valeur = ds.get(mot_cle)
        return int(valeur) if valeur is not None and str(valeur).strip() else None
    except (TypeError, ValueError):
        return None


def nombre_images(ds: Dataset) -> int:
    return max(entier(ds, "NumberOfFrames") or 1, 1)


def trames(ds: Dataset, nombre: int) -> Iterator[npt.NDArray[Any]]:
    """The first ``nombre`` frames decoded, one at a time, after the limits are checked; a
    decoding failure becomes FichierCorrompu for native pixel data and ApercuImpossible for
    compressed pixel data."""
    lignes, colonnes = entier(ds, "Rows") or 0, entier(ds, "Columns") or 0
    controler_pixels(colonnes, lignes)
    controler_total(nombre * lignes * colonnes)
    compressee = encapsulee(ds)
    echec: ErreurFichier = (
        ApercuImpossible(remarque_decodage(ds)) if compressee else FichierCorrompu(MESSAGE_DICOM)
    )
    uid = syntaxe(ds)
    if compressee:
        _controler_trames_codees(ds, uid, nombre, (colonnes, lignes), echec)
    with analyse(echec.message, type(echec)):
        if uid in _J2K_PART_2:
            decodees = _trames_j2k_part_2(ds, nombre)
        else:
            decodees = iter_pixels(ds, indices=range(nombre))
    while True:
        with analyse(echec.message, type(echec)):
            trame = next(decodees, None)
        if trame is None:
            return
        yield trame


def _trames_codees(ds: Dataset, nombre: int) -> Iterator[bytes]:
    """The first ``nombre`` compressed frames."""
    codees = generate_frames(ds.PixelData, number_of_frames=nombre_images(ds))
    for _rang, codee in zip(range(nombre), codees, strict=False):
        yield codee


def _trames_j2k_part_2(ds: Dataset, nombre: int) -> Iterator[npt.NDArray[Any]]:
    for codee in _trames_codees(ds, nombre):
        yield np.asarray(openjpeg.decode(codee))


def _controler_trames_codees(
    ds: Dataset, uid: UID | None, nombre: int, taille: tuple[int, int], echec: ErreurFichier
) -> None:
    """Each compressed frame's own header, before it is decoded: larger than the limits, a
    decompression bomb (refused); not the dataset's size, or unreadable, no preview."""
    if uid in _JPEG:
        lire_entete = _dimensions_jpeg
    elif uid in _J2K:
        lire_entete = _dimensions_j2k
    else:  # RLE frames carry no size; their decoder writes into rows × columns
        return
    with analyse(echec.message, type(echec)):
        for codee in _trames_codees(ds, nombre):
            dimensions = lire_entete(codee)
            if dimensions is None:
                raise echec
            largeur, hauteur, composantes = dimensions
            controler_pixels(largeur, hauteur)
            if (largeur, hauteur) != taille or not 1 <= composantes <= _COMPOSANTES_MAX:
                raise echec


_SOF = frozenset({*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), 0xCD, 0xCE, 0xCF})
_SOF_JPEG_LS = 0xF7
_AUTONOMES = frozenset({0x01, *range(0xD0, 0xD8)})


def _dimensions_jpeg(trame: bytes) -> tuple[int, int, int] | None:
    """Width, height and components from a JPEG or JPEG-LS frame header (SOFn, SOF55)."""
    if not trame.startswith(b"\xff\xd8"):
        return None
    position = 2
    while position + 4 <= len(trame):
        if trame[position] != 0xFF:
            return None
        marqueur = trame[position + 1]
        if marqueur == 0xFF:  # fill byte
            position += 1
            continue
        if marqueur in _AUTONOMES:
            position += 2
            continue
        if marqueur in _SOF or marqueur == _SOF_JPEG_LS:
            if position + 10 > len(trame):
                return None
            hauteur, largeur = struct.unpack_from(">HH", trame, position + 5)
            return largeur, hauteur, trame[position + 9]
        if marqueur in (0xD8, 0xD9, 0xDA):  # a scan before any frame header
            return None
        (longueur,) = struct.unpack_from(">H", trame, position + 2)
        if longueur < 2:
            return None
        position += 2 + longueur
    return None


def _dimensions_j2k(trame: bytes) -> tuple[int, int, int] | None:
    """Width, height and components from a JPEG 2000 codestream's SIZ segment (in a JP2 file,
    the contiguous codestream box's)."""
    position = _debut_codestream(trame)
    if position is None or trame[position : position + 4] != b"\xff\x4f\xff\x51":
        return None
    if position + 42 > len(trame):
        return None
    xsiz, ysiz, xosiz, yosiz = struct.unpack_from(">IIII", trame, position + 8)
    (csiz,) = struct.unpack_from(">H", trame, position + 40)
    return xsiz - xosiz, ysiz - yosiz, csiz


def _debut_codestream(trame: bytes) -> int | None:
    if not trame.startswith(b"\x00\x00\x00\x0cjP  "):
        return 0
    position = 0
    while position + 8 <= len(trame):
        longueur, genre = struct.unpack_from(">I4s", trame, position)
        entete = 8
        if longueur == 1:  # the length follows, on 8 bytes
            if position + 16 > len(trame):
                return None
            (longueur,) = struct.unpack_from(">Q", trame, position + 8)
            entete = 16
        if genre == b"jp2c":
            return position + entete
        if longueur < entete:  # 0: the last box, to the end of the file
            return None
        position += longueur
    return None
