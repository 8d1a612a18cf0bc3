from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.signals import post_migrate

from . import declencheurs


def _declencheurs(sender: Any, using: str, plan: Any = None, **kwargs: Any) -> None:
    """After every ``migrate``: the triggers of ``VersionDocuments`` are there, even if a
    later migration rebuilt ``dossier_document`` (SQLite drops a table's triggers with it)."""
    connexion = connections[using]
    appliquees = MigrationRecorder(connexion).applied_migrations()
    if ("dossier", "0008_version_documents") in appliquees:
        declencheurs.installer(connexion)


class DossierConfig(AppConfig):
    name = "dossier"
    verbose_name = "Dossier médical"

    def ready(self) -> None:
        # import différé : Django registers signal receivers in ready(), once the models exist
        from . import signals  # noqa: F401

        post_migrate.connect(_declencheurs, sender=self)
