from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from espace_sante.journal.themes import choix_des_themes
from espace_sante.lib.formulaires import ChampDate


class HistoriqueFiltreForm(DsfrBaseForm):
    du = ChampDate(label=_("Du"), required=False)
    au = ChampDate(label=_("Au"), required=False)
    action = forms.ChoiceField(
        label=_("Thème"),
        required=False,
        choices=[("", _("Tous les thèmes")), *choix_des_themes()],
    )

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and du > au:
            self.add_error("au", _("La date de fin précède la date de début."))
        return donnees
