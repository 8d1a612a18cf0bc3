"""The unread count of the messagerie, for the menu of the space a page acts for."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import cached_property

from espace_sante.acces import AccesPatient

from . import selectors

# The menu shows the count on every page of a space: read at most once a minute per person
# and space (the cache), and again as soon as they read a thread (``oublier_non_lus``).
DUREE_NON_LUS = 60


def _cle(acces: AccesPatient) -> str:
    return f"messagerie:non-lus:{acces.espace.uuid}:{acces.utilisateur.pk}"


def non_lus_en_cache(acces: AccesPatient) -> int:
    """Unread messages of the space for this person, kept a minute."""
    n = cache.get_or_set(_cle(acces), lambda: selectors.non_lus_espace(acces), DUREE_NON_LUS)
    return int(n or 0)


def oublier_non_lus(acces: AccesPatient) -> None:
    """The person read a thread: the menu's count is read again on the next page."""
    cache.delete(_cle(acces))


class NonLus:
    """The count, read when a template first asks for ``n``."""

    def __init__(self, acces: AccesPatient) -> None:
        self.acces = acces

    @cached_property
    def n(self) -> int:
        return non_lus_en_cache(self.acces)


def non_lus(request: HttpRequest) -> dict[str, Any]:
    """``messagerie_non_lus.n``: the unread messages of the space the page acts for (for a
    representative, not the minor's secret threads), read only when the page shows it."""
    acces = getattr(request, "acces", None)
    if not isinstance(acces, AccesPatient):
        return {}
    return {"messagerie_non_lus": NonLus(acces)}
