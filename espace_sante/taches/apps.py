from __future__ import annotations

from django.apps import AppConfig


class TachesConfig(AppConfig):
    name = "espace_sante.taches"
    label = "taches"
    verbose_name = "Tâches (boîte d'envoi)"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (a worker that starts sends what is waiting)
