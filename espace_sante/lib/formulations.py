"""French written the way people write it: dates in words ("le 1er septembre 2025") and
"de" elided before a vowel or a mute h ("l'espace santé d'Alex")."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

# Initials before which "de" is elided ("d'Alex", "d'Hélène", "d'Yves" is not: "de Yves").
_VOYELLES = frozenset("aeiouh")


def _initiale(texte: str) -> str:
    premiere = texte.lstrip()[:1]
    return unicodedata.normalize("NFD", premiere)[:1].casefold()


def de_nom(nom: str) -> str:
    """ "de" before a name, elided before a vowel or an h: "d'Alex", "de Camille"."""
    nom = nom.strip()
    if not nom:
        return ""
    return f"d’{nom}" if _initiale(nom) in _VOYELLES else f"de {nom}"


def date_en_mots(jour: date | datetime | None, *, annee: bool = True) -> str:
    """A date in words, the first of the month as "1er": "1er septembre 2025", "3 mars"."""
    if jour is None:
        return ""
    if isinstance(jour, datetime):
        jour = (timezone.localtime(jour) if timezone.is_aware(jour) else jour).date()
    mois = formats.date_format(jour, "F")
    quantieme = _("1er") if jour.day == 1 else str(jour.day)
    texte = f"{quantieme} {mois}"
    return f"{texte} {jour.year}" if annee else texte


def compte(n: int, singulier: str, pluriel: str) -> str:
    """ "1 ligne", "3 lignes": a count and its noun, agreed the French way (0 and 1 singular),
    for text that is not translated through ``ngettext`` (generated documents, admin notes)."""
    return f"{n} {singulier if abs(n) < 2 else pluriel}"


def moment_en_mots(moment: datetime | None, *, heure: str = "H:i", jour: bool = False) -> str:
    """A moment in words: "1er septembre 2025 à 10:05" (``heure``: its time format; ``jour``:
    with the weekday, "lundi 1er septembre 2025")."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    texte = date_en_mots(moment)
    if jour:
        texte = f"{formats.date_format(moment, 'l')} {texte}"
    if not heure:
        return texte
    return str(
        _("%(jour)s à %(heure)s") % {"jour": texte, "heure": formats.time_format(moment, heure)}
    )
