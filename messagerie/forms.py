"""The messagerie's forms: write to a professional, reply in a thread. The
texts are checked here with the services' own rules and words (``services`` checks them again:
a form never decides alone what is sent)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from dossier.formats.detection import CHOIX_FICHIERS
from dossier.forms import ChampFichiersMultiples, FichiersMultiples
from professionnels.models import Professionnel

from .models import CORPS_MAX, SUJET_MAX


def _espace_fin(nombre: int) -> str:
    return f"{nombre:,}".replace(",", "\u202f")


class ChampProfessionnel(forms.ModelChoiceField):
    """A professional named as the patient's side knows them ("Dr Paul MARTIN — médecin
    généraliste"), chosen by their public id."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.nom_affiche} — {obj.qualite}" if obj.qualite else obj.nom_affiche


def _champ_corps() -> forms.CharField:
    return forms.CharField(
        label=_("Message"),
        max_length=CORPS_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("%(max)s caractères au plus.") % {"max": _espace_fin(CORPS_MAX)},
        error_messages={
            "required": _("Écrivez votre message avant de l'envoyer."),
            "max_length": _(
                "Votre message dépasse %(max)s caractères : raccourcissez-le, ou joignez un "
                "document."
            )
            % {"max": _espace_fin(CORPS_MAX)},
        },
    )


def _champ_pieces() -> ChampFichiersMultiples:
    return ChampFichiersMultiples(
        label=_("Fichiers joints"),
        required=False,
        widget=FichiersMultiples(attrs={"accept": CHOIX_FICHIERS}),
    )


class _AvecPieces(DsfrBaseForm):
    """The attachments' field, its help giving the limits in force (settings)."""

    pieces = _champ_pieces()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pieces"].help_text = _(
            "PDF, JPEG, PNG, TIFF, texte, RTF, DICOM ou CDA (XML) ; %(n)s fichiers au plus, "
            "%(taille)s Mo au plus par fichier."
        ) % {
            "n": settings.MESSAGERIE_PIECES_PAR_MESSAGE,
            "taille": settings.MESSAGERIE_TAILLE_PIECE // (1024 * 1024),
        }


class EcrireForm(_AvecPieces):
    """A new conversation, opened by the patient's side with one of its professionals."""

    field_order = ("professionnel", "sujet", "corps", "pieces")

    professionnel = ChampProfessionnel(
        label=_("Professionnel"),
        queryset=Professionnel.objects.none(),
        to_field_name="uuid",
        empty_label=_("Choisissez un professionnel"),
        error_messages={
            "required": _("Choisissez le professionnel à qui écrire."),
            "invalid_choice": _(
                "Vous ne pouvez pas écrire à ce professionnel : choisissez-en un de la liste."
            ),
        },
    )
    sujet = forms.CharField(
        label=_("Objet"),
        max_length=SUJET_MAX,
        error_messages={
            "required": _("Donnez un objet à la conversation."),
            "max_length": _("L'objet dépasse %(max)s caractères : raccourcissez-le.")
            % {"max": SUJET_MAX},
        },
    )
    corps = _champ_corps()

    def __init__(self, *args: Any, professionnels: QuerySet[Professionnel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["professionnel"].queryset = professionnels


class ReponseForm(_AvecPieces):
    """A reply in a thread (either side)."""

    field_order = ("corps", "pieces")

    corps = _champ_corps()
