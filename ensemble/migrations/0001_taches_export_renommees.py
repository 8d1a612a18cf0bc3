"""The export's jobs moved from ``profil.tasks`` to ``ensemble.tasks`` (issue 15). Jobs still
waiting in the outbox under their old names are renamed, so the sweep sends them under names
the workers know; jobs already sent are history and keep the name they left with."""

from django.db import migrations

RENOMMEES = {
    "profil.tasks.export_construire": "ensemble.tasks.export_construire",
    "profil.tasks.exports_purger": "ensemble.tasks.exports_purger",
}


def _renommer(apps, noms):
    TacheEnAttente = apps.get_model("taches", "TacheEnAttente")
    for ancien, nouveau in noms.items():
        TacheEnAttente.objects.filter(tache=ancien, envoyee_le__isnull=True).update(tache=nouveau)


def renommer(apps, schema_editor):
    _renommer(apps, RENOMMEES)


def retablir(apps, schema_editor):
    _renommer(apps, {nouveau: ancien for ancien, nouveau in RENOMMEES.items()})


class Migration(migrations.Migration):
    dependencies = [("taches", "0001_boite_d_envoi")]

    operations = [migrations.RunPython(renommer, retablir)]
