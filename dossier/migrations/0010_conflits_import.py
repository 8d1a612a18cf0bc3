"""A DMP import's uniqueId conflicts (issue 16): the incoming document kept encrypted until the
holder decides (docs/IMPORT_DMP.md)."""

import django.db.models.deletion
import django.utils.timezone
import espace_sante.coffre.champs
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coffre', '0002_blob_sha256_avec_cle'),
        ('dossier', '0009_types_j07'),
        ('profil', '0008_profil_chiffre_et_limite'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ConflitImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('identifiant_unique', models.CharField(max_length=128)),
                ('sha256', espace_sante.coffre.champs.TexteChiffre(max_length=64)),
                ('empreinte', models.CharField(editable=False, max_length=64)),
                ('titre', espace_sante.coffre.champs.TexteChiffre(max_length=200, verbose_name='titre')),
                ('nom_fichier', espace_sante.coffre.champs.TexteChiffre(blank=True, max_length=255)),
                ('auteur_nom', espace_sante.coffre.champs.TexteChiffre(max_length=200, verbose_name='auteur')),
                ('type_code', models.CharField(max_length=32, verbose_name='type')),
                ('date_acte', models.DateField(verbose_name="date de l'acte")),
                ('media_type', models.CharField(blank=True, max_length=127)),
                ('taille', models.BigIntegerField(default=0)),
                ('masque_ps', models.BooleanField(default=False)),
                ('invisible_patient', models.BooleanField(default=False)),
                ('invisible_representants', models.BooleanField(default=False)),
                ('decision', models.CharField(choices=[('a_decider', 'À décider'), ('nouvelle_version', 'Importé comme nouvelle version'), ('ignore', 'Ignoré')], default='a_decider', max_length=16)),
                ('decide_le', models.DateTimeField(blank=True, null=True)),
                ('cree_le', models.DateTimeField(default=django.utils.timezone.now)),
                ('blob', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='conflit_import', to='coffre.blob')),
                ('decide_par', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='dossier.document')),
                ('espace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='conflits_import', to='profil.espace')),
            ],
            options={
                'verbose_name': "conflit d'import du DMP",
                'verbose_name_plural': "conflits d'import du DMP",
                'ordering': ['cree_le', 'id'],
                'indexes': [models.Index(fields=['espace', 'decision'], name='dossier_con_espace__2f612e_idx')],
                'constraints': [models.UniqueConstraint(fields=('espace', 'identifiant_unique', 'empreinte'), name='conflit_import_unique_par_contenu')],
            },
        ),
    ]
