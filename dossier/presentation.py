"""The rows of the document lists, rendered in Python: a list page shows 25 of them and the
template engine spent most of the page's time on them (bench/pages.py). Same markup as a
template would give; every value is escaped (``html.escape``, as Django's ``escape``).

The rows are the dictionaries of ``Document`` values named by ``CHAMPS_LIGNE`` (no model
instances: the list only shows them), plus ``en_attente`` (``selectors.avec_attente``: its
job has not reached the broker yet). The texts that do not depend on a row (translations,
badges, month names) are prepared once per language, not once per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from html import escape
from typing import Any

from django.utils.dates import MONTHS
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Source, Statut

CHAMPS_LIGNE = (
    "uuid",
    "titre",
    "date_acte",
    "auteur_nom",
    "source",
    "statut",
    "masque_ps",
    "dossier_utilisateur",
)

_BADGE = ' <span class="fr-badge fr-badge--sm fr-badge--{}">{}</span>'


class _Textes:
    """What every row shares, translated in one language and escaped."""

    def __init__(self) -> None:
        self.selectionner = _("Sélectionner %(titre)s")
        self.dossier = escape(_("dossier"))
        self.mois = {n: escape(str(nom)) for n, nom in MONTHS.items()}
        self.premier = escape(_("1er"))
        self.patient = _BADGE.format("purple-glycine", escape(_("Ajouté par vous")))
        self.masque = _BADGE.format("warning", escape(_("Masqué aux professionnels")))
        self.statuts = {
            Statut.EN_TRAITEMENT: _BADGE.format("info", escape(_("En traitement"))),
            Statut.EN_ERREUR: _BADGE.format("error", escape(_("En erreur"))),
        }
        self.en_attente = _BADGE.format("new", escape(_("En attente")))


@lru_cache(maxsize=16)
def _textes(langue: str | None) -> _Textes:
    """The shared texts in the active language (``langue``, the cache's key)."""
    return _Textes()


def _ligne(document: Mapping[str, Any], t: _Textes, url: str, selection: bool) -> str:
    patient = document["source"] == Source.PATIENT
    uuid = escape(str(document["uuid"]))
    titre = escape(document["titre"])
    acte = document["date_acte"]
    dossier = document["dossier_utilisateur"]
    badges = (
        (t.patient if patient else "")
        + (t.masque if document["masque_ps"] else "")
        + (t.en_attente if document.get("en_attente") else t.statuts.get(document["statut"], ""))
    )
    return (
        f'<li class="document-ligne{" document-ligne--patient" if patient else ""}">'
        + (
            '<div class="fr-checkbox-group fr-checkbox-group--sm">'
            f'<input type="checkbox" id="sel-{uuid}" name="documents" value="{uuid}"'
            ' form="selection">'
            f'<label class="fr-label" for="sel-{uuid}"><span class="fr-sr-only">'
            f"{escape(t.selectionner % {'titre': document['titre']})}</span></label></div>"
            if selection
            else ""
        )
        + '<div class="document-ligne__corps">'
        f'<a class="fr-link document-ligne__titre" href="{url}{uuid}/">{titre}</a>'
        f'<p class="fr-text--sm fr-mb-0">{t.premier if acte.day == 1 else acte.day}'
        f" {t.mois[acte.month]} {acte.year:04d}"
        f" · {escape(document['auteur_nom'])}"
        f"{f' · {t.dossier} {escape(dossier)}' if dossier else ''}{badges}</p></div></li>"
    )


def lignes_documents(
    documents: Iterable[Mapping[str, Any]], *, url_documents: str, selection: bool = True
) -> SafeString:
    """The rows of a document list; ``selection``: each with its box for the bulk actions (not
    in a closed space, which is read only)."""
    textes, url = _textes(get_language()), escape(url_documents)
    return SafeString("".join(_ligne(d, textes, url, selection) for d in documents))
