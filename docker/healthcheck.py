#!/usr/bin/env python
"""The web container's healthcheck (Dockerfile HEALTHCHECK): healthy only if a real page works.

    python docker/healthcheck.py [--port 8000] [--timeout 3]

Fetches the login page (templates and the static files manifest: without it every page answers
500), then one stylesheet and one script that page links (served by WhiteNoise from STATIC_ROOT),
then ``/sante/`` (the database answers). Exits 0 when all answer 200, else 1 with the reason on
stderr. Requests go to 127.0.0.1 as the reverse proxy would send them: ``Host`` is the first of
ALLOWED_HOSTS and ``X-Forwarded-Proto: https`` (trusted when TRUSTED_PROXY_COUNT ≥ 1).
Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import sys

PAGE = "/comptes/login/"
PRET = "/sante/"
LIEN = re.compile(r"""(?:href|src)="(/static/[^"?#]+\.(?:css|js))\"""")


class Malade(Exception):
    pass


def _hote() -> str:
    for hote in os.environ.get("ALLOWED_HOSTS", "").split(","):
        hote = hote.strip().lstrip(".")
        if hote and hote != "*":
            return hote
    return "localhost"


def _get(port: int, chemin: str, delai: float) -> bytes:
    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=delai)
    try:
        connexion.request(
            "GET",
            chemin,
            headers={"Host": _hote(), "X-Forwarded-Proto": "https", "User-Agent": "healthcheck"},
        )
        reponse = connexion.getresponse()
        corps = reponse.read()
    except OSError as erreur:
        raise Malade(f"{chemin}: {erreur}") from erreur
    finally:
        connexion.close()
    if reponse.status != 200:
        raise Malade(f"{chemin}: HTTP {reponse.status} {corps[:200]!r}")
    return corps


def verifier(port: int, delai: float) -> list[str]:
    """The paths checked, in order; raises ``Malade`` at the first one that fails."""
    page = _get(port, PAGE, delai).decode("utf-8", "replace")
    liens = list(dict.fromkeys(LIEN.findall(page)))
    feuilles = [lien for lien in liens if lien.endswith(".css")][:1]
    scripts = [lien for lien in liens if lien.endswith(".js")][:1]
    if not feuilles:
        raise Malade(f"{PAGE}: no stylesheet under /static/ in the page")
    for lien in [*feuilles, *scripts]:
        if not _get(port, lien, delai):
            raise Malade(f"{lien}: empty")
    _get(port, PRET, delai)
    return [PAGE, *feuilles, *scripts, PRET]


def main() -> int:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parseur.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parseur.add_argument("--timeout", type=float, default=3.0)
    args = parseur.parse_args()
    try:
        chemins = verifier(args.port, args.timeout)
    except Malade as erreur:
        print(f"unhealthy: {erreur}", file=sys.stderr)
        return 1
    print("healthy: " + " ".join(chemins))
    return 0


if __name__ == "__main__":
    sys.exit(main())
