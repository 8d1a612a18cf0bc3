"""The help centre's search: questions and answers compared without case or accents."""

from __future__ import annotations

import re
import unicodedata


def normaliser(texte: str) -> str:
    """``"Éléments d'ACCÈS"`` → ``"elements d'acces"``: accents dropped, lower case, spaces
    squeezed. The same function writes the stored search column and reads the query, so the
    comparison is the same on SQLite and PostgreSQL (a plain ``LIKE`` on ASCII text)."""
    decompose = unicodedata.normalize("NFKD", texte.replace("’", "'"))
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", sans_accents.casefold()).strip()
