from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .models import MESSAGE_MAX, Categorie


class RechercheForm(DsfrBaseForm):
    q = forms.CharField(label=_("Rechercher dans l'aide"), max_length=100, required=False)


class ContactForm(DsfrBaseForm):
    categorie = forms.ChoiceField(label=_("Sujet"), choices=Categorie.choices)
    message = forms.CharField(
        label=_("Votre message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("N'écrivez pas d'information médicale ici."),
    )
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        help_text=_("Nous vous répondons à cette adresse."),
    )

    def __init__(self, *args: Any, connecte: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if connecte:
            # the account's address answers: nothing to ask
            del self.fields["email"]
