"""The forms of the account's settings (views_parametres.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import NOTIFICATIONS_FACULTATIVES, Utilisateur
from .parametres import telephone_normaliser


class EmailForm(DsfrBaseForm):
    email = forms.EmailField(
        label=_("Nouvelle adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, utilisateur: Utilisateur, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.utilisateur = utilisateur

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).lower()
        if email == self.utilisateur.email.lower():
            raise ValidationError(_("C'est déjà l'adresse de votre compte."))
        if Utilisateur.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Un compte utilise déjà cette adresse e-mail."))
        return email


class TelephoneForm(DsfrBaseForm):
    telephone = forms.CharField(
        label=_("Numéro de téléphone"),
        required=False,
        max_length=25,
        help_text=_(
            "Un numéro français (06 12 34 56 78) ou international (+32 2 123 45 67). "
            "Laissez vide pour le retirer."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_telephone(self) -> str:
        saisie = str(self.cleaned_data["telephone"]).strip()
        if not saisie:
            return ""
        try:
            return telephone_normaliser(saisie)
        except ValueError as erreur:
            raise ValidationError(
                _(
                    "Ce numéro n'est pas valable : 10 chiffres commençant par 0, "
                    "ou + et l'indicatif du pays."
                )
            ) from erreur


class NotificationsForm(DsfrBaseForm):
    recues = forms.MultipleChoiceField(
        label=_("Je reçois un e-mail quand :"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(t.value, t.label) for t in NOTIFICATIONS_FACULTATIVES],
    )

    def refusees(self) -> list[str]:
        recues = set(self.cleaned_data["recues"])
        return [t.value for t in NOTIFICATIONS_FACULTATIVES if t.value not in recues]
