from __future__ import annotations

from django.apps import AppConfig


class ProfessionnelsConfig(AppConfig):
    name = "professionnels"
    verbose_name = "Professionnels de santé"
