"""The second parent's forms: the invitation, the invitee's proof (the child's birth date)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from profil.models import Lien


class InvitationParentForm(forms.Form):
    courriel = forms.EmailField(
        label=_("Adresse électronique de l'autre représentant légal"),
        help_text=_("Celle qu'il utilise pour se connecter à son propre Espace Santé."),
        max_length=254,
    )
    lien = forms.ChoiceField(
        label=_("Son lien avec l'enfant"), choices=Lien.choices, initial=Lien.PARENT
    )


class PreuveForm(forms.Form):
    date_naissance = forms.DateField(
        label=_("Date de naissance de l'enfant"),
        help_text=_("Pour vérifier que vous connaissez l'enfant. Format : jj/mm/aaaa."),
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
