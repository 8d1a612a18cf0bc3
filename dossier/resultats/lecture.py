"""Lab results read from a structured lab report, at ingestion (``dossier/ingestion.py``) or
again for a document read before (``document_relire``, the ``resultats_lire`` command).

The ingestion parses the report once and passes the tree (``racine``); a document read again
is parsed by the same hardened parser as ``lire_cda`` (``formats/cda/observations.py``). Only a
report whose bytes name a lab entry's template is searched: other documents cost a substring
search. Writing is idempotent: one row per (document, rank), and reading a document
again replaces its rows; a malformed observation is skipped and named in the document's
``LectureResultats`` (shown on its page), never an error of the job."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from espace_sante.coffre.services import BlobIllisible, blob_lire
from espace_sante.lib.logging import erreur_sans_contenu

from ..formats.cda.analyse import CDAInvalide
from ..formats.cda.lecture import DocumentCDA, lire_cda
from ..formats.cda.observations import (
    LectureObservations,
    Observation,
    contient_des_resultats,
    lire_observations,
    observations_biologie,
)
from ..models import Document, LectureResultats, Nature, Resultat, Statut, empreinte_analyse

logger = logging.getLogger(__name__)
CHAMPS_CONTENU = (
    "libelle",
    "genre",
    "valeur",
    "unite",
    "bas",
    "haut",
    "reference",
    "interpretation",
    "methode",
    "prelevement",
)
MOTIFS_GARDES = 50  # skipped observations named on the document's page, at most


def lire(donnees: bytes, cda: DocumentCDA, *, racine: Any = None) -> LectureObservations | None:
    """The results of a CDA already read by ``lire_cda`` (``None``: it holds none); ``racine``
    is its parsed tree when the caller has it."""
    if cda.niveau != 3 or not contient_des_resultats(donnees):
        return None
    try:
        if racine is not None:
            return lire_observations(
                racine, date_document=cda.date, aujourd_hui=timezone.localdate()
            )
        return observations_biologie(
            donnees, date_document=cda.date, aujourd_hui=timezone.localdate()
        )
    except CDAInvalide:  # read once already by lire_cda: only a wrapped document lands here
        logger.warning("résultats : document illisible à la seconde lecture")
    except Exception:  # results are extra: a fault of their reader never fails the document
        erreur_sans_contenu(logger, "résultats : lecture impossible")
    return None


def _contenu(observation: Observation) -> str:
    valeurs = {nom: getattr(observation, nom) for nom in CHAMPS_CONTENU}
    return json.dumps({k: v for k, v in valeurs.items() if v}, ensure_ascii=False)


def enregistrer(
    *, document_id: int, espace_id: int, lecture: LectureObservations | None, using: str = "default"
) -> None:
    """Store the results of a document and the record of its reading (inside the caller's
    transaction: the ingestion's, which makes the document available)."""
    if lecture is None:
        return
    Resultat.objects.using(using).bulk_create(
        [
            Resultat(
                espace_id=espace_id,
                document_id=document_id,
                rang=observation.rang,
                code=observation.code,
                analyse=empreinte_analyse(espace_id, observation.code),
                date_observation=observation.date,
                contenu=_contenu(observation),
            )
            for observation in lecture.observations
            if observation.date is not None
        ],
        ignore_conflicts=True,  # already stored by a run that ended after its transaction
    )
    motifs = [
        {"analyse": ignoree.libelle or ignoree.code, "motif": ignoree.motif}
        for ignoree in lecture.ignorees[:MOTIFS_GARDES]
    ]
    LectureResultats.objects.using(using).bulk_create(
        [
            LectureResultats(
                document_id=document_id,
                lus=len(lecture.observations),
                ignores=len(lecture.ignorees),
                motifs=json.dumps(motifs, ensure_ascii=False) if motifs else "",
            )
        ],
        ignore_conflicts=True,
    )


def document_relire(*, document: Document) -> LectureObservations | None:
    """Read the results of an available CDA document again (a document ingested before results
    were read, or read by an older reader): its rows are replaced, never doubled."""
    if document.blob is None or document.nature != Nature.CDA:
        return None
    try:
        donnees = b"".join(blob_lire(document.blob))
        lecture = lire(donnees, lire_cda(donnees))
    except (CDAInvalide, BlobIllisible) as erreur:
        logger.warning("résultats : document %s illisible (%s)", document.uuid, type(erreur))
        return None
    with transaction.atomic():
        # The document is touched: its space's token changes, and with it the cached
        # Résultats list (selectors.dernieres_valeurs_lues).
        if not Document.objects.filter(pk=document.pk, statut=Statut.DISPONIBLE).update(
            traite_le=timezone.now()
        ):
            return None
        Resultat.objects.filter(document=document).delete()
        LectureResultats.objects.filter(document=document).delete()
        enregistrer(  # a document without results is recorded too: read once
            document_id=document.pk,
            espace_id=document.espace_id,
            lecture=lecture or LectureObservations(),
        )
    return lecture


def documents_a_lire() -> Any:
    """The available CDA documents whose results were never read."""
    return Document.objects.filter(
        nature=Nature.CDA, statut=Statut.DISPONIBLE, lecture_resultats__isnull=True
    ).select_related("blob")
