"""Carers (aidants): an adult holder's delegation, invited by e-mail, accepted, revoked by either
side (helper H2)."""

from __future__ import annotations

from typing import Any

from espace_sante.acces import AccesPatient


def resume(acces: AccesPatient) -> dict[str, Any]:
    """What the Proches page shows of the carers (filled by this module)."""
    return {}
