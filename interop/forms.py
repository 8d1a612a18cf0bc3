from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

BOUCLES_LOCALES = {"127.0.0.1", "localhost", "[::1]", "::1"}


def boucle_locale_permise() -> bool:
    """Whether this server takes a loopback ``http://127.0.0.1`` redirect (software installed
    on the workstation, RFC 8252): in development only (production takes https only)."""
    return "http" in settings.OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"]


def _aide_adresse() -> str:
    """Only what this server accepts (production: https only), read when the page is drawn."""
    if boucle_locale_permise():
        return str(
            _(
                "Fournie par l'éditeur du logiciel : une adresse https://, ou "
                "http://127.0.0.1:<port>/… pour un logiciel installé sur votre poste."
            )
        )
    return str(_("Fournie par l'éditeur du logiciel : une adresse https://."))


class LogicielForm(DsfrBaseForm):
    nom = forms.CharField(label=_("Nom du logiciel"), max_length=100)
    adresse_retour = forms.CharField(
        label=_("Adresse de retour (redirect URI)"),
        max_length=500,
        help_text=lazy(_aide_adresse, str)(),
    )

    def clean_adresse_retour(self) -> str:
        adresse = self.cleaned_data["adresse_retour"].strip()
        parties = urlsplit(adresse)
        locale = (
            parties.scheme == "http"
            and (parties.hostname or "") in BOUCLES_LOCALES
            and boucle_locale_permise()
        )
        if not (parties.scheme == "https" or locale) or not parties.netloc or parties.fragment:
            raise ValidationError(
                _(
                    "L'adresse de retour commence par https:// (ou http://127.0.0.1 pour un "
                    "logiciel installé sur le poste), sans fragment (#)."
                )
                if boucle_locale_permise()
                else _("L'adresse de retour commence par https://, sans fragment (#).")
            )
        return adresse
