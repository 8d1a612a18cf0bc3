"""What a document's page shows of its content, for every reader: the holder, a legal
representative, a professional. One presenter (``document_presenter``) feeds one include
(``templates/dossier/_apercu_document.html``) on the patient's page and the professional's
alike: the PDF, the images (photos, scans, DICOM frames), the CDA's narrative, the PDF a
level-1 CDA carries, a text file, or why there is no preview; and the boxes that say what the
ingestion read of the document (vaccinations, lab results) where the reader may see them.

The reader's access (``Acces``) has already found the document (404 otherwise); the presenter
only decides what of it to show and builds the addresses of its original and previews with
the reader's own views (``VuesDocument``): a professional's page never links to the patient's
pages, nor the reverse."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from espace_sante.acces import Acces, profil_lisible
from espace_sante.coffre.services import BlobIllisible, blob_lire

from .formats.cda.analyse import CDAInvalide
from .formats.cda.lecture import lire_cda
from .models import Apercu, Document, Nature, Statut
from .resultats.selectors import Rapport, rapport_de_lecture

TEXTE_MAX = 2 * 1024 * 1024  # a text file larger than this is downloaded, not shown


@dataclass(frozen=True)
class VuesDocument:
    """The reader's views: the original (``contenu``), a preview (``apercu``: genre, rang),
    and where to read the lab results and the vaccination record (``None``: not for them)."""

    contenu: str
    apercu: str
    resultats: str | None = None
    carnet: str | None = None


@dataclass(frozen=True)
class ImageApercu:
    rang: int
    url: str


@dataclass
class PresentationDocument:
    """Ready for the include: every address built, every decision taken."""

    document: Document
    faits: dict[str, Any]
    disponible: bool
    url_en_ligne: str = ""  # the PDF itself, shown inline
    url_miniature: str = ""
    url_pdf_integre: str = ""
    images: list[ImageApercu] = field(default_factory=list)
    date_etude: date | None = None
    cda: Any = None
    texte: str | None = None
    sans_apercu: str = ""  # why nothing is shown (a DICOM without decoder…)
    vaccinations: dict[str, Any] | None = None
    url_carnet: str | None = None
    resultats: Rapport | None = None
    url_resultats: str | None = None

    @property
    def pdf(self) -> bool:
        return self.document.nature == Nature.PDF


def _url(vue: str, doc: Document, *args: Any) -> str:
    return reverse(vue, args=[doc.espace.uuid, doc.uuid, *args])


def _date_iso(valeur: Any) -> date | None:
    try:
        return date.fromisoformat(valeur) if isinstance(valeur, str) else None
    except ValueError:
        return None


def _cda(doc: Document) -> Any:
    if doc.blob is None:
        return None
    try:
        return lire_cda(b"".join(blob_lire(doc.blob)))
    except (CDAInvalide, BlobIllisible):
        return None


def _texte(doc: Document) -> str | None:
    if doc.blob is None or doc.taille > TEXTE_MAX:
        return None
    try:
        brut = b"".join(blob_lire(doc.blob))
    except BlobIllisible:
        return None
    try:
        return brut.decode("utf-8")
    except UnicodeDecodeError:
        return brut.decode("latin-1")


def _raison_sans_apercu(p: PresentationDocument) -> str:
    """Why the page shows nothing of the content, in words ("" when it shows something)."""
    montre = (
        p.pdf
        or p.url_pdf_integre
        or p.images
        or (p.cda is not None and p.cda.sections)
        or p.texte is not None
    )
    if montre:
        return ""
    remarque = p.faits.get("remarque")
    if remarque:
        return str(remarque)
    if p.document.nature == Nature.CDA:
        return _("Le contenu de ce document CDA n'a pas pu être lu : téléchargez l'original.")
    if p.document.nature == Nature.TEXTE:
        return _("Ce fichier texte est trop volumineux pour être affiché : téléchargez-le.")
    return _("Pas d'aperçu pour ce format : téléchargez l'original pour le consulter.")


def document_presenter(
    *, acces: Acces, document: Document, vues: VuesDocument
) -> PresentationDocument:
    """The content of ``document`` as the page of the reader behind ``acces`` shows it."""
    doc = document
    faits = json.loads(doc.faits) if doc.faits else {}
    p = PresentationDocument(
        document=doc,
        faits=faits,
        disponible=doc.statut == Statut.DISPONIBLE,
        date_etude=_date_iso(faits.get("date_etude")),
    )
    if not p.disponible:
        return p
    apercus = list(doc.apercus.all())
    genres = {a.genre for a in apercus}
    if doc.nature == Nature.PDF and doc.blob_id is not None:
        p.url_en_ligne = _url(vues.contenu, doc) + "?en_ligne=1"
    if Apercu.Genre.MINIATURE in genres:
        p.url_miniature = _url(vues.apercu, doc, Apercu.Genre.MINIATURE, 0)
    if Apercu.Genre.PDF in genres:
        p.url_pdf_integre = _url(vues.apercu, doc, Apercu.Genre.PDF, 0)
    p.images = [
        ImageApercu(rang=a.rang, url=_url(vues.apercu, doc, Apercu.Genre.IMAGE, a.rang))
        for a in apercus
        if a.genre == Apercu.Genre.IMAGE
    ]
    if doc.nature == Nature.CDA:
        p.cda = _cda(doc)
    elif doc.nature == Nature.TEXTE:
        p.texte = _texte(doc)
    p.sans_apercu = _raison_sans_apercu(p)
    if faits.get("vaccinations") and not doc.supprime_le and profil_lisible(acces=acces):
        p.vaccinations = faits["vaccinations"]
        p.url_carnet = vues.carnet
    p.resultats = rapport_de_lecture(doc)
    if p.resultats is not None:
        p.url_resultats = vues.resultats
    return p
