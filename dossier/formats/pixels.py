"""Decoded pixels to an image to show, shared by the renderers of images, PDF pages and DICOM
frames: sizes that fit a box, subsampling before any costly copy, 8-bit RGB or grey."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

Encodeur = Callable[[Image.Image], bytes]


def ajuster(image: Image.Image, boite: tuple[int, int]) -> Image.Image:
    image.thumbnail(boite, Image.Resampling.LANCZOS)
    return image


def taille_cible(taille: tuple[int, int], boite: tuple[int, int]) -> tuple[int, int]:
    """``taille`` reduced (never enlarged) to fit ``boite``, aspect kept."""
    if min(taille) < 1:
        return 1, 1
    rapport = min(boite[0] / taille[0], boite[1] / taille[1], 1.0)
    return max(1, round(taille[0] * rapport)), max(1, round(taille[1] * rapport))


def pas_sous_echantillonnage(colonnes: int, lignes: int, boite: tuple[int, int]) -> int:
    """A subsampling step keeping at least twice the pixels the box needs (the final resize
    filters properly), so that no full-size floating-point copy of a huge image is made."""
    cible = taille_cible((colonnes, lignes), boite)
    return max(1, min(colonnes // (2 * cible[0]), lignes // (2 * cible[1])))


def rgb_ou_gris(image: Image.Image, boite: tuple[int, int]) -> Image.Image:
    """RGB or L (``image`` itself if already so): transparency on white, high bit depths
    stretched min–max."""
    mode = image.mode
    if mode in ("RGB", "L"):
        return image
    if mode == "1":
        return image.convert("L")
    if mode.startswith(("I", "F")):
        pas = pas_sous_echantillonnage(image.width, image.height, boite)
        valeurs = np.asarray(image)[::pas, ::pas]
        return Image.fromarray(_etirer(valeurs.astype(np.float64)))
    if mode in ("RGBA", "LA", "PA", "RGBa", "La") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        fond = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(fond, rgba).convert("RGB")
    return image.convert("RGB")


def _etirer(valeurs: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.uint8]:
    """Min–max to 0..255."""
    return octets(normer(valeurs))


def normer(valeurs: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.floating[Any]]:
    """Min–max to 0..1 (non-finite values to the ends, a flat image to 0)."""
    finies = valeurs[np.isfinite(valeurs)]
    if finies.size == 0:
        return np.zeros(valeurs.shape, dtype=np.float64)
    bas, haut = float(finies.min()), float(finies.max())
    if haut <= bas:
        return np.zeros(valeurs.shape, dtype=np.float64)
    return np.nan_to_num((valeurs - bas) / (haut - bas), nan=0.0, posinf=1.0, neginf=0.0)


def octets(normees: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.uint8]:
    """0..1 to 0..255."""
    return np.rint(np.clip(normees, 0.0, 1.0) * 255.0).astype(np.uint8)
