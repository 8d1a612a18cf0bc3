"""The agenda's lines in the space's journal: what was done (an appointment added, a reminder
programmed, a subscription created…), by whom, never what it is about (no object, place or
note: the history says "a ajouté un rendez-vous à l'agenda")."""

from __future__ import annotations

from espace_sante.acces import AccesPatient
from espace_sante.journal.models import Action
from espace_sante.journal.services import evenement_enregistrer


def journaliser(
    action: Action,
    *,
    acces: AccesPatient,
    objet_type: str,
    objet_id: object = "",
    **details: object,
) -> None:
    evenement_enregistrer(
        action=action,
        acteur=acces.acteur,
        espace_uuid=acces.espace.uuid,
        objet_type=objet_type,
        objet_id=str(objet_id),
        details=details,
    )
