"""What the Résultats pages read: the results the reader may see (``resultats_lisibles``, the
access package's rule: through their documents), each analysis' latest result in one query,
one analysis' results in one query, and the reading report of a document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from espace_sante.acces import Acces, resultats_lisibles

from ..formats.cda.observations import Genre
from ..models import Document, LectureResultats, Nature, Resultat

# What a page reads of a result and of its document (the document's other fields, encrypted
# ones among them, are not read).
CHAMPS = (
    "analyse",
    "date_observation",
    "code",
    "contenu",
    "document__uuid",
    "document__invisible_representants",
)


def resultats_visibles(*, acces: Acces) -> QuerySet[Resultat]:
    return resultats_lisibles(acces=acces).select_related("document").only(*CHAMPS)


@dataclass(frozen=True)
class Lu:
    """One result, decrypted and ready to compute with: ``nombre`` for a number; ``bas`` and
    ``haut`` bound the reference range, in ``unite`` (UCUM, canonical form)."""

    analyse: str
    code: str
    date: date
    libelle: str
    genre: str
    valeur: str
    nombre: Decimal | None
    unite: str
    bas: Decimal | None
    haut: Decimal | None
    reference: str
    interpretation: str
    methode: str
    prelevement: str
    document: Document


def _decimal(texte: Any) -> Decimal | None:
    try:
        return Decimal(str(texte)) if texte not in (None, "") else None
    except ArithmeticError:
        return None


def lu(resultat: Resultat) -> Lu:
    contenu: dict[str, str] = json.loads(resultat.contenu) if resultat.contenu else {}
    genre = contenu.get("genre", Genre.TEXTE)
    valeur = contenu.get("valeur", "")
    return Lu(
        analyse=resultat.analyse,
        code=resultat.code,
        date=resultat.date_observation,
        libelle=contenu.get("libelle", "") or resultat.code,
        genre=genre,
        valeur=valeur,
        nombre=_decimal(valeur) if genre == Genre.NOMBRE else None,
        unite=contenu.get("unite", ""),
        bas=_decimal(contenu.get("bas")),
        haut=_decimal(contenu.get("haut")),
        reference=contenu.get("reference", ""),
        interpretation=contenu.get("interpretation", ""),
        methode=contenu.get("methode", ""),
        prelevement=contenu.get("prelevement", ""),
        document=resultat.document,
    )


@dataclass(frozen=True)
class Derniere:
    """An analysis: its latest result and how many results it has."""

    resultat: Lu
    nombre: int


def dernieres_valeurs(*, acces: Acces) -> list[Derniere]:
    """Each analysis the reader may see, with its latest result (by date, then the latest
    stored): one query whatever the number of results, rows numbered by the database."""
    lignes = (
        resultats_visibles(acces=acces)
        .annotate(
            recent=Window(
                RowNumber(),
                partition_by=[F("analyse")],
                order_by=[F("date_observation").desc(), F("id").desc()],
            ),
            total=Window(Count("id"), partition_by=[F("analyse")]),
        )
        .filter(recent=1)
        .order_by()
    )
    return [Derniere(lu(ligne), ligne.total) for ligne in lignes]


def resultats_analyse(*, acces: Acces, analyse: str) -> list[Lu]:
    """One analysis' results the reader may see, oldest first."""
    lignes = resultats_visibles(acces=acces).filter(analyse=analyse)
    return [lu(ligne) for ligne in lignes.order_by("date_observation", "document_id", "rang")]


# --- The reading report of a document (its page) ------------------------------------------------


@dataclass(frozen=True)
class Rapport:
    lus: int
    ignores: int
    motifs: list[dict[str, str]]


def rapport_de_lecture(document: Document) -> Rapport | None:
    """What was read of a CDA document's lab results (``None``: nothing to say)."""
    if document.nature != Nature.CDA:
        return None
    lecture = LectureResultats.objects.filter(document=document).first()
    if lecture is None or not (lecture.lus or lecture.ignores):
        return None
    motifs = json.loads(lecture.motifs) if lecture.motifs else []
    return Rapport(lecture.lus, lecture.ignores, motifs)
