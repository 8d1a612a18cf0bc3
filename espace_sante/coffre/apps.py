from __future__ import annotations

from django.apps import AppConfig


class CoffreConfig(AppConfig):
    name = "espace_sante.coffre"
    label = "coffre"
    verbose_name = "Coffre (chiffrement)"
