"""The activity history in plain language (DESIGN.md §5): "Dr Martin, médecin généraliste, a
consulté « Compte rendu d'imagerie » du 3 mars 2026", who (by name and role, "Vous"), when,
how (online, from their software) and, for an emergency access, the reason given.

Events hold no health content: the document's title and date are looked up (and decrypted)
when the page is shown, through the same policy as the document list, so a document the
reader may not see (held back by a professional, deleted, refused) is only ever "un
document". Which events a reader gets
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
from espace_sante.journal.themes import actions_du_theme
from espace_sante.lib.formulations import date_en_mots
from professionnels.models import BrisDeGlace

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


# "une entrée de vos allergies": the profile's sections as a person names them (the holder
# reads "vos", a representative "ses"); an unknown section is the profile as a whole.
SECTIONS_PROFIL = {
    "allergies": (gettext_lazy("vos allergies"), gettext_lazy("ses allergies")),
    "traitements": (gettext_lazy("vos traitements"), gettext_lazy("ses traitements")),
    "antecedents": (gettext_lazy("vos antécédents"), gettext_lazy("ses antécédents")),
    "mesures": (gettext_lazy("vos mesures"), gettext_lazy("ses mesures")),
    "personnes_a_prevenir": (
        gettext_lazy("vos personnes à prévenir"),
        gettext_lazy("ses personnes à prévenir"),
    ),
    "vaccinations": (gettext_lazy("vos vaccinations"), gettext_lazy("ses vaccinations")),
}
VERBES_PROFIL = {
    Action.PROFIL_AJOUT: gettext_lazy("a ajouté une entrée à %(section)s"),
    Action.PROFIL_MODIFICATION: gettext_lazy("a modifié une entrée de %(section)s"),
    Action.PROFIL_SUPPRESSION: gettext_lazy("a supprimé une entrée de %(section)s"),
}
# Software acting for a professional through the API signs "<name>, via le logiciel <name>"
# (interop/acces.py): the page says how, apart from who.
VIA_LOGICIEL = ", via le logiciel "


@dataclass(frozen=True)
class Ligne:
    evenement: Evenement
    phrase: str
    urgence: bool
    qui: str = ""
    comment: str = ""
    motif: str = ""


@dataclass(frozen=True)
class Contexte:
    """What the lines of one page are told from: the documents the reader may read (their
    titles decrypted here, for the page only), the emergencies' reasons, and the reader."""

    documents: dict[str, Any]
    motifs: dict[str, str]
    lecteur: str
    representant: bool


def _nom_du_document(document: Any | None) -> str:
    """ "« Compte rendu d'hospitalisation » du 3 mars 2025" (its title, decrypted for the page,
    never written into the journal), or "un document" for one the reader may not read."""
    if document is None:
        return str(_("un document"))
    titre = document.titre or (
        TYPES[document.type_code].libelle if document.type_code in TYPES else ""
    )
    return str(
        _("« %(titre)s » du %(date)s") % {"titre": titre, "date": date_en_mots(document.date_acte)}
    )


def _qui(evenement: Evenement, contexte: Contexte) -> tuple[str, str]:
    """Who acted, as the reader says it, and how (web or software)."""
    nom = evenement.acteur_nom
    comment = ""
    if VIA_LOGICIEL in nom:
        nom, logiciel = nom.split(VIA_LOGICIEL, 1)
        comment = str(_("depuis son logiciel (%(logiciel)s)") % {"logiciel": logiciel})
    elif evenement.acteur_type in (TypeActeur.TITULAIRE, TypeActeur.REPRESENTANT):
        comment = str(_("en ligne"))
    elif evenement.acteur_type == TypeActeur.PROFESSIONNEL:
        comment = str(_("en ligne, depuis l'espace professionnel"))
    if evenement.acteur_id and evenement.acteur_id == contexte.lecteur:
        return str(_("Vous")), comment
    if evenement.acteur_type == TypeActeur.REPRESENTANT:
        return str(_("%(nom)s (représentation légale)") % {"nom": nom}), comment
    if evenement.acteur_type == TypeActeur.TITULAIRE and contexte.representant:
        return str(_("%(nom)s (titulaire de l'espace)") % {"nom": nom}), comment
    if evenement.acteur_type == TypeActeur.SYSTEME:
        return nom or str(_("Espace Santé")), comment
    return nom or str(evenement.get_acteur_type_display()), comment


