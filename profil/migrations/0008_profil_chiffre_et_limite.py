"""The medical profile's remaining clear values are encrypted (issue 13, finding 6): who
entered an entry, the vaccine, the measures' values; the vaccine gets a keyed blind index for
the one-injection-a-day rule; every free-text field gets a maximum length (finding 7). Existing
rows are converted here; encrypted values are recognised and left alone."""

import espace_sante.coffre.champs
from django.db import migrations, models

from espace_sante.coffre.champs import empreinte_indexee, textes_clairs_chiffrer

MODELES = (
    "Allergie",
    "Antecedent",
    "DirectivesAnticipees",
    "DonOrganes",
    "HabitudesDeVie",
    "Mesure",
    "PersonneAPrevenir",
    "PersonneConfiance",
    "Traitement",
    "Vaccination",
)


def convertir(apps, schema_editor):  # type: ignore[no-untyped-def]
    for nom in MODELES:
        textes_clairs_chiffrer(apps.get_model("profil", nom))
    Vaccination = apps.get_model("profil", "Vaccination")
    for pk, espace_id, famille in Vaccination.objects.filter(famille_empreinte="").values_list(
        "pk", "espace_id", "famille"
    ):
        Vaccination.objects.filter(pk=pk).update(
            famille_empreinte=empreinte_indexee(famille, usage="vaccin", portee=espace_id)
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
        ("profil", "0007_export_donnees"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="vaccination",
            name="vaccination_unique_par_jour",
        ),
        migrations.AddField(
            model_name="vaccination",
            name="famille_empreinte",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="allergie",
            name="reaction",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=1000, verbose_name="réaction"
            ),
        ),
        migrations.AlterField(
            model_name="allergie",
            name="saisi_par_nom",
            field=espace_sante.coffre.champs.TexteChiffre(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="allergie",
            name="substance",
            field=espace_sante.coffre.champs.TexteChiffre(
                max_length=200, verbose_name="substance ou aliment"
            ),
        ),
        migrations.AlterField(
            model_name="antecedent",
            name="libelle",
            field=espace_sante.coffre.champs.TexteChiffre(
                max_length=200, verbose_name="antécédent"
            ),
        ),
        migrations.AlterField(
            model_name="antecedent",
            name="precision",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=2000, verbose_name="précisions"
            ),
        ),
        migrations.AlterField(
            model_name="antecedent",
            name="saisi_par_nom",
            field=espace_sante.coffre.champs.TexteChiffre(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="directivesanticipees",
            name="autres",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=5000, verbose_name="mes autres volontés"
            ),
        ),
        migrations.AlterField(
            model_name="directivesanticipees",
            name="douleur",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True,
                help_text="Sédation profonde et continue jusqu'au décès, antalgiques…",
                max_length=5000,
                verbose_name="soulagement des souffrances",
            ),
        ),
        migrations.AlterField(
            model_name="directivesanticipees",
            name="fait_a",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=200, verbose_name="fait à"
            ),
        ),
        migrations.AlterField(
            model_name="directivesanticipees",
            name="lieu",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True,
                max_length=2000,
                verbose_name="où je souhaite être soigné(e) en fin de vie",
            ),
        ),
        migrations.AlterField(
            model_name="directivesanticipees",
            name="reanimation",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=5000, verbose_name="réanimation cardiaque et respiratoire"
            ),
        ),
        migrations.AlterField(
            model_name="directivesanticipees",
            name="temoins",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True,
                help_text="Nom, prénom et qualité de deux témoins.",
                max_length=1000,
                verbose_name="témoins (si je ne peux pas écrire moi-même)",
            ),
        ),
        migrations.AlterField(
            model_name="directivesanticipees",
            name="traitements",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True,
                help_text="Ventilation, dialyse, alimentation et hydratation artificielles…",
                max_length=5000,
                verbose_name="traitements qui me maintiendraient artificiellement en vie",
            ),
        ),
        migrations.AlterField(
            model_name="donorganes",
            name="precision",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True,
                help_text="Organes ou tissus exclus, don du corps à la science…",
                max_length=2000,
                verbose_name="précisions",
            ),
        ),
        migrations.AlterField(
            model_name="habitudesdevie",
            name="activite",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=1000, verbose_name="activité physique"
            ),
        ),
        migrations.AlterField(
            model_name="habitudesdevie",
            name="alcool",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, help_text="Verres par semaine…", max_length=1000, verbose_name="alcool"
            ),
        ),
        migrations.AlterField(
            model_name="habitudesdevie",
            name="alimentation",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True,
                help_text="Régime particulier…",
                max_length=1000,
                verbose_name="alimentation",
            ),
        ),
        migrations.AlterField(
            model_name="habitudesdevie",
            name="sommeil",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=1000, verbose_name="sommeil"
            ),
        ),
        migrations.AlterField(
            model_name="habitudesdevie",
            name="tabac",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True,
                help_text="Jamais, arrêté depuis…, cigarettes par jour…",
                max_length=1000,
                verbose_name="tabac",
            ),
        ),
        migrations.AlterField(
            model_name="mesure",
            name="saisi_par_nom",
            field=espace_sante.coffre.champs.TexteChiffre(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="mesure",
            name="valeur",
            field=espace_sante.coffre.champs.DecimalChiffre(
                decimal_places=2, max_digits=6, verbose_name="valeur"
            ),
        ),
        migrations.AlterField(
            model_name="mesure",
            name="valeur_basse",
            field=espace_sante.coffre.champs.DecimalChiffre(
                blank=True,
                decimal_places=2,
                max_digits=6,
                null=True,
                verbose_name="pression diastolique (mmHg)",
            ),
        ),
        migrations.AlterField(
            model_name="personneaprevenir",
            name="lien",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=100, verbose_name="lien avec moi"
            ),
        ),
        migrations.AlterField(
            model_name="personneaprevenir",
            name="nom",
            field=espace_sante.coffre.champs.TexteChiffre(
                max_length=200, verbose_name="nom et prénom"
            ),
        ),
        migrations.AlterField(
            model_name="personneaprevenir",
            name="saisi_par_nom",
            field=espace_sante.coffre.champs.TexteChiffre(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="personneaprevenir",
            name="telephone",
            field=espace_sante.coffre.champs.TexteChiffre(max_length=30, verbose_name="téléphone"),
        ),
        migrations.AlterField(
            model_name="personneconfiance",
            name="courriel",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=254, verbose_name="adresse e-mail"
            ),
        ),
        migrations.AlterField(
            model_name="personneconfiance",
            name="lien",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=100, verbose_name="lien avec moi (parent, proche, médecin…)"
            ),
        ),
        migrations.AlterField(
            model_name="personneconfiance",
            name="nom",
            field=espace_sante.coffre.champs.TexteChiffre(
                max_length=200, verbose_name="nom et prénom"
            ),
        ),
        migrations.AlterField(
            model_name="personneconfiance",
            name="telephone",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=30, verbose_name="téléphone"
            ),
        ),
        migrations.AlterField(
            model_name="traitement",
            name="dose",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=200, verbose_name="dose et rythme"
            ),
        ),
        migrations.AlterField(
            model_name="traitement",
            name="medicament",
            field=espace_sante.coffre.champs.TexteChiffre(
                max_length=200, verbose_name="médicament"
            ),
        ),
        migrations.AlterField(
            model_name="traitement",
            name="prescripteur",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=200, verbose_name="prescrit par"
            ),
        ),
        migrations.AlterField(
            model_name="traitement",
            name="saisi_par_nom",
            field=espace_sante.coffre.champs.TexteChiffre(blank=True, max_length=200),
        ),
        migrations.AlterField(
            model_name="vaccination",
            name="famille",
            field=espace_sante.coffre.champs.TexteChiffre(max_length=20, verbose_name="vaccin"),
        ),
        migrations.AlterField(
            model_name="vaccination",
            name="lot",
            field=espace_sante.coffre.champs.TexteChiffre(
                blank=True, max_length=50, verbose_name="numéro de lot"
            ),
        ),
        migrations.AlterField(
            model_name="vaccination",
            name="saisi_par_nom",
            field=espace_sante.coffre.champs.TexteChiffre(blank=True, max_length=200),
        ),
        migrations.RunPython(convertir, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="vaccination",
            constraint=models.UniqueConstraint(
                fields=("espace", "famille_empreinte", "date"), name="vaccination_unique_par_jour"
            ),
        ),
    ]
