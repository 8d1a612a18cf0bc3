"""The second parent (or guardian) of a minor: invitation by e-mail, acceptance (helper H1)."""

from __future__ import annotations

from typing import Any

from espace_sante.acces import AccesPatient


def resume(acces: AccesPatient) -> dict[str, Any]:
    """What the Proches page shows of a child's representatives (filled by this module)."""
    return {}
