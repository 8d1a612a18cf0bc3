"""A document's title, author, folder, file name and SHA-256 are stored encrypted (issue 13,
finding 6); the folder gets a keyed blind index to group and filter on; the digests of DMP
archives and of quarantined lines become keyed (HMAC). Existing rows are converted here, in the
migration's transaction: encrypted values are recognised and left alone."""

from django.db import migrations, models

import espace_sante.coffre.champs
from espace_sante.coffre.champs import empreinte_indexee, textes_clairs_chiffrer


def convertir(apps, schema_editor):  # type: ignore[no-untyped-def]
    Document = apps.get_model("dossier", "Document")
    textes_clairs_chiffrer(Document)
    a_indexer = Document.objects.filter(dossier_empreinte="").exclude(dossier_utilisateur="")
    for pk, espace_id, dossier in a_indexer.values_list("pk", "espace_id", "dossier_utilisateur"):
        Document.objects.filter(pk=pk).update(
            dossier_empreinte=empreinte_indexee(dossier, usage="dossier", portee=espace_id)
        )
    ImportDMP = apps.get_model("dossier", "ImportDMP")
    for pk, empreinte in ImportDMP.objects.exclude(empreinte="").values_list("pk", "empreinte"):
        ImportDMP.objects.filter(pk=pk).update(
            empreinte=empreinte_indexee(empreinte, usage="archive-dmp")
        )
    LigneQuarantaine = apps.get_model("dossier", "LigneQuarantaine")
    for pk, espace_id, empreinte in LigneQuarantaine.objects.values_list(
        "pk", "espace_id", "empreinte"
    ):
        LigneQuarantaine.objects.filter(pk=pk).update(
            empreinte=empreinte_indexee(empreinte, usage="quarantaine", portee=espace_id)
        )
    _verifier_maintenant(schema_editor)


def _verifier_maintenant(schema_editor):  # type: ignore[no-untyped-def]
    """PostgreSQL: run the deferred foreign-key checks of the updates above now, or the index
    created next in this transaction is refused ("pending trigger events")."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("dossier", "0006_import_dmp_signe_de_vie"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="dossier_empreinte",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="document",
            name="auteur_nom",
            field=espace_sante.coffre.champs.TexteChiffre(max_length=200, verbose_name="auteur"),
        ),
        migrations.AlterField(
            model_name="document",
            name="dossier_utilisateur",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=100, verbose_name="dossier"
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="nom_fichier",
            field=espace_sante.coffre.champs.TexteChiffre(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="document",
            name="sha256",
            field=espace_sante.coffre.champs.TexteChiffre(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="document",
            name="titre",
            field=espace_sante.coffre.champs.TexteChiffre(max_length=200, verbose_name="titre"),
        ),
        migrations.AlterField(
            model_name="ligneremboursement",
            name="libelle",
            field=espace_sante.coffre.champs.TexteChiffre(max_length=300, verbose_name="libellé"),
        ),
        migrations.AlterField(
            model_name="ligneremboursement",
            name="professionnel",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=200, verbose_name="professionnel"
            ),
        ),
        migrations.RunPython(convertir, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(
                fields=["espace", "dossier_empreinte"], name="dossier_doc_espace__7463c1_idx"
            ),
        ),
    ]
