"""Forms of the calendar feed's settings and of the recommended care ("Marquer comme fait")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from espace_sante.acces import AccesPatient, documents_lisibles

from .models import RendezVous

CHOIX_INVALIDE = _(
    "Ce choix n'est pas dans votre espace : choisissez dans la liste, ou laissez vide."
)


class FluxForm(DsfrBaseForm):
    avec_details = forms.BooleanField(
        label=_("Inclure le détail (objet, lieu, professionnel) dans le calendrier"),
        help_text=_(
            "Sans cette case, chaque rendez-vous s'affiche « Rendez-vous » avec son heure et sa "
            "durée seulement : votre application de calendrier (et son fournisseur) ne lit rien "
            "de votre santé."
        ),
        required=False,
    )


class ChampDocument(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.titre} ({formats.date_format(obj.date_acte, 'SHORT_DATE_FORMAT')})"


class ChampRendezVous(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        quand = formats.date_format(obj.debut, "SHORT_DATETIME_FORMAT")
        return f"{obj.titre} ({quand})"


class SoinFaitForm(DsfrBaseForm):
    """Done, optionally linked to one of the space's documents or appointments (chosen by
    their public id: another space's is not a choice)."""

    document = ChampDocument(
        label=_("Document lié"),
        queryset=None,
        required=False,
        to_field_name="uuid",
        error_messages={"invalid_choice": CHOIX_INVALIDE},
    )
    rendez_vous = ChampRendezVous(
        label=_("Rendez-vous lié"),
        queryset=None,
        required=False,
        to_field_name="uuid",
        error_messages={"invalid_choice": CHOIX_INVALIDE},
    )

    def __init__(self, *args: Any, acces: AccesPatient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = documents_lisibles(acces=acces).order_by("-date_acte", "-pk")
        self.fields["document"].queryset = documents
        rdvs = RendezVous.objects.filter(espace=acces.espace).order_by("-debut")
        self.fields["rendez_vous"].queryset = rdvs
