"""Seed the habilitation matrix (professionnels/matrice.py, docs/MATRICE.md)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def semer(apps: Any, schema_editor: Any) -> None:
    from professionnels.matrice import semer as semer_matrice

    semer_matrice(apps.get_model("professionnels", "Habilitation"))


class Migration(migrations.Migration):
    dependencies = [("professionnels", "0001_initial")]

    operations = [migrations.RunPython(semer, migrations.RunPython.noop)]
