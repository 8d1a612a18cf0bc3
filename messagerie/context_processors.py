"""The unread count of the messagerie, for the menu of the space a page acts for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import cached_property

from espace_sante.acces import AccesPatient

from .limites import non_lus_en_cache


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
