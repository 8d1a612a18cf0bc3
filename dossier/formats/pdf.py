"""PDF files: validation and page count with pypdf, rendering with PDFium (one call at a time per
process).

PDFs protected by a password are refused; PDFs encrypted with an empty user password (owner
restrictions only) open in every viewer and are accepted."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pypdf
import pypdfium2 as pdfium
from PIL import Image

from .commun import ApercuImpossible, Description, FichierCorrompu, Nature, analyse
from .pixels import Encodeur, ajuster

_PDF_SANS_APERCU = "Les pages de ce PDF ne peuvent pas être affichées en aperçu."
_VERROU_PDFIUM = threading.RLock()
"""PDFium is not thread-safe, not even across documents: one call at a time per process.
Reentrant, in case a pypdfium2 object is finalised while the lock is held."""


def _lire_pdf(donnees: bytes) -> int:
    """The number of pages of a readable PDF."""
    with analyse("Ce PDF est endommagé ou incomplet : il ne peut pas être lu."):
        lecteur = pypdf.PdfReader(io.BytesIO(donnees), strict=False)
        if lecteur.is_encrypted and lecteur.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED:
            raise FichierCorrompu(
                "Ce PDF est protégé par mot de passe : enregistrez-en une copie sans mot de "
                "passe avant de le déposer."
            )
        pages = len(lecteur.pages)
    if pages < 1:
        raise FichierCorrompu("Ce PDF ne contient aucune page.")
    return pages


def decrire_pdf(donnees: bytes) -> Description:
    pages = _lire_pdf(donnees)
    remarque = None
    try:
        # The preview is the first page: PDFium must load it, not only the document (a damaged
        # page tree opens and then fails at the page).
        with analyse(_PDF_SANS_APERCU, ApercuImpossible), _VERROU_PDFIUM:
            document = pdfium.PdfDocument(donnees)
            try:
                document[0].close()
            finally:
                document.close()
    except ApercuImpossible as impossible:
        remarque = impossible.message
    return Description(
        nature=Nature.PDF, apercu_possible=remarque is None, pages=pages, remarque=remarque
    )


def rendus_pdf(
    donnees: bytes, boite: tuple[int, int], limite: int, encoder: Encodeur
) -> Iterator[bytes]:
    """One page rendered at a time (and encoded outside the lock, PDFium being free for
    other threads meanwhile): a single page image in memory at any time."""
    with analyse(_PDF_SANS_APERCU, ApercuImpossible), _VERROU_PDFIUM:
        document = pdfium.PdfDocument(donnees)
    try:
        with _VERROU_PDFIUM:
            nombre = min(len(document), limite)
        for rang in range(nombre):
            with analyse(_PDF_SANS_APERCU, ApercuImpossible), _VERROU_PDFIUM:
                image = _rendre_page(document, rang, boite)
            yield encoder(ajuster(image, boite))
            del image
    finally:
        with _VERROU_PDFIUM:
            document.close()


def _rendre_page(document: pdfium.PdfDocument, rang: int, boite: tuple[int, int]) -> Image.Image:
    page = document[rang]
    try:
        largeur, hauteur = page.get_size()
        echelle = min(boite[0] / max(largeur, 1.0), boite[1] / max(hauteur, 1.0))
        bitmap = page.render(scale=echelle)
        try:
            return bitmap.to_pil().convert("RGB")
        finally:
            bitmap.close()
    finally:
        page.close()
