"""DICOM files, with pydicom: validation and facts (modality, study date, region, description,
frames), then rendering (modality LUT or rescale, VOI LUT or window, palette, enhanced multi-frame
groups). Reading the dataset and decoding its frames, limits first: :mod:`.dicom_lecture`.

A preview is promised (``apercu_possible``) only when every frame decodes and one of them shows
something: frames of one colour only (a blank series, or pixels that decode to nothing) give
none. DICOM whose pixel compression cannot be decoded here (JPEG-XL, MPEG, HEVC, retired JPEG
processes…), whose compressed frames fail to decode or disagree with the dataset, or whose
pixels are on a JPIP server, is *accepted* without preview: ``apercu_possible=False`` and
``remarque`` says why. The file is kept as it is and can be downloaded for a real DICOM viewer.
Uncompressed pixel data that does not decode (truncated, inconsistent group 0028) is corrupt. A
DICOM object that is not an image (structured report, DICOMDIR…) is accepted without preview; an
image object without pixel data is a truncated file (pydicom stops silently where a file is
cut), hence corrupt.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixels import apply_color_lut, apply_modality_lut, apply_voi
from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian

from .commun import ApercuImpossible, Description, FichierCorrompu, Nature, analyse
from .dicom_lecture import (
    MESSAGE_DICOM,
    decodable,
    entier,
    lire_dataset,
    nombre_images,
    remarque_compression,
    syntaxe,
    trames,
)
from .pixels import Encodeur, ajuster, normer, octets, pas_sous_echantillonnage

_PIXELS_DICOM = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
_DICOM_SANS_APERCU = "Les images de ce fichier DICOM ne peuvent pas être affichées en aperçu."
_DICOM_UNIFORME = (
    "Les images de ce fichier DICOM sont d'une seule couleur : aucun aperçu n'en est fait. Le "
    "fichier est conservé tel quel et s'ouvre avec une visionneuse DICOM."
)
_DICOM_JPIP = (
    "Les images de ce fichier DICOM ne sont pas dans le fichier : elles restent sur le serveur "
    "d'imagerie qui l'a produit (JPIP). Demandez l'examen complet à ce service d'imagerie."
)
_JPIP = frozenset(
    UID(f"1.2.840.10008.1.2.4.{n}") for n in (94, 95, 204, 205)
)  # JPIP Referenced (Deflate), JPIP HTJ2K Referenced (Deflate)
_BOITE_VIGNETTE = (64, 64)
_BOITE_CONTROLE = (2048, 2048)
"""Where a frame that looks uniform at thumbnail size is looked at again, as large as a
preview: thin lines can fall between the samples of a thumbnail."""


# --- Validation and facts ----------------------------------------------------------------------


def _texte_dicom(ds: Dataset, *mots_cles: str) -> str | None:
    for mot_cle in mots_cles:
        valeur = ds.get(mot_cle)
        if valeur is not None and str(valeur).strip():
            return str(valeur).strip()
    return None


def _date_dicom(valeur: object) -> dt.date | None:
    if isinstance(valeur, dt.date):
        return valeur
    texte = str(valeur or "").strip()
    try:
        return dt.datetime.strptime(texte[:8], "%Y%m%d").date() if len(texte) >= 8 else None
    except ValueError:
        return None


def _image_attendue(ds: Dataset) -> bool:
    """Pixel data should be there: pydicom stops silently where a file is cut, so an image
    object without pixel data (or a file without any element past its meta header) is a
    truncated file, not a report or a directory."""
    if len(ds) == 0 or any(m in ds for m in ("Rows", "Columns", "BitsAllocated")):
        return True
    meta = getattr(ds, "file_meta", None)
    classe = ds.get("SOPClassUID") or (meta.get("MediaStorageSOPClassUID") if meta else None)
    return classe is not None and "Image Storage" in UID(str(classe)).name


def decrire_dicom(donnees: bytes) -> Description:
    ds = lire_dataset(donnees)
    with analyse(MESSAGE_DICOM):
        return _decrire_dataset(ds)
    raise AssertionError("unreachable")  # pragma: no cover (mypy: the context may swallow)


def _decrire_dataset(ds: Dataset) -> Description:
    faits: dict[str, Any] = {
        "modalite": _texte_dicom(ds, "Modality"),
        "date_etude": _date_dicom(ds.get("StudyDate")),
        "region": _texte_dicom(ds, "BodyPartExamined"),
        "description": _texte_dicom(ds, "StudyDescription", "SeriesDescription"),
    }
    remarque: str | None
    if not any(mot_cle in ds for mot_cle in _PIXELS_DICOM):
        if syntaxe(ds) in _JPIP and "PixelDataProviderURL" in ds:
            remarque = _DICOM_JPIP
        elif _image_attendue(ds):
            raise FichierCorrompu(MESSAGE_DICOM)
        else:
            remarque = "Ce fichier DICOM ne contient pas d'image."
        return Description(nature=Nature.DICOM, apercu_possible=False, remarque=remarque, **faits)
    images = nombre_images(ds)
    faits |= {"images": images, "largeur": entier(ds, "Columns"), "hauteur": entier(ds, "Rows")}
    remarque = None if decodable(ds) else remarque_compression(ds)
    if remarque is None:
        try:
            remarque = _rien_a_montrer(ds, images)
        except ApercuImpossible as impossible:
            remarque = impossible.message
    return Description(
        nature=Nature.DICOM, apercu_possible=remarque is None, remarque=remarque, **faits
    )


def _rien_a_montrer(ds: Dataset, images: int) -> str | None:
    """Every frame decoded (the validation of the pixel data); why there is nothing to show, or
    None when a frame shows something. The first frame is always rendered, so that
    ``apercu_possible`` can be trusted."""
    montre = False
    for rang, trame in enumerate(trames(ds, images)):
        if not montre:
            montre = _montre_quelque_chose(trame, ds, rang)
    return None if montre else _DICOM_UNIFORME


def _montre_quelque_chose(trame: npt.NDArray[Any], ds: Dataset, rang: int) -> bool:
    with analyse(_DICOM_SANS_APERCU, ApercuImpossible):
        if not _uniforme(_image_dicom(trame, ds, rang, _BOITE_VIGNETTE)):
            return True
        if trame.size == 0 or trame.min() == trame.max():  # the stored values, one colour
            return False
        return not _uniforme(_image_dicom(trame, ds, rang, _BOITE_CONTROLE))
    raise AssertionError("unreachable")  # pragma: no cover (mypy: the context may swallow)


def _uniforme(image: Image.Image) -> bool:
    extremes = image.getextrema()
    bandes = extremes if isinstance(extremes[0], tuple) else (extremes,)
    return all(bas == haut for bas, haut in bandes)


# --- Rendering ---------------------------------------------------------------------------------


def rendus_dicom(
    donnees: bytes, boite: tuple[int, int], limite: int, encoder: Encodeur
) -> Iterator[bytes]:
    ds = lire_dataset(donnees)
    with analyse(MESSAGE_DICOM):
        if not any(mot_cle in ds for mot_cle in _PIXELS_DICOM):
            return
        possible = decodable(ds)
        nombre = min(nombre_images(ds), limite)
    if not possible:
        raise ApercuImpossible(remarque_compression(ds))
    for rang, trame in enumerate(trames(ds, nombre)):
        with analyse(_DICOM_SANS_APERCU, ApercuImpossible):
            image = _image_dicom(trame, ds, rang, boite)
        del trame
        yield encoder(ajuster(image, boite))


def _image_dicom(
    trame: npt.NDArray[Any], ds: Dataset, rang: int, boite: tuple[int, int]
) -> Image.Image:
    """One frame to an 8-bit L or RGB image, subsampled first when far larger than needed."""
    pas = pas_sous_echantillonnage(trame.shape[1], trame.shape[0], boite)
    if pas > 1:
        trame = trame[::pas, ::pas]
    photometrie = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip().upper()
    if photometrie == "PALETTE COLOR" and trame.ndim == 2:
        return Image.fromarray(_couleurs_palette(trame, ds), "RGB")
    if trame.ndim == 3:
        if trame.dtype != np.uint8:
            bits = entier(ds, "BitsStored") or 8 * trame.dtype.itemsize
            trame = octets(trame.astype(np.float64) / float(2**bits - 1))
        return Image.fromarray(np.ascontiguousarray(trame[..., :3]), "RGB")
    normees = _fenetrer(trame, ds, rang)
    if photometrie == "MONOCHROME1":
        normees = 1.0 - normees
    return Image.fromarray(octets(normees), "L")


_TABLES_PALETTE = tuple(
    f"{segmentee}{couleur}PaletteColorLookupTable{partie}"
    for couleur in ("Red", "Green", "Blue", "Alpha")
    for segmentee, partie in (("", "Descriptor"), ("", "Data"), ("Segmented", "Data"))
)


def _couleurs_palette(trame: npt.NDArray[Any], ds: Dataset) -> npt.NDArray[np.uint8]:
    """Palette colour to 8-bit RGB through the lookup tables. pydicom reads 16-bit table entries
    in the machine's byte order: a big-endian file's tables are turned little-endian first (read
    as they are, they made an all-black preview)."""
    if syntaxe(ds) == ExplicitVRBigEndian:
        ds = _palette_petit_boutiste(ds)
    couleurs = apply_color_lut(trame, ds)
    return octets(couleurs / float(np.iinfo(couleurs.dtype).max))


def _palette_petit_boutiste(ds: Dataset) -> Dataset:
    """The palette elements of a big-endian dataset, as a little-endian dataset would hold them."""
    palette = Dataset()
    palette.file_meta = FileMetaDataset()
    palette.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    for mot_cle in _TABLES_PALETTE:
        if mot_cle not in ds:
            continue
        valeur = ds[mot_cle].value
        if mot_cle.endswith("Data") and isinstance(valeur, bytes) and len(valeur) % 2 == 0:
            valeur = np.frombuffer(valeur, dtype=">u2").astype("<u2").tobytes()
        setattr(palette, mot_cle, valeur)
    return palette


def _groupes(ds: Dataset, rang: int) -> list[Dataset]:
    """Where an enhanced multi-frame object keeps per-frame attributes (it has no top-level
    windowing or rescale): this frame's functional groups, then the shared ones."""
    groupes: list[Dataset] = []
    for sequence, indice in (
        ("PerFrameFunctionalGroupsSequence", rang),
        ("SharedFunctionalGroupsSequence", 0),
    ):
        elements = ds.get(sequence)
        if elements is not None and len(elements) > indice:
            groupes.append(elements[indice])
    return groupes


