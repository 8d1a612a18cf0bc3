from __future__ import annotations

from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "espace_sante.comptes"
    label = "comptes"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from . import signals  # noqa: F401
