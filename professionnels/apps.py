from __future__ import annotations

from django.apps import AppConfig


class ProfessionnelsConfig(AppConfig):
    name = "professionnels"
    verbose_name = "Professionnels de santé"

    def ready(self) -> None:
        # import différé : Django registers signal receivers in ready(), once the models exist
        from . import signals  # noqa: F401
