"""What the ingestion bench submits: demo letters (a page image, as a scanned letter, sized to
``--pdf-kb``), CI-SIS-shaped biology reports for each space's INS (narrative, level 1, or
structured with 20 coded results: ``cr_bio.py``), made beforehand (not timed); and one
deposit through ``document_creer``."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from commun.travailleurs import ACTEUR, ANALYSES

from ingestion.cr_bio import cr_bio

TYPES = {"pdf": "11490-0", "cda": "11502-2", "cda-pdf": "11502-2", "cda-bio": "11502-2"}


def _lignes_courrier(variante: int, nombre: int) -> tuple[str, ...]:
    entete = (
        "Dr Test — Médecine générale — 12 rue de la Santé, 75014 Paris",
        f"Paris, le {10 + variante % 18} janvier 2026",
        "Cher confrère,",
        "",
    )
    corps = tuple(
        f"{rang + 1:02d}. Patiente revue le {1 + (rang + variante) % 28:02d}/01/2026 : examen "
        f"clinique sans particularité, TA {11 + rang % 4}/{7 + rang % 2}, poursuite du traitement."
        for rang in range(nombre)
    )
    return (*entete, *corps, "", "Bien confraternellement, Dr Test")


Forme = tuple[int, int]  # a demo letter's (pages, lines of text per page)
KIO_PAR_PAGE = 100  # a demo page (a page image, as a scanned letter) weighs 60 to 130 KiB


def pdf_courrier(variante: int, forme: Forme) -> bytes:
    from ensemble import demo

    pages, lignes = forme
    return demo.pdf(pages, _lignes_courrier(variante, lignes))


def forme_pour(taille_kio: int) -> Forme:
    """Pages of about 100 KiB, and the number of text lines for which the demo letter weighs
    closest to ``taille_kio`` KiB (bisection: the size grows with the text)."""
    pages = max(1, round(taille_kio / KIO_PAR_PAGE))
    cible = taille_kio * 1024
    bas, haut = 0, 40
    if len(pdf_courrier(0, (pages, haut))) < cible:
        return pages, haut
    while haut - bas > 1:
        milieu = (bas + haut) // 2
        if len(pdf_courrier(0, (pages, milieu))) < cible:
            bas = milieu
        else:
            haut = milieu
    ecart_bas = abs(len(pdf_courrier(0, (pages, bas))) - cible)
    return pages, bas if ecart_bas <= abs(len(pdf_courrier(0, (pages, haut))) - cible) else haut


def _cda(espace: Any, rang: int, pdf: bytes | None = None) -> bytes:
    """A biology report for this space's INS: the 20 usual analyses, or level 1 (a PDF)."""
    from ensemble import demo

    le = date(2026, 1, 1) + timedelta(days=rang % 60)
    paragraphes = tuple(
        f"{analyse} : {(rang * 7 + numero * 13) % 97 / 10:.1f} (valeurs de référence normales)"
        for numero, analyse in enumerate(ANALYSES)
    )
    return demo.cda(
        ins=espace.ins,
        le=le,
        paragraphes=paragraphes,
        pdf_b64=base64.b64encode(pdf).decode() if pdf else "",
        oid_ins=espace.ins_oid,
    )


@dataclass
class Entrees:
    """What a producer submits: contents made beforehand (not timed)."""

    genre: str
    pdfs: list[bytes] = field(default_factory=list)
    cdas: dict[int, list[bytes]] = field(default_factory=dict)  # space pk -> variants

    def contenu(self, rang: int, espace: Any) -> tuple[bytes, str, str]:
        """(content, file name, media type) of the ``rang``-th document."""
        if self.genre == "pdf":
            return self.pdfs[rang % len(self.pdfs)], f"courrier-{rang}.pdf", "application/pdf"
        variantes = self.cdas[espace.pk]
        return variantes[rang % len(variantes)], f"biologie-{rang}.xml", "text/xml"


def entrees_preparer(genre: str, espaces: list[Any], forme: Forme, variantes: int) -> Entrees:
    entrees = Entrees(genre)
    if genre in {"pdf", "cda-pdf"}:
        entrees.pdfs = [pdf_courrier(v, forme) for v in range(variantes)]
    if genre == "cda-bio":
        for espace in espaces:
            entrees.cdas[espace.pk] = [cr_bio(espace, v) for v in range(variantes)]
    if genre in {"cda", "cda-pdf"}:
        for espace in espaces:
            entrees.cdas[espace.pk] = [
                _cda(espace, v, entrees.pdfs[v % len(entrees.pdfs)] if entrees.pdfs else None)
                for v in range(variantes)
            ]
    return entrees


def soumettre(genre: str, entrees: Entrees, espace: Any, rang: int) -> Any:
    from dossier.models import Source
    from dossier.services import document_creer
    from espace_sante.journal.services import Acteur

    contenu, nom, media = entrees.contenu(rang, espace)
    return document_creer(
        espace=espace,
        contenu=contenu,
        nom_fichier=nom,
        titre=f"Bench {genre} n° {rang}",
        date_acte=date(2026, 1, 5),
        type_code=TYPES[genre],
        auteur=Acteur(**ACTEUR),
        source=Source.PROFESSIONNEL,
        media_type=media,
    )
