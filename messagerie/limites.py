"""What both sides' pages share about sending: the flood limit, and the menu's unread count
kept in the cache."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _lazy
from django_ratelimit.core import is_ratelimited

from espace_sante.acces import AccesPatient
from espace_sante.comptes.models import Utilisateur
from profil.models import Espace

from . import selectors

TROP_DE_MESSAGES = _lazy(
    "Vous avez envoyé beaucoup de messages en peu de temps : réessayez dans quelques minutes."
)
# The menu shows the count on every page of a space: read once per person and space, and
# again as soon as it changes (a message written to them, a thread they read); at most a
# minute old should an invalidation be lost with the cache.
DUREE_NON_LUS = 60


def trop_de_messages(request: HttpRequest) -> bool:
    """The sender's flood limit (``MESSAGERIE_RATE``), counted on each send tried, keyed by
    the account's uuid (never reused, unlike a row id)."""
    return is_ratelimited(
        request,
        group="messagerie.envoi",
        key=lambda _groupe, requete: str(requete.user.uuid),
        rate=settings.MESSAGERIE_RATE,
        increment=True,
    )


def _cle(espace: Espace, utilisateur: Utilisateur) -> str:
    return f"messagerie:non-lus:{espace.uuid}:{utilisateur.uuid}"


def non_lus_en_cache(acces: AccesPatient) -> int:
    """Unread messages of the space for this person (``selectors.non_lus_espace``)."""
    n = cache.get_or_set(
        _cle(acces.espace, acces.utilisateur),
        lambda: selectors.non_lus_espace(acces),
        DUREE_NON_LUS,
    )
    return int(n or 0)


def oublier_non_lus(espace: Espace, utilisateurs: Iterable[Utilisateur]) -> None:
    """Their count changed: read again on their next page."""
    cache.delete_many([_cle(espace, u) for u in utilisateurs])
