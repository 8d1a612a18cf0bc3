from __future__ import annotations

from tests.coffre.conftest import serveur_s3, stockage

__all__ = ["serveur_s3", "stockage"]
