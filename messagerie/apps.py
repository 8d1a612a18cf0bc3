from __future__ import annotations

from django.apps import AppConfig


class MessagerieConfig(AppConfig):
    name = "messagerie"
    verbose_name = "Messagerie sécurisée"

    def ready(self) -> None:
        # import différé : Django registers signal receivers in ready(), once the models exist
        from . import signals  # noqa: F401
