from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from dossier.formats.detection import CHOIX_FICHIERS
from dossier.types import TYPES_DEPOT_PROFESSIONNEL
from espace_sante.comptes.forms import IdentifiantsForm
from espace_sante.lib.formulaires import ChampDate
from espace_sante.lib.identifiants import valider_nir, valider_rpps

from .models import ModeUrgence
from .nomenclature import Profession, Specialite
from .selectors import CriteresPatient, RechercheInvalide, criteres_patient


class InscriptionForm(IdentifiantsForm):
    """A professional's sign-up: who they are and where they practise, then the same login
    fields and checks as a patient's activation."""

    prenom = forms.CharField(label=_("Prénom"), max_length=150)
    nom = forms.CharField(label=_("Nom"), max_length=150)
    rpps = forms.CharField(
        label=_("Numéro RPPS"),
        help_text=_("11 chiffres, inscrits sur votre carte CPS."),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    profession = forms.ChoiceField(label=_("Profession"), choices=Profession.choices)
    specialite = forms.ChoiceField(
        label=_("Spécialité (médecins)"),
        choices=[("", _("— sans objet —")), *Specialite.choices],
        required=False,
    )
    lieu_nom = forms.CharField(label=_("Lieu d'exercice (cabinet, établissement)"), max_length=200)
    lieu_code_postal = forms.RegexField(
        label=_("Code postal"),
        regex=r"^\d{5}$",
        error_messages={"invalid": _("Le code postal compte 5 chiffres.")},
    )
    lieu_ville = forms.CharField(label=_("Ville"), max_length=100)
    field_order = [
        "prenom",
        "nom",
        "rpps",
        "profession",
        "specialite",
        "lieu_nom",
        "lieu_code_postal",
        "lieu_ville",
        "email",
        "password1",
        "password2",
    ]

    def clean_email(self) -> str:
        """No "address already used" here: the sign-up answers the same for every address, and
        the owner of an address that has an account is told by e-mail."""
        return str(self.cleaned_data["email"]).lower()

    def clean_rpps(self) -> str:
        return valider_rpps(self.cleaned_data["rpps"])

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        if donnees.get("profession") == Profession.MEDECIN and not donnees.get("specialite"):
            self.add_error("specialite", _("Un médecin indique sa spécialité."))
        return donnees


class RechercheForm(DsfrBaseForm):
    q = forms.CharField(
        label=_("Rechercher un professionnel"),
        help_text=_("Nom, numéro RPPS, ville ou code postal."),
        max_length=100,
        required=False,
    )


class AccorderForm(DsfrBaseForm):
    jusqu_au = ChampDate(
        label=_("Jusqu'au"),
        help_text=_("Sans date, l'accès dure jusqu'à ce que vous le retiriez."),
        required=False,
    )

    def clean_jusqu_au(self) -> Any:
        jour = self.cleaned_data.get("jusqu_au")
        if jour is not None and jour < timezone.localdate():
            raise ValidationError(_("Choisissez une date à venir."))
        return jour


class ConfirmationForm(DsfrBaseForm):
    confirmation = forms.BooleanField(label=_("Je confirme"), required=True)


class ReglagesAccesForm(DsfrBaseForm):
    urgence_autorisee = forms.BooleanField(
        label=_("Autoriser l'accès en urgence (bris de glace, SAMU – centre 15)"),
        help_text=_(
            "Un professionnel qui vous soigne en urgence pourra consulter votre dossier "
            "pendant quelques heures, en donnant la raison. Vous recevez aussitôt un e-mail."
        ),
        required=False,
    )
    notifier_premier_acces = forms.BooleanField(
        label=_(
            "Me prévenir par e-mail quand un professionnel consulte mon dossier la première fois"
        ),
        required=False,
    )
    notifier_nouveau_document = forms.BooleanField(
        label=_("Me prévenir par e-mail quand un professionnel ajoute un document"),
        required=False,
    )


class UrgenceForm(DsfrBaseForm):
    ins = forms.CharField(
        label=_("INS du patient"),
        help_text=_("15 caractères, clé comprise (carte Vitale ou pièce d'identité)."),
        max_length=25,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    date_naissance = ChampDate(label=_("Date de naissance du patient"))
    mode = forms.ChoiceField(label=_("Mode"), choices=ModeUrgence.choices, widget=forms.RadioSelect)
    motif = forms.CharField(
        label=_("Raison de l'accès en urgence"),
        help_text=_("Elle est conservée et le patient sera prévenu."),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_ins(self) -> str:
        return valider_nir(self.cleaned_data["ins"])


class DepotProForm(DsfrBaseForm):
    fichier = forms.FileField(
        label=_("Fichier"),
        help_text=_("PDF, image, texte, DICOM ou CDA (XML) ; 100 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": CHOIX_FICHIERS}),
    )
    titre = forms.CharField(label=_("Titre"), max_length=200)
    date_acte = ChampDate(label=_("Date de l'acte"))
    type_code = forms.ChoiceField(
        label=_("Type de document"),
        choices=[(t.code, t.libelle) for t in TYPES_DEPOT_PROFESSIONNEL],
    )
    invisible_patient = forms.BooleanField(
        label=_("Invisible pour le patient jusqu'à la consultation d'annonce"),
        help_text=_("Vous le rendrez visible plus tard, depuis la page du document."),
        required=False,
    )
    masque_ps = forms.BooleanField(
        label=_("Masqué aux autres professionnels"),
        required=False,
    )
    invisible_representants = forms.BooleanField(
        label=_("Masqué aux représentants légaux (patient mineur)"),
        required=False,
    )

    def __init__(self, *args: Any, mineur: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not mineur:
            del self.fields["invisible_representants"]

    def clean_date_acte(self) -> Any:
        jour = self.cleaned_data["date_acte"]
        if jour > timezone.localdate():
            raise ValidationError(_("La date de l'acte ne peut pas être dans le futur."))
        return jour

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        if donnees.get("invisible_patient") and donnees.get("masque_ps"):
            raise ValidationError(
                _(
                    "Un document ne peut pas être à la fois invisible pour le patient et masqué "
                    "aux professionnels : choisissez l'un ou l'autre."
                )
            )
        return donnees


class RecherchePatientForm(DsfrBaseForm):
    """The professional's search among their patients (``selectors.criteres_patient``)."""

    q = forms.CharField(
        label=_("Rechercher un patient"),
        help_text=_(
            "Nom (accents et majuscules sans importance), INS à 15 caractères ou date de "
            "naissance (jj/mm/aaaa)."
        ),
        max_length=100,
    )

    def clean_q(self) -> CriteresPatient:
        try:
            return criteres_patient(self.cleaned_data["q"])
        except RechercheInvalide as refus:
            raise ValidationError(refus.message, code="recherche") from None
