from __future__ import annotations

from django.apps import AppConfig


class DossierConfig(AppConfig):
    name = "dossier"
    verbose_name = "Dossier médical"

    def ready(self) -> None:
        from . import signals  # noqa: F401
