from __future__ import annotations

from django.apps import AppConfig


class TachesConfig(AppConfig):
    name = "espace_sante.taches"
    label = "taches"
    verbose_name = "Tâches (boîte d'envoi)"

    def ready(self) -> None:
        from espace_sante.celery import app

        from . import signals  # noqa: F401  (a worker that starts sends what is waiting)

        # Every app's tasks module, imported now: a job recorded by name before its module was
        # first imported would otherwise not be found in the task registry.
        app.autodiscover_tasks(force=True)
