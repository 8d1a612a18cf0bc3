"""The journal events about a space (its life cycle, its representatives): one writer."""

from __future__ import annotations

from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur, evenement_enregistrer

from .models import Espace


def journal_espace(
    action: Action, *, espace: Espace, acteur: Acteur, ip: str | None, **details: object
) -> None:
    evenement_enregistrer(
        action=action,
        acteur=acteur,
        espace_uuid=espace.uuid,
        objet_type="espace",
        objet_id=str(espace.uuid),
        ip=ip,
        details=details,
    )