def _phrase(evenement: Evenement, qui: str, contexte: Contexte) -> str:
    if evenement.acteur_type == TypeActeur.PROFESSIONNEL and "," in qui:
        qui += ","  # "Dr Paul MARTIN, médecin généraliste, a consulté…"
    action = evenement.action
    details = evenement.details or {}
    if action in VERBES_DOCUMENT and evenement.objet_type == "document":
        verbe = VERBES_DOCUMENT[Action(action)] % {
            "doc": _nom_du_document(contexte.documents.get(evenement.objet_id))
        }
        return f"{qui} {verbe}"
    if action == Action.DOSSIER_CONSULTE:
        return f"{qui} {_('a consulté la liste de vos documents')}"
    if action == Action.PROFIL_CONSULTE:
        return f"{qui} {_('a consulté votre profil médical')}"
    if action in VERBES_PROFIL:
        section = SECTIONS_PROFIL.get(details.get("section", ""))
        if section is None or (
            contexte.representant and evenement.acteur_type == TypeActeur.PROFESSIONNEL
        ):  # it may be the minor's secret: say no more than that
            quoi = _("son profil médical") if contexte.representant else _("votre profil médical")
        else:
            quoi = str(section[1] if contexte.representant else section[0])
        return f"{qui} {VERBES_PROFIL[Action(action)] % {'section': quoi}}"
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
    if not moment:
        return "—"
    moment = localtime(moment)
    return str(
        _("%(jour)s à %(heure)s")
        % {"jour": date_en_mots(moment), "heure": formats.time_format(moment, "H:i")}
    )


def evenements_historique(
    *,
    acces: AccesPatient,
    professionnels: bool,
    du: date | None = None,
    au: date | None = None,
    action: str = "",
) -> QuerySet[Evenement]:
    """The events of one tab of the history, as this reader may read them (the policy's
    ``evenements_lisibles``): what is left out is not counted either. ``action`` is a theme
    of the filter (``espace_sante.journal.themes``), or one journal action."""
    espace_uuid: uuid.UUID = acces.espace.uuid
    actions = actions_du_theme(action)
    evenements = evenements_de_l_espace(
        espace_uuid=espace_uuid,
        professionnels=professionnels,
        du=du,
        au=au,
        action="" if actions is not None else action,
    )
    if actions is not None:
        evenements = evenements.filter(action__in=actions)
    return evenements_lisibles(acces=acces, evenements=evenements)


def _motifs_des_urgences(acces: AccesPatient, evenements: list[Evenement]) -> dict[str, str]:
    """The reasons the professionals gave for the emergency accesses of the page (encrypted
    with the access, decrypted for the page): the patient is told why."""
    ids = {e.objet_id for e in evenements if e.objet_type == "urgence" and e.objet_id}
    if not ids:
        return {}
    return {
        str(u.uuid): u.motif
        for u in BrisDeGlace.objects.filter(espace=acces.espace, uuid__in=ids).only("uuid", "motif")
    }


def lignes_historique(*, evenements: Iterable[Evenement], acces: AccesPatient) -> list[Ligne]:
    evenements = list(evenements)
    ids = {e.objet_id for e in evenements if e.objet_type == "document" and e.objet_id}
    contexte = Contexte(
        documents={
            str(d.uuid): d
            for d in documents_lisibles(acces=acces)
            .filter(uuid__in=ids)
            .only("uuid", "type_code", "titre", "date_acte")
        }
        if ids
        else {},
        motifs=_motifs_des_urgences(acces, evenements),
        lecteur=str(acces.utilisateur.uuid),
        representant=not lit_les_secrets(acces),
    )
    lignes = []
    for e in evenements:
        qui, comment = _qui(e, contexte)
        lignes.append(
            Ligne(
                evenement=e,
                phrase=_phrase(e, qui, contexte),
                urgence=e.action in URGENCES,
                qui=qui,
                comment=comment,
                motif=contexte.motifs.get(e.objet_id, "") if e.objet_type == "urgence" else "",
            )
        )
    return lignes
