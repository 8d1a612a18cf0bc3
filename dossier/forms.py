from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from espace_sante.lib.formulaires import ChampDate

from .formats.detection import CHOIX_FICHIERS
from .models import Source
from .types import TYPE_PAR_DEFAUT_PATIENT, TYPES, TYPES_DEPOT_PATIENT, Categorie


class FichiersMultiples(forms.ClearableFileInput):
    allow_multiple_selected = True


class ChampFichiersMultiples(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", FichiersMultiples())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [super(ChampFichiersMultiples, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data or self.required else []


class DepotForm(DsfrBaseForm):
    fichiers = ChampFichiersMultiples(
        label=_("Fichiers"),
        help_text=_(
            "PDF, JPEG, PNG, TIFF, texte, RTF, DICOM ou CDA (XML) ; 100 Mo au plus par fichier. "
            "Sur un téléphone, vous pouvez prendre une photo."
        ),
        widget=FichiersMultiples(attrs={"accept": CHOIX_FICHIERS}),
    )
    titre = forms.CharField(label=_("Titre"), max_length=200)
    date_acte = ChampDate(label=_("Date de l'acte ou du document"))
    type_code = forms.ChoiceField(
        label=_("Type de document"),
        choices=[(t.code, t.libelle) for t in TYPES_DEPOT_PATIENT],
        initial=TYPE_PAR_DEFAUT_PATIENT,
    )
    dossier_utilisateur = forms.CharField(
        label=_("Ranger dans un dossier"), max_length=100, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_acte"].initial = timezone.localdate()


class RemplacementForm(DsfrBaseForm):
    fichier = forms.FileField(label=_("Nouvelle version du fichier"))
    titre = forms.CharField(label=_("Titre"), max_length=200, required=False)


class FiltresForm(DsfrBaseForm):
    q = forms.CharField(
        label=_("Rechercher dans les titres et les auteurs"), required=False, max_length=100
    )
    categorie = forms.ChoiceField(
        label=_("Catégorie"), required=False, choices=[("", _("Toutes")), *Categorie.choices]
    )
    type_code = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[
            ("", _("Tous")),
            *sorted(((t.code, t.libelle) for t in TYPES.values()), key=lambda c: c[1]),
        ],
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=[("", _("Toutes")), *Source.choices]
    )
    auteur = forms.CharField(label=_("Auteur"), required=False, max_length=100)
    du = ChampDate(label=_("Du"), required=False)
    au = ChampDate(label=_("Au"), required=False)
    tri = forms.ChoiceField(
        label=_("Trier par"),
        required=False,
        choices=[
            ("-date_acte", _("Date de l'acte, récents d'abord")),
            ("date_acte", _("Date de l'acte, anciens d'abord")),
            ("-cree_le", _("Date d'ajout")),
            ("titre", _("Titre")),
        ],
    )

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and du > au:
            self.add_error("au", _("La date de fin précède la date de début."))
        return donnees


class ReglagesForm(DsfrBaseForm):
    tout_masque = forms.BooleanField(
        label=_("Masquer tous mes documents aux professionnels, y compris en cas d'urgence"),
        required=False,
    )
    masquer_nouveaux = forms.BooleanField(
        label=_("Masquer par défaut les documents que j'ajoute"), required=False
    )
