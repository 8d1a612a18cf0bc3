"""The carnet de vaccination also holds the vaccinations read from the documents (issue 16,
point 7): an entry's origin, its source document's uuid (no foreign key: ``profil`` depends on
no other app) and title, and what the document says of the injection (product, code, dose,
booster, who vaccinated), encrypted like the rest. One injection a day per vaccine is now
checked among the space's own entries, and separately among each document's: the carnet
merges them into one line."""

import espace_sante.coffre.champs
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("profil", "0008_profil_chiffre_et_limite"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="vaccination",
            name="vaccination_unique_par_jour",
        ),
        migrations.AddField(
            model_name="vaccination",
            name="origine",
            field=models.CharField(
                choices=[("saisie", "Notée dans l'espace"), ("document", "Reprise d'un document")],
                default="saisie",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="vaccination",
            name="document_uuid",
            field=models.UUIDField(blank=True, db_index=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="vaccination",
            name="document_titre",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, editable=False, max_length=200
            ),
        ),
        migrations.AddField(
            model_name="vaccination",
            name="produit",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, editable=False, max_length=200, verbose_name="vaccin administré"
            ),
        ),
        migrations.AddField(
            model_name="vaccination",
            name="code",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, editable=False, max_length=100, verbose_name="code du vaccin"
            ),
        ),
        migrations.AddField(
            model_name="vaccination",
            name="rang",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="rang de la dose"
            ),
        ),
        migrations.AddField(
            model_name="vaccination",
            name="rappel",
            field=models.BooleanField(default=False, verbose_name="rappel"),
        ),
        migrations.AddField(
            model_name="vaccination",
            name="vaccinateur",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, editable=False, max_length=200, verbose_name="vacciné par"
            ),
        ),
        migrations.AddConstraint(
            model_name="vaccination",
            constraint=models.UniqueConstraint(
                condition=models.Q(document_uuid__isnull=True),
                fields=("espace", "famille_empreinte", "date"),
                name="vaccination_unique_par_jour",
            ),
        ),
        migrations.AddConstraint(
            model_name="vaccination",
            constraint=models.UniqueConstraint(
                condition=models.Q(document_uuid__isnull=False),
                fields=("espace", "document_uuid", "famille_empreinte", "date"),
                name="vaccination_unique_par_document",
            ),
        ),
    ]
