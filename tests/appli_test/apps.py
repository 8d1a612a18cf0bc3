from __future__ import annotations

from django.apps import AppConfig


class AppliTestConfig(AppConfig):
    """Models used only by the tests of shared infrastructure (the vault)."""

    name = "tests.appli_test"
    label = "appli_test"
