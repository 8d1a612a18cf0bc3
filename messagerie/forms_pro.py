"""The professional's messagerie forms: write to a patient, reply, deposit an attachment in
the dossier, filter the inbox. Texts are checked with the services' own words (the services
check them again: a form never decides alone what is sent)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from dossier.formats.detection import CHOIX_FICHIERS
from dossier.forms import ChampFichiersMultiples, FichiersMultiples
from dossier.types import TYPES_DEPOT_PROFESSIONNEL

from .models import CORPS_MAX, SUJET_MAX

# What a message's attachment most often is, when a professional files it in the dossier.
TYPE_DEPOT_PAR_DEFAUT = "11488-4"  # CR ou fiche de consultation ou de visite


def _nombre(nombre: int) -> str:
    return f"{nombre:,}".replace(",", "\u202f")


class _MessageForm(DsfrBaseForm):
    """A message's body and attachments (their help gives the limits in force)."""

    corps = forms.CharField(
        label=_("Message"),
        max_length=CORPS_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("%(max)s caractères au plus.") % {"max": _nombre(CORPS_MAX)},
        error_messages={
            "required": _("Écrivez votre message avant de l'envoyer."),
            "max_length": _(
                "Votre message dépasse %(max)s caractères : raccourcissez-le, ou joignez un "
                "document."
            )
            % {"max": _nombre(CORPS_MAX)},
        },
    )
    pieces = ChampFichiersMultiples(
        label=_("Fichiers joints"),
        required=False,
        widget=FichiersMultiples(attrs={"accept": CHOIX_FICHIERS}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pieces"].help_text = _(
            "PDF, JPEG, PNG, TIFF, texte, RTF, DICOM ou CDA (XML) ; %(n)s fichiers au plus, "
            "%(taille)s Mo au plus par fichier."
        ) % {
            "n": settings.MESSAGERIE_PIECES_PAR_MESSAGE,
            "taille": settings.MESSAGERIE_TAILLE_PIECE // (1024 * 1024),
        }


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
