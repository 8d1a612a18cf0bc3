"""The invitation of a carer: an address, what they will see, read only or not, an optional
end date. ``proches.aidants.aidant_inviter`` checks everything again."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from profil.models import Perimetre

from .aidants import EXPLICATIONS

MODES = [
    ("lecture", _("Consulter seulement")),
    ("ecriture", _("Consulter, ajouter et modifier (par exemple déposer un document)")),
]


class InvitationAidantForm(DsfrBaseForm):
    courriel = forms.EmailField(
        label=_("Adresse électronique de votre proche"),
        max_length=254,
        help_text=_("Celle qu'il utilise pour se connecter à son propre espace santé."),
    )
    perimetre = forms.ChoiceField(
        label=_("Ce que votre aidant pourra voir"),
        choices=[(valeur, EXPLICATIONS[valeur]) for valeur in Perimetre.values],
        widget=forms.RadioSelect,
        initial=Perimetre.DOCUMENTS,
    )
    mode = forms.ChoiceField(
        label=_("Ce que votre aidant pourra faire"),
        choices=MODES,
        widget=forms.RadioSelect,
        initial="lecture",
    )
    fin = forms.DateField(
        label=_("Jusqu'au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Sans date, l'accès dure jusqu'à ce que l'un de vous deux y mette fin."),
    )

    def clean_fin(self) -> date | None:
        fin: date | None = self.cleaned_data.get("fin")
        if fin is not None and fin < timezone.localdate():
            raise forms.ValidationError(
                _("Cette date est passée : choisissez aujourd'hui ou une date à venir.")
            )
        return fin
