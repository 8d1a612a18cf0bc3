from __future__ import annotations

from django.apps import AppConfig


class InteropConfig(AppConfig):
    """The FHIR API (docs/API.md): the top layer, above ``ensemble``."""

    name = "interop"
    verbose_name = "Interopérabilité (API FHIR)"
