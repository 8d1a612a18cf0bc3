"""The activity history in plain language (DESIGN.md §5): "Dr Martin, médecin généraliste, a
consulté votre compte rendu d'imagerie du 3 mars 2026".

Events hold no health content: the document's type and date are looked up when the page is
shown, through the same policy as the document list, so a document the reader may not see
(held back by a professional, deleted) is only ever "un document". Which events a reader gets
at all is the policy's too (``evenements_lisibles``): a legal representative gets none about a
minor's secret."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dossier.types import TYPES
from espace_sante.acces import (
    AccesPatient,
    documents_lisibles,
    evenements_lisibles,
    lit_les_secrets,
)
from espace_sante.journal.models import Action, Evenement, TypeActeur
from espace_sante.journal.selectors import evenements_de_l_espace

VERBES_DOCUMENT = {
    Action.DOCUMENT_CONSULTE: gettext_lazy("a consulté %(doc)s"),
    Action.DOCUMENT_TELECHARGE: gettext_lazy("a téléchargé %(doc)s"),
    Action.DOCUMENT_DEPOSE: gettext_lazy("a ajouté %(doc)s"),
    Action.DOCUMENT_LIBERE: gettext_lazy("vous a rendu visible %(doc)s"),
    Action.DOCUMENT_REMPLACE: gettext_lazy("a remplacé %(doc)s par une nouvelle version"),
    Action.DOCUMENT_MASQUE: gettext_lazy("a masqué aux professionnels %(doc)s"),
    Action.DOCUMENT_AFFICHE: gettext_lazy("a rendu visible des professionnels %(doc)s"),
    Action.DOCUMENT_SUPPRIME: gettext_lazy("a supprimé %(doc)s"),
    Action.DOCUMENT_RESTAURE: gettext_lazy("a restauré %(doc)s"),
}
URGENCES = {Action.URGENCE_OUVERTE, Action.URGENCE_REFUSEE}
# The messagerie's lines say what was done, never what was written (the journal holds no
# subject, body or file name).
PHRASES_MESSAGERIE = {
    Action.MESSAGE_ENVOYE: gettext_lazy("a envoyé un message (messagerie)"),
    Action.MESSAGE_LU: gettext_lazy("a lu une conversation (messagerie)"),
    Action.PIECE_JOINTE_TELECHARGEE: gettext_lazy(
        "a téléchargé une pièce jointe d'un message (messagerie)"
    ),
    Action.FIL_CLOS: gettext_lazy("a clos une conversation (messagerie)"),
}


@dataclass(frozen=True)
class Ligne:
    evenement: Evenement
    phrase: str
    urgence: bool


def _nom_du_document(document: Any | None) -> str:
    if document is None:
        return str(_("un document"))
    connu = TYPES.get(document.type_code)
    libelle = connu.libelle if connu else document.titre
    if libelle[1:2].islower():  # "Compte rendu…" → "compte rendu…", "CR…" stays
        libelle = libelle[0].lower() + libelle[1:]
    date = formats.date_format(document.date_acte, "j F Y")
    return str(_("votre %(type)s du %(date)s") % {"type": libelle, "date": date})


def _phrase(evenement: Evenement, documents: dict[str, Any], representant: bool = False) -> str:
    qui = evenement.acteur_nom or evenement.get_acteur_type_display()
    if evenement.acteur_type == TypeActeur.PROFESSIONNEL and "," in qui:
        qui += ","  # "Dr Paul MARTIN, médecin généraliste, a consulté…"
    action = evenement.action
    details = evenement.details or {}
    if action in VERBES_DOCUMENT and evenement.objet_type == "document":
        verbe = VERBES_DOCUMENT[Action(action)] % {
            "doc": _nom_du_document(documents.get(evenement.objet_id))
        }
        return f"{qui} {verbe}"
    if action == Action.DOSSIER_CONSULTE:
        return f"{qui} {_('a consulté la liste de vos documents')}"
    if action == Action.PROFIL_CONSULTE:
        return f"{qui} {_('a consulté votre profil médical')}"
    if action == Action.PROFIL_AJOUT and evenement.acteur_type == TypeActeur.PROFESSIONNEL:
        quoi = {"mesures": _("une mesure"), "vaccinations": _("une vaccination")}.get(
            details.get("section", ""), _("un élément")
        )
        if representant:  # it may be the minor's secret: say no more than that
            quoi = _("un élément")
        return f"{qui} {_('a ajouté %(quoi)s à votre profil médical') % {'quoi': quoi}}"
    if action in PHRASES_MESSAGERIE:
        return f"{qui} {PHRASES_MESSAGERIE[Action(action)]}"
    if action == Action.URGENCE_OUVERTE:
        return str(
            _("%(qui)s a ouvert un accès en urgence à votre dossier (%(mode)s), jusqu'au %(fin)s")
            % {
                "qui": qui,
                "mode": _("centre de régulation")
                if details.get("mode") == "regulation"
                else _("bris de glace"),
                "fin": _fin(details.get("fin")),
            }
        )
    if action == Action.URGENCE_REFUSEE:
        return str(
            _("%(qui)s a demandé un accès en urgence, refusé selon vos réglages") % {"qui": qui}
        )
    professionnel = details.get("professionnel")
    if professionnel and evenement.acteur_type != TypeActeur.PROFESSIONNEL:
        return f"{evenement.get_action_display()} : {professionnel}"
    return str(evenement.get_action_display())


def _fin(valeur: Any) -> str:
    moment = parse_datetime(valeur) if isinstance(valeur, str) else None
    return formats.date_format(localtime(moment), "j F Y à H:i") if moment else "—"


def evenements_historique(
    *,
    acces: AccesPatient,
    professionnels: bool,
    du: date | None = None,
    au: date | None = None,
    action: str = "",
) -> QuerySet[Evenement]:
    """The events of one tab of the history, as this reader may read them (the policy's
    ``evenements_lisibles``): what is left out is not counted either."""
    espace_uuid: uuid.UUID = acces.espace.uuid
    return evenements_lisibles(
        acces=acces,
        evenements=evenements_de_l_espace(
            espace_uuid=espace_uuid, professionnels=professionnels, du=du, au=au, action=action
        ),
    )


def lignes_historique(*, evenements: Iterable[Evenement], acces: AccesPatient) -> list[Ligne]:
    evenements = list(evenements)
    ids = {e.objet_id for e in evenements if e.objet_type == "document" and e.objet_id}
    documents = {
        str(d.uuid): d
        for d in documents_lisibles(acces=acces)
        .filter(uuid__in=ids)
        .only("uuid", "type_code", "titre", "date_acte")
    }
    return [
        Ligne(
            evenement=e,
            phrase=_phrase(e, documents, not lit_les_secrets(acces)),
            urgence=e.action in URGENCES,
        )
        for e in evenements
    ]
