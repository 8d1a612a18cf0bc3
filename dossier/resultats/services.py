"""Reading lab results leaves a trace, as reading a document does (the holder's and a
representative's pages here; a professional's through ``professionnels.consultations``)."""

from __future__ import annotations

from espace_sante.acces import AccesPatient, marque_secret
from espace_sante.journal.models import Action
from espace_sante.journal.services import evenement_enregistrer

from ..models import Document


def resultats_consultation(
    *, acces: AccesPatient, analyse: str = "", secret: Document | None, ip: str | None
) -> None:
    """One event per page: the list (``analyse`` empty) or one analysis (its keyed digest,
    never its code). ``secret``: a minor's secret document whose values were shown, which
    marks the event as the documents' own events are (``marque_secret``)."""
    evenement_enregistrer(
        action=Action.RESULTATS_CONSULTES,
        acteur=acces.acteur,
        espace_uuid=acces.espace.uuid,
        objet_type="resultats",
        objet_id=analyse,
        ip=ip,
        details=marque_secret(secret),
    )
