from __future__ import annotations

from django.apps import AppConfig

from espace_sante.celery import app


class TachesConfig(AppConfig):
    name = "espace_sante.taches"
    label = "taches"
    verbose_name = "Tâches (boîte d'envoi)"

    def ready(self) -> None:
        # import différé : Django connects signal receivers once the app registry is ready (a
        # worker that starts sends what is waiting).
        from . import signals  # noqa: F401

        # Every app's tasks module, imported now: a job recorded by name before its module was
        # first imported would otherwise not be found in the task registry.
        app.autodiscover_tasks(force=True)
