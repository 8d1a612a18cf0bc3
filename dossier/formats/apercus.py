"""Images to show: :func:`apercus` (PNG previews) and :func:`miniature` (a JPEG thumbnail), each
format rendering its own pages or frames; metadata stripped, orientation applied, 8 bits, RGB or
grey."""

from __future__ import annotations

import io
from collections.abc import Iterator

from PIL import Image

from .commun import ApercuImpossible, Nature
from .dicom import rendus_dicom
from .images import rendus_image
from .pdf import rendus_pdf
from .pixels import Encodeur

RAPPORT_MAX = 4
"""Previews fit ``largeur_max`` wide and ``RAPPORT_MAX × largeur_max`` high."""
TYPE_APERCU = "image/png"
TYPE_MINIATURE = "image/jpeg"


def apercus(
    nature: Nature, donnees: bytes, *, largeur_max: int = 1600, limite: int = 50
) -> list[bytes]:
    """PNG images to show (``TYPE_APERCU``): one per image, TIFF page, DICOM frame or PDF page
    (the first ``limite``), fitting ``largeur_max`` wide (and 4 × ``largeur_max`` high). An
    empty list for natures without images (texts, CDA, DICOM without pixel data)."""
    boite = (largeur_max, RAPPORT_MAX * largeur_max)
    return list(_rendus(nature, donnees, boite, limite, _png))


def miniature(nature: Nature, donnees: bytes, *, cote: int = 320) -> bytes | None:
    """A JPEG thumbnail (``TYPE_MINIATURE``) of the first image, page or frame fitting ``cote`` ×
    ``cote``; None when there is nothing to show (texts, CDA) or it cannot be rendered here.
    JPEG because a thumbnail is a small picture beside the document, and encoding it costs a
    tenth of a PNG (0.5 ms against 4.4 ms for a page at 320 pixels); previews stay PNG."""
    try:
        rendus = list(_rendus(nature, donnees, (cote, cote), 1, _jpeg))
    except ApercuImpossible:
        return None
    return rendus[0] if rendus else None


def _rendus(
    nature: Nature, donnees: bytes, boite: tuple[int, int], limite: int, encoder: Encodeur
) -> Iterator[bytes]:
    if limite < 1 or min(boite) < 1:
        return iter(())
    match nature:
        case Nature.PDF:
            return rendus_pdf(donnees, boite, limite, encoder)
        case Nature.JPEG | Nature.PNG | Nature.TIFF:
            return rendus_image(nature, donnees, boite, limite, encoder)
        case Nature.DICOM:
            return rendus_dicom(donnees, boite, limite, encoder)
    return iter(())


def _png(image: Image.Image) -> bytes:
    image.info = {}  # no EXIF, ICC, text or DPI carried into the preview
    sortie = io.BytesIO()
    image.save(sortie, "PNG", compress_level=1)
    return sortie.getvalue()


def _jpeg(image: Image.Image) -> bytes:
    image.info = {}  # no EXIF, ICC, comment or DPI carried into the thumbnail
    sortie = io.BytesIO()
    image.save(sortie, "JPEG", quality=85)
    return sortie.getvalue()
