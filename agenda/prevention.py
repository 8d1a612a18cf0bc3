"""The recommended care of a space (docs/PREVENTION.md): the 20 mandatory examinations of
children, dental check-ups, organised screenings, vaccinations due — each an item "à prévoir"
with its window, from the tables in ``agenda/donnees/`` (issue 19, point 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from espace_sante.acces import AccesPatient


@dataclass(frozen=True)
class SoinAPrevoir:
    """One recommended care item for the space's person: its key (stable, for marking it done
    or dismissed), its label, its theme (for the prevention opt-outs), its window, its source,
    and where it stands (``None``: to plan; "fait"; "ecarte")."""

    cle: str
    libelle: str
    theme: str
    du: date
    au: date
    source: str
    etat: str | None = None


def soins_a_prevoir(acces: AccesPatient, *, du: date, au: date) -> list[SoinAPrevoir]:
    """The items whose window meets [du, au], for the agenda's month and list views."""
    raise NotImplementedError("issue 19, point 4: being built")
