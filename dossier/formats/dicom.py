"""DICOM files, with pydicom: validation and facts (modality, study date, region, description,
frames), then rendering (modality LUT or rescale, VOI LUT or window, palette, enhanced multi-frame
groups).

DICOM whose pixel compression cannot be decoded here (JPEG Lossless, JPEG-LS, HTJ2K… without
extra plugins), or whose compressed frames fail to decode, is *accepted* without preview:
``apercu_possible=False`` and ``remarque`` says why. The file is kept as it is and can be
downloaded for a real DICOM viewer. Uncompressed pixel data that does not decode (truncated,
inconsistent group 0028) is corrupt. A DICOM object that is not an image (structured report,
DICOMDIR…) is accepted without preview; an image object without pixel data is a truncated file
(pydicom stops silently where a file is cut), hence corrupt.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.pixels import (
    apply_color_lut,
    apply_modality_lut,
    apply_voi,
    get_decoder,
    iter_pixels,
)
from pydicom.uid import UID

from .commun import (
    ApercuImpossible,
    Description,
    ErreurFichier,
    FichierCorrompu,
    Nature,
    analyse,
    controler_pixels,
    controler_total,
)
from .pixels import Encodeur, ajuster, normer, octets, pas_sous_echantillonnage

_PIXELS_DICOM = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
_MESSAGE_DICOM = "Ce fichier DICOM est endommagé ou incomplet : il ne peut pas être lu."
_DICOM_SANS_APERCU = "Les images de ce fichier DICOM ne peuvent pas être affichées en aperçu."


# --- Validation and facts ----------------------------------------------------------------------


def _lire_dicom(donnees: bytes) -> Dataset:
    with analyse(_MESSAGE_DICOM):
        return dcmread(io.BytesIO(donnees), force=False)
    raise AssertionError("unreachable")  # pragma: no cover (mypy: the context may swallow)


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


def _entier_dicom(ds: Dataset, mot_cle: str) -> int | None:
    try:
        valeur = ds.get(mot_cle)
        return int(valeur) if valeur is not None and str(valeur).strip() else None
    except (TypeError, ValueError):
        return None


def _nombre_images(ds: Dataset) -> int:
    return max(_entier_dicom(ds, "NumberOfFrames") or 1, 1)


def _syntaxe(ds: Dataset) -> UID | None:
    meta = getattr(ds, "file_meta", None)
    valeur = meta.get("TransferSyntaxUID") if meta is not None else None
    return UID(str(valeur)) if valeur else None


def _compression_non_prise_en_charge(ds: Dataset) -> str | None:
    """Why the pixel data cannot be decoded here, or None when a decoder is available (or the
    data is not compressed: decoding will tell whether it is sound)."""
    syntaxe = _syntaxe(ds)
    if syntaxe is None or not _encapsulee(syntaxe):
        return None
    try:
        disponible = get_decoder(syntaxe).is_available
    except NotImplementedError:
        disponible = False
    return None if disponible else _remarque_compression(syntaxe)


def _encapsulee(syntaxe: UID | None) -> bool:
    """Compressed pixel data; an unknown (private or damaged) transfer syntax counts as one."""
    if syntaxe is None:
        return False
    try:
        return syntaxe.is_encapsulated
    except ValueError:  # not a transfer syntax pydicom knows
        return True


def _remarque_compression(syntaxe: UID | None) -> str:
    nom = syntaxe.name if syntaxe is not None and syntaxe.is_transfer_syntax else "inconnue"
    return (
        f"La compression de ces images DICOM ({nom}) n'est pas prise en charge pour l'aperçu : "
        "le fichier est conservé tel quel et s'ouvre avec une visionneuse DICOM."
    )


def _trames(ds: Dataset, indices: range) -> Iterator[npt.NDArray[Any]]:
    """Decoded frames, one at a time; a decoding failure becomes FichierCorrompu for native
    pixel data and ApercuImpossible for compressed pixel data."""
    lignes = _entier_dicom(ds, "Rows") or 0
    colonnes = _entier_dicom(ds, "Columns") or 0
    controler_pixels(colonnes, lignes)
    controler_total(len(indices) * lignes * colonnes)
    syntaxe = _syntaxe(ds)
    if _encapsulee(syntaxe):
        echec: ErreurFichier = ApercuImpossible(_remarque_compression(syntaxe))
    else:
        echec = FichierCorrompu(_MESSAGE_DICOM)
    with analyse(echec.message, type(echec)):
        trames = iter_pixels(ds, indices=indices)
    while True:
        with analyse(echec.message, type(echec)):
            trame = next(trames, None)
        if trame is None:
            return
        yield trame


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
    ds = _lire_dicom(donnees)
    with analyse(_MESSAGE_DICOM):
        return _decrire_dataset(ds)
    raise AssertionError("unreachable")  # pragma: no cover (mypy: the context may swallow)


def _decrire_dataset(ds: Dataset) -> Description:
    faits: dict[str, Any] = {
        "modalite": _texte_dicom(ds, "Modality"),
        "date_etude": _date_dicom(ds.get("StudyDate")),
        "region": _texte_dicom(ds, "BodyPartExamined"),
        "description": _texte_dicom(ds, "StudyDescription", "SeriesDescription"),
    }
    if not any(mot_cle in ds for mot_cle in _PIXELS_DICOM):
        if _image_attendue(ds):
            raise FichierCorrompu(_MESSAGE_DICOM)
        return Description(
            nature=Nature.DICOM,
            apercu_possible=False,
            remarque="Ce fichier DICOM ne contient pas d'image.",
            **faits,
        )
    images = _nombre_images(ds)
    faits |= {
        "images": images,
        "largeur": _entier_dicom(ds, "Columns"),
        "hauteur": _entier_dicom(ds, "Rows"),
    }
    remarque = _compression_non_prise_en_charge(ds)
    if remarque is None:
        try:
            for rang, trame in enumerate(_trames(ds, range(images))):
                if rang == 0:  # rendering works too, so apercu_possible can be trusted
                    with analyse(_DICOM_SANS_APERCU, ApercuImpossible):
                        _image_dicom(trame, ds, 0, (64, 64))
        except ApercuImpossible as impossible:
            remarque = impossible.message
    return Description(
        nature=Nature.DICOM, apercu_possible=remarque is None, remarque=remarque, **faits
    )


# --- Rendering ---------------------------------------------------------------------------------


def rendus_dicom(
    donnees: bytes, boite: tuple[int, int], limite: int, encoder: Encodeur
) -> Iterator[bytes]:
    ds = _lire_dicom(donnees)
    with analyse(_MESSAGE_DICOM):
        if not any(mot_cle in ds for mot_cle in _PIXELS_DICOM):
            return
        remarque = _compression_non_prise_en_charge(ds)
        nombre = min(_nombre_images(ds), limite)
    if remarque is not None:
        raise ApercuImpossible(remarque)
    for rang, trame in enumerate(_trames(ds, range(nombre))):
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
        couleurs = apply_color_lut(trame, ds)
        return Image.fromarray(octets(couleurs / float(np.iinfo(couleurs.dtype).max)), "RGB")
    if trame.ndim == 3:
        if trame.dtype != np.uint8:
            bits = _entier_dicom(ds, "BitsStored") or 8 * trame.dtype.itemsize
            trame = octets(trame.astype(np.float64) / float(2**bits - 1))
        return Image.fromarray(np.ascontiguousarray(trame[..., :3]), "RGB")
    normees = _fenetrer(trame, ds, rang)
    if photometrie == "MONOCHROME1":
        normees = 1.0 - normees
    return Image.fromarray(octets(normees), "L")


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
