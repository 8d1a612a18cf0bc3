"""Paths, the bench's keys, Django set up, SIGTERM turned into an exit."""

from __future__ import annotations

import base64
import hashlib
import sys
from pathlib import Path
from types import FrameType

RACINE = Path(__file__).resolve().parent.parent.parent
BENCH = RACINE / "bench"
MIB = 1024 * 1024
# The same glibc malloc tuning as the served processes (docker-compose.yml).
MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * MIB), "MALLOC_TRIM_THRESHOLD_": str(128 * MIB)}


def cles(nom: str) -> dict[str, str]:
    """SECRET_KEY and the vault's key of the bench ``nom``: derived from its name, the same at
    every run (a bench database reused by a later run stays readable)."""
    cle = hashlib.sha256(f"espace-sante/bench/{nom}".encode()).digest()
    return {
        "SECRET_KEY": f"bench-{nom}-" + hashlib.sha256(f"bench-{nom}".encode()).hexdigest(),
        "ENCRYPTION_KEYS": f"bench:{base64.urlsafe_b64encode(cle).decode()}",
    }


def django_demarrer() -> None:
    """Django set up in this process, with the settings the environment names."""
    if str(RACINE) not in sys.path:
        sys.path.insert(0, str(RACINE))
    import django

    django.setup()


def interrompre(signum: int, frame: FrameType | None) -> None:
    """SIGTERM handler: exit through ``finally`` blocks, which stop what the bench started."""
    raise SystemExit(128 + signum)