def _dans_groupes(ds: Dataset, rang: int, sequence: str, mot_cle: str) -> Any:
    for groupe in _groupes(ds, rang):
        items = groupe.get(sequence)
        if items and mot_cle in items[0]:
            return items[0].get(mot_cle)
    return None


def _premier_reel(valeur: Any) -> float | None:
    """The first value of a (possibly multi-valued) DS/FD element, if a finite number."""
    if isinstance(valeur, Sequence) and not isinstance(valeur, str | bytes):
        valeur = valeur[0] if len(valeur) else None
    if valeur is None:
        return None
    try:
        reel = float(valeur)
    except (TypeError, ValueError):
        return None
    return reel if math.isfinite(reel) else None


def _valeurs_modalite(
    trame: npt.NDArray[Any], ds: Dataset, rang: int
) -> npt.NDArray[np.floating[Any]]:
    """Stored values to modality values (Hounsfield units for CT): Modality LUT or rescale."""
    if "ModalityLUTSequence" in ds or ("RescaleSlope" in ds and "RescaleIntercept" in ds):
        return np.asarray(apply_modality_lut(trame, ds), dtype=np.float64)
    pente = _premier_reel(
        _dans_groupes(ds, rang, "PixelValueTransformationSequence", "RescaleSlope")
    )
    ordonnee = _premier_reel(
        _dans_groupes(ds, rang, "PixelValueTransformationSequence", "RescaleIntercept")
    )
    valeurs = trame.astype(np.float64)
    if pente is not None and ordonnee is not None:
        valeurs = valeurs * pente + ordonnee
    return valeurs


