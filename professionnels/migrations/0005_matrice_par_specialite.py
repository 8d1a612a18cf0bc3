"""The matrix distinguishes specialties (docs/MATRICE.md): a row is now (profession, specialty
or ``*``, type). Every existing row becomes its profession's row (specialty ``*``), so it means
what it meant; then the specialties that read otherwise than their profession get their rows
(occupational medicine: nothing). The médecins' specialties are the whole of JDV_J01
(``scripts/specialites.py``); their choices are read from the code, they change no column."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from professionnels.nomenclature import Specialite


def semer_specialites(apps: Any, schema_editor: Any) -> None:
    # import différé : the seed of the code being migrated to, read when the migration runs
    from professionnels.matrice import semer

    semer(apps.get_model("professionnels", "Habilitation"))


def retirer_specialites(apps: Any, schema_editor: Any) -> None:
    """Back to one row per (profession, type): the specialties' rows cannot stay."""
    Habilitation = apps.get_model("professionnels", "Habilitation")
    Habilitation.objects.exclude(specialite="*").delete()


class Migration(migrations.Migration):
    dependencies = [("professionnels", "0004_matrice_types_j07")]

    operations = [
        migrations.AlterModelOptions(
            name="habilitation",
            options={
                "ordering": ["profession", "specialite", "type_code"],
                "verbose_name": "habilitation",
                "verbose_name_plural": "matrice d'habilitation",
            },
        ),
        migrations.RemoveConstraint(model_name="habilitation", name="habilitation_unique"),
        migrations.AddField(
            model_name="habilitation",
            name="specialite",
            field=models.CharField(
                default="*",
                help_text="Code RPPS de la spécialité (SM25…), ou « * » pour toute la profession.",
                max_length=8,
                verbose_name="spécialité",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, retirer_specialites),
        migrations.AddConstraint(
            model_name="habilitation",
            constraint=models.UniqueConstraint(
                fields=("profession", "specialite", "type_code"), name="habilitation_unique"
            ),
        ),
        migrations.AlterField(
            model_name="professionnel",
            name="specialite",
            field=models.CharField(
                blank=True, choices=Specialite.choices, max_length=8, verbose_name="spécialité"
            ),
        ),
        migrations.AlterField(
            model_name="revendicationrpps",
            name="specialite",
            field=models.CharField(
                blank=True, choices=Specialite.choices, max_length=8, verbose_name="spécialité"
            ),
        ),
        migrations.RunPython(semer_specialites, migrations.RunPython.noop),
    ]
