"""A blob's row records a keyed digest (HMAC) of its plaintext's SHA-256 instead of the SHA-256
itself (issue 13, finding 6): the digest of a known file would say who holds it. Existing rows
are converted in the migration's transaction."""

from django.db import migrations, models

from espace_sante.coffre.champs import empreinte_indexee


def convertir(apps, schema_editor):  # type: ignore[no-untyped-def]
    Blob = apps.get_model("coffre", "Blob")
    for pk, sha256 in Blob.objects.values_list("pk", "sha256").iterator(chunk_size=2000):
        Blob.objects.filter(pk=pk).update(sha256=empreinte_indexee(sha256, usage="blob"))


class Migration(migrations.Migration):
    dependencies = [
        ("coffre", "0001_blobs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="blob",
            name="sha256",
            field=models.CharField(
                max_length=64, verbose_name="empreinte du clair (HMAC du SHA-256)"
            ),
        ),
        migrations.RunPython(convertir, migrations.RunPython.noop, elidable=False),
    ]
