"""The professional's messagerie forms: write to a patient, reply, deposit an attachment in
the dossier, filter the inbox. Texts are checked with the services' own words (the services
check them again: a form never decides alone what is sent)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from dossier.types import TYPES_DEPOT_PROFESSIONNEL

from .forms import _AvecPieces, _champ_corps
from .models import SUJET_MAX

# What a message's attachment most often is, when a professional files it in the dossier.
TYPE_DEPOT_PAR_DEFAUT = "11488-4"  # CR ou fiche de consultation ou de visite


class _MessageForm(_AvecPieces):
    """A message's body and attachments: the patient's forms' fields (one wording)."""

    corps = _champ_corps()


class EcrireProForm(_MessageForm):
    """A new conversation with a patient (the holder, or a minor's representatives); on a
    minor's space, optionally the minor's secret."""

    field_order = ("sujet", "corps", "pieces", "secret_mineur")

    sujet = forms.CharField(
        label=_("Objet"),
        max_length=SUJET_MAX,
        error_messages={
            "required": _("Donnez un objet à la conversation."),
            "max_length": _("L'objet dépasse %(max)s caractères : raccourcissez-le.")
            % {"max": SUJET_MAX},
        },
    )
    secret_mineur = forms.BooleanField(
        label=_("Ne pas montrer cette conversation aux représentants légaux (secret du mineur)"),
        help_text=_("Seul le patient mineur la lira ; ce choix ne peut plus être changé ensuite."),
        required=False,
    )

    def __init__(self, *args: Any, mineur: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not mineur:
            del self.fields["secret_mineur"]


class ReponseProForm(_MessageForm):
    """A reply in a thread."""

    field_order = ("corps", "pieces")


class DeposerPieceForm(DsfrBaseForm):
    """Deposit one attachment in the patient's dossier, as a document of this type."""

    type_code = forms.ChoiceField(
        label=_("Type de document"),
        choices=[(t.code, t.libelle) for t in TYPES_DEPOT_PROFESSIONNEL],
        initial=TYPE_DEPOT_PAR_DEFAUT,
        error_messages={
            "required": _("Choisissez un type de document dans la liste."),
            "invalid_choice": _(
                "Ce type de document ne peut pas être déposé par un professionnel : choisissez "
                "un type dans la liste."
            ),
        },
    )


class FiltresBoiteProForm(DsfrBaseForm):
    """The professional's inbox filters (GET): unread, one patient, with attachments, the
    archived threads."""

    non_lus = forms.BooleanField(label=_("Non lus"), required=False)
    patient = forms.TypedChoiceField(label=_("Patient"), required=False, empty_value="")
    avec_pieces = forms.BooleanField(label=_("Avec pièces jointes"), required=False)
    archives = forms.BooleanField(label=_("Archivées"), required=False)

    def __init__(self, *args: Any, patients: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["patient"].choices = [("", _("Tous")), *patients]
