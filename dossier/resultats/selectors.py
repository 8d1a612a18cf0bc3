"""What the Résultats pages read: the results the reader may see (``resultats_lisibles``, the
access package's rule: through their documents), each analysis' latest result in one query
(kept in the cache for the holder and a representative while the space's documents do not
change), one analysis' results in one query, and the reading report of a document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber

from espace_sante.acces import Acces, resultats_lisibles
from espace_sante.coffre.champs import chiffrer_texte, dechiffrer_texte
from espace_sante.coffre.cles import CleIndisponible

from ..formats.cda.observations import Genre
from ..models import Document, LectureResultats, Nature, Resultat
from ..selectors import SOMMAIRE_DUREE, _version_documents

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


# Each analysis' latest result as the holder (or a representative) sees it, cached while the
# space's documents do not change, as the list pages' summary is (dossier/selectors.py): the
# key carries the space's ``VersionDocuments`` token, which the database renews at every write
# to its documents — a document made available with its results, hidden, deleted, read again
# (``lecture.document_relire`` touches it). The holder and a representative (who never reads a
# minor's secret) have an entry each; a professional's view (the matrix, the holder's
# settings) is never cached. The entry is encrypted (it holds results), bound to its key.


def _en_cache(derniere: Derniere) -> dict[str, Any]:
    r = derniere.resultat
    valeurs = {
        "libelle": r.libelle,
        "genre": r.genre,
        "valeur": r.valeur,
        "unite": r.unite,
        "bas": "" if r.bas is None else str(r.bas),
        "haut": "" if r.haut is None else str(r.haut),
        "reference": r.reference,
        "interpretation": r.interpretation,
        "methode": r.methode,
        "prelevement": r.prelevement,
    }
    return {
        "analyse": r.analyse,
        "code": r.code,
        "date": r.date.isoformat(),
        "contenu": {k: v for k, v in valeurs.items() if v},
        "document": str(r.document.uuid),
        "secret": r.document.invisible_representants,
        "total": derniere.nombre,
    }


def _du_cache(entree: dict[str, Any]) -> Derniere:
    resultat = Resultat(
        analyse=entree["analyse"],
        code=entree["code"],
        date_observation=date.fromisoformat(entree["date"]),
        contenu=json.dumps(entree["contenu"]),
        document=Document(uuid=entree["document"], invisible_representants=entree["secret"]),
    )
    return Derniere(lu(resultat), int(entree["total"]))


def dernieres_valeurs_lues(*, acces: Acces) -> list[Derniere]:
    """``dernieres_valeurs``, from the cache for the holder and a representative (the access
    read with ``avec=("version_documents",)`` brings the token: no query on a hit)."""
    jeton = "" if acces.est_professionnel else _version_documents(acces.espace)
    if not jeton:
        return dernieres_valeurs(acces=acces)
    lecteur = "titulaire" if acces.est_titulaire else "representant"  # lit_les_secrets
    etiquette = f"dossier.resultats|{acces.espace.uuid}|{lecteur}"
    cle = f"dossier:resultats:{acces.espace.uuid}:{lecteur}:{jeton}"
    chiffre = cache.get(cle)
    if chiffre is not None:
        try:
            return [
                _du_cache(e) for e in json.loads(dechiffrer_texte(chiffre, etiquette=etiquette))
            ]
        except (CleIndisponible, ValueError, KeyError, TypeError):
            pass  # written under a retired key, or altered: computed again below
    dernieres = dernieres_valeurs(acces=acces)
    contenu = json.dumps([_en_cache(d) for d in dernieres], ensure_ascii=False)
    cache.set(cle, chiffrer_texte(contenu, etiquette=etiquette), SOMMAIRE_DUREE)
    return dernieres


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
