from __future__ import annotations

from django.apps import AppConfig


class EnsembleConfig(AppConfig):
    """What reads across the whole space: the export (FHIR, archive), the summary PDFs, the
    activity history, the demo data. It sits above the domain apps and owns no model."""

    name = "ensemble"
    verbose_name = "Vues d'ensemble de l'espace"
