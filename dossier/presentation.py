"""The rows of the document lists, rendered in Python: a list page shows 25 of them and the
template engine spent most of the page's time on them (bench/pages.py). Same markup as a
template would give; every value is escaped by ``format_html``."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .models import Document, Source, Statut


def _badges(document: Document) -> SafeString:
    badges = []
    if document.source == Source.PATIENT:
        badges.append(("purple-glycine", _("Ajouté par vous")))
    if document.masque_ps:
        badges.append(("warning", _("Masqué aux professionnels")))
    if document.statut == Statut.EN_TRAITEMENT:
        badges.append(("info", _("En traitement")))
    elif document.statut == Statut.EN_ERREUR:
        badges.append(("error", _("En erreur")))
    return format_html_join(
        "", ' <span class="fr-badge fr-badge--sm fr-badge--{}">{}</span>', badges
    )


def ligne_document(document: Document, *, url_documents: str) -> SafeString:
    return format_html(
        '<li class="document-ligne{}">'
        '<div class="fr-checkbox-group fr-checkbox-group--sm">'
        '<input type="checkbox" id="sel-{}" name="documents" value="{}" form="selection">'
        '<label class="fr-label" for="sel-{}"><span class="fr-sr-only">{}</span></label></div>'
        '<div class="document-ligne__corps">'
        '<a class="fr-link document-ligne__titre" href="{}{}/">{}</a>'
        '<p class="fr-text--sm fr-mb-0">{} · {}{}{}</p></div></li>',
        " document-ligne--patient" if document.source == Source.PATIENT else "",
        document.uuid,
        document.uuid,
        document.uuid,
        _("Sélectionner %(titre)s") % {"titre": document.titre},
        url_documents,
        document.uuid,
        document.titre,
        date_format(document.date_acte, "j F Y"),
        document.auteur_nom,
        format_html(" · {} {}", _("dossier"), document.dossier_utilisateur)
        if document.dossier_utilisateur
        else "",
        _badges(document),
    )


def lignes_documents(documents: Iterable[Document], *, url_documents: str) -> SafeString:
    return SafeString("".join(ligne_document(d, url_documents=url_documents) for d in documents))
