"""The insurer's reimbursement service, behind an interface (docs/REMBOURSEMENTS.md).

The API (the simulator speaks it too)::

    GET {base}/v1/assures/{ins}/remboursements?depuis=<curseur>&limite=<n>
    Authorization: Bearer <jeton>
    → 200, Content-Type: application/x-ndjson, one JSON object per line,
      header ``X-Curseur-Suivant`` (opaque; give it back as ``depuis``), ``X-Fin: 1`` when
      nothing more is waiting.

A line: ``{"id": "…", "date": "2025-03-14", "nature": "pharmacie", "systeme": "CIP13",
"code": "3400935673220", "atc": "G03", "libelle": "…", "professionnel": "…", "quantite": 1,
"paye": "12.50", "base": "10.00", "rembourse": "6.50", "reste_a_charge": "6.00"}`` — amounts
are decimal strings in euros (never JSON numbers: no binary floats on the way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import httpx
from django.conf import settings


class ServiceIndisponible(Exception):
    """A transient failure (5xx, 429, timeout, connection, unreadable page): try again later.
    The message names the failure, never the content."""


class AssureInconnu(Exception):
    """The insurer does not know this INS (404): nothing to sync, not worth a retry."""


@dataclass(frozen=True)
class Page:
    lignes: list[str]  # raw lines, each to be read (and possibly quarantined) on its own
    curseur_suivant: str
    fin: bool


class ConnecteurAssurance(Protocol):
    def remboursements(self, *, ins: str, depuis: str, limite: int) -> Page: ...


class ConnecteurHTTP:
    """The real one, over HTTP(S) with httpx (one connection pool per instance)."""

    def __init__(self, base: str, *, jeton: str = "", delai: float | None = None) -> None:
        self.base = base.rstrip("/")
        entetes = {"Accept": "application/x-ndjson", "User-Agent": "espace-sante"}
        if jeton:
            entetes["Authorization"] = f"Bearer {jeton}"
        self.client = httpx.Client(
            headers=entetes,
            timeout=delai if delai is not None else settings.ASSURANCE_DELAI,
            follow_redirects=False,
        )

    def remboursements(self, *, ins: str, depuis: str, limite: int) -> Page:
        url = f"{self.base}/v1/assures/{quote(ins, safe='')}/remboursements"
        try:
            reponse = self.client.get(url, params={"depuis": depuis, "limite": limite})
        except httpx.TimeoutException as exc:
            raise ServiceIndisponible("délai dépassé") from exc
        except httpx.HTTPError as exc:
            raise ServiceIndisponible(f"connexion impossible ({type(exc).__name__})") from exc
        if reponse.status_code == 404:
            raise AssureInconnu("assuré inconnu")
        if reponse.status_code != 200:
            raise ServiceIndisponible(f"réponse HTTP {reponse.status_code}")
        curseur = reponse.headers.get("X-Curseur-Suivant")
        if curseur is None or len(curseur) > 200:
            raise ServiceIndisponible("réponse sans curseur suivant")
        try:
            texte = reponse.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ServiceIndisponible("réponse illisible (UTF-8)") from exc
        return Page(
            lignes=[ligne for ligne in texte.split("\n") if ligne.strip()],
            curseur_suivant=curseur,
            fin=reponse.headers.get("X-Fin") == "1",
        )

    def fermer(self) -> None:
        self.client.close()


_PAR_DEFAUT: dict[tuple[str, str, float], ConnecteurHTTP] = {}


def connecteur_par_defaut() -> ConnecteurHTTP | None:
    """The connector of the settings (one per process: it keeps its connections), or ``None``
    when no service is configured (the embedded default)."""
    base = settings.ASSURANCE_URL
    if not base:
        return None
    cle = (base, settings.ASSURANCE_JETON, settings.ASSURANCE_DELAI)
    if cle not in _PAR_DEFAUT:
        _PAR_DEFAUT[cle] = ConnecteurHTTP(base, jeton=cle[1], delai=cle[2])
    return _PAR_DEFAUT[cle]
