"""The professionals' search by name finds "LEFÈVRE" from "lefevre" or "Lefèvre" on SQLite and
PostgreSQL alike: each space keeps its names in the form the search compares
(``profil.models.forme_de_recherche``: no accents, case folded, hyphens and spaces as one
space). This computes it for the spaces that exist; ``save`` and ``bulk_create`` keep it."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

LOT = 500


def calculer(apps: Any, schema_editor: Any) -> None:
    # import différé : the normalisation of the code being migrated to, read when it runs
    from profil.models import nom_de_recherche

    Espace = apps.get_model("profil", "Espace")
    lot = []
    for espace in Espace.objects.only("nom_naissance", "nom_utilise", "prenoms").iterator(
        chunk_size=LOT
    ):
        espace.nom_recherche = nom_de_recherche(
            nom_naissance=espace.nom_naissance,
            nom_utilise=espace.nom_utilise,
            prenoms=espace.prenoms,
        )
        lot.append(espace)
        if len(lot) == LOT:
            Espace.objects.bulk_update(lot, ["nom_recherche"])
            lot = []
    Espace.objects.bulk_update(lot, ["nom_recherche"])


class Migration(migrations.Migration):
    dependencies = [("profil", "0009_vaccinations_des_documents")]

    operations = [
        migrations.AddField(
            model_name="espace",
            name="nom_recherche",
            field=models.CharField(
                blank=True, db_default="", default="", editable=False, max_length=420
            ),
        ),
        migrations.RunPython(calculer, migrations.RunPython.noop),
    ]
