from __future__ import annotations

from django.apps import AppConfig


class ComptesConfig(AppConfig):
    name = "espace_sante.comptes"
    label = "comptes"
    verbose_name = "Comptes"

    def ready(self) -> None:
        # import différé : Django connects signal receivers once the app registry is ready.
        from . import signals  # noqa: F401
