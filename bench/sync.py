#!/usr/bin/env python
"""Reimbursement sync benchmark: spaces/min synced from the insurer's simulator by 2 real
Celery prefork workers on Redis and PostgreSQL, against the raw fetch rate of the same
simulator measured in the same run.

    .venv/bin/python bench/sync.py [--spaces 300] [--lines 60] [--page 25] [--debit 1000]

A dedicated PostgreSQL database (``espace_sante_sync``, dropped and created again, migrated),
a dedicated Redis database (12 by default: the only one flushed), the simulator started as a
process on a free loopback port (``python -m dossier.assurance.simulateur``). Then:

- baseline: the same pages fetched over HTTP with httpx by 2 threads (as many as worker
  processes), nothing parsed nor stored: the simulator's and the network's own ceiling;
- the job: the beat job (``espaces_synchroniser_tous``) queues one task per space; one worker
  (``--concurrency 2``, prefork) fetches, validates, encrypts and upserts every line, moves the
  cursors and journals each page; timed until every space has synced (polled every 100 ms).

It prints both rates and their ratio, then checks every line is stored once.
The rate limit (``ASSURANCE_DEBIT``) is set high (``--debit``) so that it does not bound the
figure: with the default (20 requests/s) the job would be limited to 20 × 60 / pages-per-space
spaces/min, by design.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from commun.environnement import RACINE
from commun.espaces import espaces_lister
from commun.processus import port_libre
from commun.travailleurs import SONDAGE, Travailleurs, environnement, preparer


def _arguments() -> argparse.Namespace:
    parseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parseur.add_argument("--spaces", type=int, default=300)
    parseur.add_argument("--lines", type=int, default=60, help="lines per space")
    parseur.add_argument("--page", type=int, default=25, help="lines per request")
    parseur.add_argument("--debit", type=float, default=1000.0, help="requests/s, shared")
    parseur.add_argument("--concurrency", type=int, default=2)
    parseur.add_argument("--timeout", type=float, default=600.0)
    parseur.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parseur.add_argument("--database", default="espace_sante_sync")
    parseur.add_argument("--redis", default="127.0.0.1:6379", help="host:port")
    parseur.add_argument("--redis-db", type=int, default=12)
    parseur.add_argument("--conn-max-age", type=int, default=600)
    return parseur.parse_args()


def _simulateur(port: int, lignes: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    processus = subprocess.Popen(
        [sys.executable, "-m", "dossier.assurance.simulateur", "--port", str(port),
         "--lignes", str(lignes)],
        cwd=RACINE,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    limite = time.monotonic() + 20
    while time.monotonic() < limite:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return processus
        except OSError:
            time.sleep(0.1)
    processus.kill()
    raise RuntimeError("the simulator did not start")


def _base_de_reference(url: str, ins: list[str], page: int, fils: int) -> float:
    """Spaces/min: every page of every INS fetched raw by ``fils`` threads."""
    import httpx

    a_faire = list(ins)
    verrou = threading.Lock()

    def travailler() -> None:
        with httpx.Client(timeout=10) as client:
            while True:
                with verrou:
                    if not a_faire:
                        return
                    un = a_faire.pop()
                depuis = ""
                while True:
                    reponse = client.get(
                        f"{url}/v1/assures/{un}/remboursements",
                        params={"depuis": depuis, "limite": page},
                    )
                    reponse.raise_for_status()
                    depuis = reponse.headers["X-Curseur-Suivant"]
                    if reponse.headers.get("X-Fin") == "1":
                        break

    debut = time.perf_counter()
    threads = [threading.Thread(target=travailler) for _ in range(fils)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(ins) / (time.perf_counter() - debut) * 60


def _attendre_synchros(nombre: int, delai: float) -> float:
    from dossier.models import SynchroRemboursements

    debut = time.perf_counter()
    limite = time.monotonic() + delai
    while time.monotonic() < limite:
        if SynchroRemboursements.objects.filter(derniere_reussite__isnull=False).count() >= nombre:
            return time.perf_counter() - debut
        time.sleep(SONDAGE)
    raise RuntimeError(f"not every space synced within {delai:.0f} s")


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as brut:
        dossier = Path(brut)
        env = environnement(args, dossier)
        port = port_libre()
        url = f"http://127.0.0.1:{port}"
        reglages = {
            "CACHE_KEY_PREFIX": "bench-sync",
            "ASSURANCE_URL": url,
            "ASSURANCE_LIMITE_PAGE": str(args.page),
            "ASSURANCE_DEBIT": str(args.debit),
            "ASSURANCE_RAFALE": str(max(int(args.debit / 10), 1)),
            "ASSURANCE_DEBIT_CLE": "bench-sync:debit",
            "ASSURANCE_PAGES_PAR_TACHE": "100",
        }
        os.environ.update(reglages)
        env.update(reglages)
        preparer(args, env, args.spaces)
        espaces: list[Any] = espaces_lister()
        simulateur = _simulateur(port, args.lines, env)
        travailleurs = Travailleurs(env, dossier / "worker.log", args.concurrency)
        try:
            print(
                f"PostgreSQL {args.database}, Redis db {args.redis_db}, simulateur {url} ; "
                f"{args.spaces} espaces × {args.lines} lignes, {args.page} lignes par requête, "
                f"débit plafonné à {args.debit:g} requêtes/s."
            )
            _base_de_reference(url, [e.ins for e in espaces[:20]], args.page, 2)  # warm-up
            reference = _base_de_reference(url, [e.ins for e in espaces], args.page, 2)
            print(f"référence (HTTP brut, 2 fils)   : {reference:10.0f} espaces/min")
            travailleurs.demarrer()
            from dossier.assurance.synchro import espaces_synchroniser_tous

            debut = time.perf_counter()
            programmes = espaces_synchroniser_tous()
            duree = _attendre_synchros(programmes, args.timeout)
            duree = max(duree, time.perf_counter() - debut)
            debit = programmes / duree * 60
            print(f"synchronisation (2 travailleurs) : {debit:10.0f} espaces/min")
            print(f"ratio synchronisation / référence : {debit / reference:.2f}")
            print(f"soit {debit * args.lines / 60:.0f} lignes/s chiffrées et enregistrées")
            from django.db.models import Count

            from dossier.models import LigneRemboursement

            total = LigneRemboursement.objects.count()
            doublons = (
                LigneRemboursement.objects.values("espace", "identifiant")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
                .count()
            )
            attendu = args.spaces * args.lines
            print(f"vérification : {total} lignes (attendu {attendu}), {doublons} doublon(s)")
            if total != attendu or doublons:
                raise SystemExit("ÉCHEC de la vérification")
        finally:
            travailleurs.arreter()
            simulateur.terminate()
            simulateur.wait(timeout=10)


if __name__ == "__main__":
    main()
