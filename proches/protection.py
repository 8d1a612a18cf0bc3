"""Protected adults: tutelle and curatelle recorded by operators (helper H3)."""

from __future__ import annotations

from typing import Any

from espace_sante.acces import AccesPatient


def resume(acces: AccesPatient) -> dict[str, Any]:
    """What the Proches page shows of the protection measures (filled by this module)."""
    return {}
