"""What every format module shares: the natures a file may have, the errors told to the person,
the facts of a sound file, the size limits, and the guard put around third-party parsers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from PIL import Image

TAILLE_DEBUT = 8 * 1024
"""How much of the start :func:`detecter` looks at."""
PIXELS_MAX = 100_000_000
"""Largest image (or page, or frame) decoded, in pixels: beyond, a decompression bomb."""
PIXELS_MAX_TOTAL = 20 * PIXELS_MAX
"""Largest number of pixels decoded to validate all the pages or frames of one file."""


class Nature(StrEnum):
    """What a file really is, found from its content."""

    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    DICOM = "dicom"
    CDA = "cda"
    RTF = "rtf"
    TEXTE = "texte"

    @property
    def type_mime(self) -> str:
        return _TYPES_MIME[self]


_TYPES_MIME: dict[Nature, str] = {
    Nature.PDF: "application/pdf",
    Nature.JPEG: "image/jpeg",
    Nature.PNG: "image/png",
    Nature.TIFF: "image/tiff",
    Nature.DICOM: "application/dicom",
    Nature.CDA: "text/xml",
    Nature.RTF: "text/rtf",
    Nature.TEXTE: "text/plain",
}


class MotifRefus(StrEnum):
    """Why a file was refused (for the journal and for tests; the person reads the message)."""

    VIDE = "vide"
    PROGRAMME = "programme"
    PAGE_WEB = "page_web"
    ARCHIVE = "archive"
    XML_NON_CDA = "xml_non_cda"
    POLYGLOTTE = "polyglotte"
    OBJET_INCORPORE = "objet_incorpore"
    INCONNU = "inconnu"


class ErreurFichier(Exception):
    """A problem with a file, told to the person in ``message`` (French)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FichierRefuse(ErreurFichier):
    """The file is not of an accepted nature (or is dangerous): it must not be stored."""

    def __init__(self, message: str, motif: MotifRefus = MotifRefus.INCONNU) -> None:
        super().__init__(message)
        self.motif = motif


class FichierCorrompu(ErreurFichier):
    """The file claims an accepted nature but is damaged, truncated, protected or too large."""


class ApercuImpossible(FichierCorrompu):
    """The file is sound but cannot be rendered here; :func:`decrire` said so beforehand."""


@dataclass(frozen=True)
class Description:
    """The facts of a sound file; fields that do not apply to its nature are None."""

    nature: Nature
    apercu_possible: bool
    pages: int | None = None
    largeur: int | None = None
    hauteur: int | None = None
    images: int | None = None
    modalite: str | None = None
    date_etude: dt.date | None = None
    region: str | None = None
    description: str | None = None
    encodage: str | None = None
    lignes: int | None = None
    remarque: str | None = None


# --- Guards around third-party parsers ---------------------------------------------------------


@contextmanager
def analyse(message: str, erreur_levee: type[ErreurFichier] = FichierCorrompu) -> Iterator[None]:
    """Untrusted bytes handed to a third-party parser: any failure of the parser becomes
    ``erreur_levee(message)``; our own errors and MemoryError pass through."""
    try:
        yield
    except (ErreurFichier, MemoryError):
        raise
    except Image.DecompressionBombError as erreur:
        raise FichierCorrompu(_message_bombe(PIXELS_MAX)) from erreur
    except Exception as erreur:
        raise erreur_levee(message) from erreur


def _message_bombe(limite: int) -> str:
    return (
        f"Cette image est trop grande pour être affichée (plus de {limite:,} pixels) : "
        "réduisez sa taille avant de la déposer."
    ).replace(",", "\u202f")


def controler_pixels(largeur: int, hauteur: int) -> None:
    if largeur * hauteur > PIXELS_MAX:
        raise FichierCorrompu(_message_bombe(PIXELS_MAX))


def controler_total(total: int) -> None:
    if total > PIXELS_MAX_TOTAL:
        raise FichierCorrompu(_message_bombe(PIXELS_MAX_TOTAL))
