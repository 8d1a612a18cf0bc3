"""Template filters for French as people write it (espace_sante/lib/formulations.py)."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from espace_sante.lib import formulations

register = template.Library()


@register.filter
def date_en_mots(jour: date | datetime | None, annee: bool = True) -> str:
    """``{{ d|date_en_mots }}`` → "1er septembre 2025"; ``{{ d|date_en_mots:False }}``
    without the year."""
    return formulations.date_en_mots(jour, annee=bool(annee))


@register.filter
def jour_en_mots(jour: date | datetime | None) -> str:
    """``{{ d|jour_en_mots }}`` → "lundi 1er septembre 2025"."""
    if jour is None:
        return ""
    moment = jour if isinstance(jour, datetime) else datetime.combine(jour, datetime.min.time())
    return formulations.moment_en_mots(moment, heure="", jour=True)


@register.filter
def moment_en_mots(moment: datetime | None, heure: str = "H:i") -> str:
    r"""``{{ m|moment_en_mots }}`` → "1er septembre 2025 à 10:05";
    ``{{ m|moment_en_mots:"G \h i" }}`` → "… à 10 h 05"."""
    return formulations.moment_en_mots(moment, heure=heure)


@register.filter
def de_nom(nom: str) -> str:
    """``{{ prenom|de_nom }}`` → "d'Alex", "de Camille"."""
    return formulations.de_nom(str(nom or ""))
