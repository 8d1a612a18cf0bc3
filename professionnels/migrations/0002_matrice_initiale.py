"""Seed the habilitation matrix (professionnels/matrice.py, docs/MATRICE.md)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def semer(apps: Any, schema_editor: Any) -> None:
    from professionnels.matrice import lignes_initiales

    Habilitation = apps.get_model("professionnels", "Habilitation")
    Habilitation.objects.bulk_create(
        [
            Habilitation(profession=profession, type_code=code, lecture=lecture)
            for profession, code, lecture in lignes_initiales()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("professionnels", "0001_initial")]

    operations = [migrations.RunPython(semer, migrations.RunPython.noop)]
