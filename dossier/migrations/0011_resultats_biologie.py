# Lab results read from structured lab reports (issue 16, docs/RESULTATS.md).

import django.db.models.deletion
import django.utils.timezone
import espace_sante.coffre.champs
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dossier', '0010_conflits_import'),
        ('profil', '0008_profil_chiffre_et_limite'),
    ]

    operations = [
        migrations.CreateModel(
            name='LectureResultats',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('lus', models.PositiveIntegerField(default=0)),
                ('ignores', models.PositiveIntegerField(default=0)),
                ('motifs', espace_sante.coffre.champs.TexteChiffre(blank=True)),
                ('lue_le', models.DateTimeField(default=django.utils.timezone.now)),
                ('document', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='lecture_resultats', to='dossier.document')),
            ],
        ),
        migrations.CreateModel(
            name='Resultat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rang', models.PositiveIntegerField()),
                ('code', espace_sante.coffre.champs.TexteChiffre(max_length=32)),
                ('analyse', models.CharField(max_length=64)),
                ('date_observation', models.DateField()),
                ('contenu', espace_sante.coffre.champs.TexteChiffre()),
                ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='resultats', to='dossier.document')),
                ('espace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='resultats', to='profil.espace')),
            ],
            options={
                'verbose_name': 'résultat de biologie',
                'verbose_name_plural': 'résultats de biologie',
                'ordering': ['date_observation', 'id'],
                'indexes': [models.Index(fields=['espace', 'analyse', 'date_observation'], name='resultat_espace_analyse_date')],
                'constraints': [models.UniqueConstraint(fields=('document', 'rang'), name='resultat_rang_par_document')],
            },
        ),
    ]
