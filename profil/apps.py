from __future__ import annotations

from django.apps import AppConfig


class ProfilConfig(AppConfig):
    name = "profil"
    verbose_name = "Espaces et profil médical"

    def ready(self) -> None:
        # import différé : the signal handlers connect once the app registry is ready (Django).
        from . import signals  # noqa: F401
