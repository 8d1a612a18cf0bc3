from __future__ import annotations

from django.apps import AppConfig


class ProfilConfig(AppConfig):
    name = "profil"
    verbose_name = "Espaces et profil médical"

    def ready(self) -> None:
        from . import signals  # noqa: F401
