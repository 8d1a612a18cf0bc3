"""A token per space that every write to its documents changes, kept by database triggers
(``dossier/declencheurs.py``): the list pages key their cached summary on it. Spaces that
already have documents get their first token here."""

import django.db.models.deletion
from django.db import migrations, models

from dossier import declencheurs


def installer(apps, schema_editor):  # type: ignore[no-untyped-def]
    declencheurs.installer(schema_editor.connection)
    jeton = {
        "postgresql": "gen_random_uuid()::text",
        "sqlite": "lower(hex(randomblob(16)))",
    }[schema_editor.connection.vendor]
    schema_editor.execute(
        f"INSERT INTO dossier_versiondocuments (espace_id, jeton) "  # noqa: S608 (no value)
        f"SELECT espace_id, {jeton} FROM (SELECT DISTINCT espace_id FROM dossier_document) d",
        params=None,
    )


def retirer(apps, schema_editor):  # type: ignore[no-untyped-def]
    declencheurs.retirer(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("dossier", "0007_metadonnees_documents_chiffrees"),
        ("profil", "0008_profil_chiffre_et_limite"),
    ]

    operations = [
        migrations.CreateModel(
            name="VersionDocuments",
            fields=[
                (
                    "espace",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="version_documents",
                        serialize=False,
                        to="profil.espace",
                    ),
                ),
                ("jeton", models.CharField(max_length=36)),
            ],
        ),
        migrations.RunPython(installer, retirer),
    ]
