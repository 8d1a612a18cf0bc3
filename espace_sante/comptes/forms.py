"""Account forms every kind of person uses: the identifiers of a new account (e-mail and
password), for a patient's activation and a professional's sign-up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import Utilisateur


class IdentifiantsForm(DsfrBaseForm):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Elle servira d'identifiant de connexion."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        help_text=_("12 caractères au moins, pas uniquement des chiffres."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if Utilisateur.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Un compte utilise déjà cette adresse e-mail."))
        return str(email)

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        p1, p2 = donnees.get("password1"), donnees.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif p1:
            try:
                validate_password(p1, Utilisateur(email=donnees.get("email", "")))
            except ValidationError as erreur:
                self.add_error("password1", erreur)
        return donnees
