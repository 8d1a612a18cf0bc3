from __future__ import annotations

from django.apps import AppConfig


class ProchesConfig(AppConfig):
    name = "proches"
    verbose_name = "Proches"
