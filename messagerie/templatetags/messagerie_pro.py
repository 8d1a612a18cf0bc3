"""The professional workspace's unread count (its menu and home): a tag, because the
workspace's templates belong to ``professionnels``, which never imports the messagerie."""

from __future__ import annotations

from django import template

from professionnels.models import Professionnel

from .. import selectors

register = template.Library()


@register.simple_tag
def non_lus_pro(professionnel: Professionnel | None) -> int:
    """Unread messages across the professional's threads (0 for an account not verified: its
    threads are out of reach)."""
    if professionnel is None:
        return 0
    return selectors.non_lus_professionnel(professionnel)
