from __future__ import annotations

from django.apps import AppConfig


class AideConfig(AppConfig):
    name = "aide"
    verbose_name = "Aide et contact"
