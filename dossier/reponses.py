"""Serving a document's original or one of its previews from the vault, for every reader
(holder, representative, professional): the views of the patient's and the professional's
pages both answer through these."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponseBase

from espace_sante.acces import Acces
from espace_sante.coffre.http import reponse_blob
from espace_sante.coffre.services import BlobIllisible

from . import services
from .models import EXTENSIONS_APERCU, Document, Nature


def _en_cas_d_echec(acces: Acces, doc: Document) -> Callable[[BlobIllisible], None]:
    def echec(erreur: BlobIllisible) -> None:
        services.document_illisible(acces=acces, document=doc, motif=erreur.code)

    return echec


def reponse_contenu(
    request: HttpRequest, acces: Acces, doc: Document, *, en_ligne: bool
) -> HttpResponseBase:
    """The document's original, streamed from the vault (an unreadable blob is journaled). A
    CDA is always an attachment: a browser would apply the stylesheet it names or carries
    (``<?xml-stylesheet?>``, a self-presenting document); its page shows its content."""
    if doc.blob is None:
        raise Http404
    en_ligne = en_ligne and doc.nature != Nature.CDA
    return reponse_blob(
        request,
        doc.blob,
        nom_fichier=doc.nom_fichier or doc.titre,
        en_ligne=en_ligne,
        en_cas_d_echec=_en_cas_d_echec(acces, doc),
    )


def reponse_apercu(
    request: HttpRequest, acces: Acces, doc: Document, genre: str, rang: int
) -> HttpResponseBase:
    image = doc.apercus.select_related("blob").filter(genre=genre, rang=rang).first()
    if image is None:
        raise Http404
    return reponse_blob(
        request,
        image.blob,
        nom_fichier=f"apercu-{rang + 1}.{EXTENSIONS_APERCU.get(image.blob.media_type, 'bin')}",
        en_ligne=True,
        en_cas_d_echec=_en_cas_d_echec(acces, doc),
    )
