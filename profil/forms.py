from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from espace_sante.comptes.models import Utilisateur
from espace_sante.lib.formulaires import ChampDate
from espace_sante.lib.identifiants import valider_nir, verifier_nir


class ActivationForm(DsfrBaseForm):
    ins = forms.CharField(
        label=_("Numéro INS (numéro de sécurité sociale)"),
        help_text=_("15 caractères, clé comprise, tels qu'inscrits sur votre courrier."),
        max_length=25,
        validators=[verifier_nir],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    date_naissance = ChampDate(label=_("Date de naissance"))
    code = forms.CharField(
        label=_("Code d'activation"),
        help_text=_("Le code à 12 caractères reçu par courrier, par exemple ABCD-EFGH-JKLM."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_ins(self) -> str:
        return valider_nir(self.cleaned_data["ins"])


class ConfirmationForm(DsfrBaseForm):
    confirmation = forms.BooleanField(label=_("Je confirme mon choix"), required=True)


class ClotureForm(DsfrBaseForm):
    password = forms.CharField(
        label=_("Votre mot de passe"),
        help_text=_("Par sécurité, saisissez à nouveau votre mot de passe."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    demande_suppression = forms.BooleanField(
        label=_("Je demande la suppression de mes données sans attendre dix ans"),
        help_text=_("Elle sera effective dans un délai de trois mois au plus."),
        required=False,
    )
    confirmation = forms.BooleanField(
        label=_("Je confirme vouloir clôturer mon espace santé"), required=True
    )

    def __init__(self, *args: Any, utilisateur: Utilisateur, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.utilisateur = utilisateur

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.utilisateur.check_password(password):
            raise ValidationError(_("Mot de passe incorrect : l'espace n'a pas été clôturé."))
        return str(password)
