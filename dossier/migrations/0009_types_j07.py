"""Every type of the national value set JDV_J07 (docs/TYPES.md): a document keeps the type its
content states (code, label, code system), a code J07 does not know goes to the new category
"Autres documents". Documents already stored are put in their type's category again: a code
the old table lacked was filed under "Comptes rendus" or "Mes documents" by default."""

import espace_sante.coffre.champs
from django.db import migrations, models

from dossier import declencheurs


def reclasser(apps, schema_editor):  # type: ignore[no-untyped-def]
    # import différé : the table of the code being migrated to, read when the migration runs
    from dossier.types import TYPES, Categorie

    # On SQLite the table was just rebuilt, without its triggers: back before writing, so that
    # the list pages' cached summaries see the change (dossier/declencheurs.py).
    declencheurs.installer(schema_editor.connection)
    Document = apps.get_model("dossier", "Document")
    par_categorie: dict[str, list[str]] = {}
    for code, type_document in TYPES.items():
        par_categorie.setdefault(type_document.categorie.value, []).append(code)
    for categorie, codes in par_categorie.items():
        Document.objects.filter(type_code__in=codes).exclude(categorie=categorie).update(
            categorie=categorie
        )
    Document.objects.exclude(type_code__in=list(TYPES)).exclude(
        categorie=Categorie.AUTRES.value
    ).update(categorie=Categorie.AUTRES.value)


class Migration(migrations.Migration):
    dependencies = [
        ("dossier", "0008_version_documents"),
    ]

    operations = [
        migrations.AlterField(
            model_name="document",
            name="type_code",
            field=models.CharField(max_length=64, verbose_name="type"),
        ),
        migrations.AddField(
            model_name="document",
            name="type_libelle",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=200, verbose_name="libellé du type"
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="type_systeme",
            field=models.CharField(
                blank=True, max_length=64, verbose_name="système de codes du type"
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="categorie",
            field=models.CharField(
                choices=[
                    ("ordonnances", "Ordonnances & soins"),
                    ("biologie", "Biologie"),
                    ("imagerie", "Imagerie"),
                    ("comptes_rendus", "Comptes rendus & hospitalisation"),
                    ("vaccination", "Vaccination"),
                    ("certificats", "Certificats & attestations"),
                    ("remboursements", "Remboursements"),
                    ("mes_documents", "Mes documents"),
                    ("autres_documents", "Autres documents"),
                ],
                max_length=20,
                verbose_name="catégorie",
            ),
        ),
        migrations.RunPython(reclasser, migrations.RunPython.noop),
    ]