def _fenetrer(trame: npt.NDArray[Any], ds: Dataset, rang: int) -> npt.NDArray[np.floating[Any]]:
    """Modality values to 0..1: VOI LUT if present, else window centre/width (PS3.3
    C.11.2.1.2), else min–max."""
    valeurs = _valeurs_modalite(trame, ds, rang)
    sequence = ds.get("VOILUTSequence")
    if sequence and "LUTDescriptor" in sequence[0] and "LUTData" in sequence[0]:
        try:
            return _par_lut_voi(valeurs, ds)
        except (ValueError, TypeError, IndexError, NotImplementedError, AttributeError):
            pass
    centre = _premier_reel(ds.get("WindowCenter"))
    largeur = _premier_reel(ds.get("WindowWidth"))
    fonction = ds.get("VOILUTFunction")
    if centre is None or largeur is None:
        centre = _premier_reel(_dans_groupes(ds, rang, "FrameVOILUTSequence", "WindowCenter"))
        largeur = _premier_reel(_dans_groupes(ds, rang, "FrameVOILUTSequence", "WindowWidth"))
        fonction = _dans_groupes(ds, rang, "FrameVOILUTSequence", "VOILUTFunction")
    if centre is not None and largeur is not None and largeur > 0:
        return _fenetre(valeurs, centre, largeur, str(fonction or "LINEAR").strip().upper())
    return normer(valeurs)


def _fenetre(
    valeurs: npt.NDArray[np.floating[Any]], centre: float, largeur: float, fonction: str
) -> npt.NDArray[np.floating[Any]]:
    if fonction == "SIGMOID":
        with np.errstate(over="ignore"):
            return np.asarray(1.0 / (1.0 + np.exp(-4.0 * (valeurs - centre) / largeur)))
    if fonction == "LINEAR_EXACT":
        return np.clip((valeurs - centre) / largeur + 0.5, 0.0, 1.0)
    # LINEAR, the default: centre - 0.5 and width - 1, width >= 1.
    centre, largeur = centre - 0.5, largeur - 1.0
    if largeur <= 0:
        return (valeurs > centre).astype(np.float64)
    return np.clip((valeurs - centre) / largeur + 0.5, 0.0, 1.0)


def _par_lut_voi(
    valeurs: npt.NDArray[np.floating[Any]], ds: Dataset
) -> npt.NDArray[np.floating[Any]]:
    """pydicom's VOI LUT, scaled by the range of the LUT's own entries (many LUTs declare 16
    bits and use 12)."""
    descripteur = ds.VOILUTSequence[0].LUTDescriptor
    entrees, premiere = int(descripteur[0]) or 2**16, int(descripteur[1])
    entiers = np.rint(valeurs).astype(np.int64)
    table = apply_voi(np.arange(premiere, premiere + entrees, dtype=np.int64), ds)
    bas, haut = float(table.min()), float(table.max())
    sortie = apply_voi(entiers, ds).astype(np.float64)
    if haut <= bas:
        return np.zeros(sortie.shape, dtype=np.float64)
    return (sortie - bas) / (haut - bas)
