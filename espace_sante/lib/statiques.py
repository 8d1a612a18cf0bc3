"""The static files' storage when they are collected (production, `make run`, the benches)."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StatiquesCompresses(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed manifest storage, whose ``{% static %}`` names are the hashed
    ones even with ``DEBUG`` on (Django keeps the plain names in DEBUG): `make run` then serves
    what production serves — gzip copies, a year's ``immutable`` max-age for the hashed names —
    instead of 1.2 MB of plain CSS revalidated on every page."""

    def url(self, name: Any, force: bool = False) -> str:
        return str(super().url(name, force=True))
