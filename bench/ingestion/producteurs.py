"""The producer processes of the ingestion bench: each one is ``bench/ingest.py --producteur``,
builds its inputs, says "pret", then submits its share of the documents once told "go" and
prints one JSON line of times and CPU seconds."""

from __future__ import annotations

import hashlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path
from typing import IO, Any

from commun.environnement import BENCH, RACINE, django_demarrer
from commun.espaces import espaces_lister
from commun.processus import cpu_soi

from ingestion.entrees import Entrees, Forme, entrees_preparer, soumettre

SCRIPT = BENCH / "ingest.py"  # run with --producteur: the producer's entry point


def producteur(genre: str, debut: int, nombre: int, pas: int, forme: Forme, variantes: int) -> None:
    """Submit documents ``debut``, ``debut + pas``… (``nombre`` of them), once told "go" on
    stdin; print one JSON line: times (monotonic, the same clock in every process), CPU time,
    the SHA-256 of the contents."""
    django_demarrer()
    espaces = espaces_lister()
    entrees = entrees_preparer(genre, espaces, forme, variantes)
    empreintes = sorted(
        {hashlib.sha256(c).hexdigest() for c in entrees.pdfs}
        | {hashlib.sha256(c).hexdigest() for v in entrees.cdas.values() for c in v}
    )
    _prechauffer(entrees)
    print("pret", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    cpu_avant = cpu_soi()
    premier = time.monotonic()
    taille = 0
    for numero in range(nombre):
        rang = debut + numero * pas
        document = soumettre(genre, entrees, espaces[rang % len(espaces)], rang)
        taille += document.taille
    dernier = time.monotonic()
    resultat = {
        "premier": premier,
        "dernier": dernier,
        "cpu": cpu_soi() - cpu_avant,
        "taille": taille,
        "nombre": nombre,
        "empreintes": empreintes,
    }
    print(json.dumps(resultat), flush=True)


def _prechauffer(entrees: Entrees) -> None:
    """What the first document_creer would pay once and a running server has already paid:
    lazy imports (the sniffing module and what it loads: Pillow), the broker
    connection in Celery's pool, the vault's key ring."""
    from dossier import tasks
    from dossier.formats import detection
    from espace_sante.celery import app
    from espace_sante.coffre.cles import trousseau

    contenu = entrees.pdfs[0] if entrees.pdfs else next(iter(entrees.cdas.values()))[0]
    detection.detecter(contenu[:8192], fin=contenu[-1024:])
    trousseau()
    assert tasks.document_ingerer.name
    with app.producer_or_acquire() as producteur_celery:
        producteur_celery.connection.ensure_connection(max_retries=3)


class Producteurs:
    """``nombre`` producer processes, made ready (inputs built), then started together."""

    def __init__(self, env: dict[str, str], journal: Path) -> None:
        self.env = env
        self.journal = journal
        self.processus: list[subprocess.Popen[str]] = []

    def preparer(
        self, genre: str, documents: int, nombre: int, forme: Forme, variantes: int, delai: float
    ) -> None:
        for numero in range(nombre):
            part = documents // nombre + (1 if numero < documents % nombre else 0)
            commande = [
                sys.executable,
                str(SCRIPT),
                "--producteur",
                genre,
                str(numero),
                str(part),
                str(nombre),
                f"{forme[0]}:{forme[1]}",
                str(variantes),
            ]
            with open(self.journal, "a") as erreurs:
                self.processus.append(
                    subprocess.Popen(
                        commande,
                        cwd=RACINE,
                        env=self.env,
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=erreurs,
                        text=True,
                        start_new_session=True,
                    )
                )
        limite = time.monotonic() + delai
        for processus in self.processus:
            ligne = _lire_ligne(processus, limite)
            if ligne != "pret":
                raise RuntimeError(f"producer not ready ({ligne!r}): see {self.journal}")

    def lancer(self) -> None:
        for processus in self.processus:
            assert processus.stdin is not None
            processus.stdin.write("go\n")
            processus.stdin.flush()

    def en_cours(self) -> bool:
        return any(p.poll() is None for p in self.processus)

    def echoues(self) -> list[int]:
        return [p.returncode for p in self.processus if p.poll() not in (None, 0)]

    def resultats(self, delai: float) -> list[dict[str, Any]]:
        limite = time.monotonic() + delai
        resultats = []
        for processus in self.processus:
            ligne = _lire_ligne(processus, limite)
            if not ligne.startswith("{"):
                raise RuntimeError(f"producer failed ({ligne!r}): see {self.journal}")
            resultats.append(json.loads(ligne))
            processus.wait(timeout=max(1.0, limite - time.monotonic()))
        return resultats

    def arreter(self) -> None:
        for processus in self.processus:
            if processus.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(processus.pid, signal.SIGKILL)
                processus.wait(timeout=10)
            for flux in (processus.stdin, processus.stdout):
                if flux is not None:
                    with suppress(OSError):
                        flux.close()
        self.processus = []


def _lire_ligne(processus: subprocess.Popen[str], limite: float) -> str:
    """The next line of a child's stdout, waiting until the monotonic ``limite`` at most."""
    flux: IO[str] | None = processus.stdout
    assert flux is not None
    with selectors.DefaultSelector() as selecteur:
        selecteur.register(flux, selectors.EVENT_READ)
        while time.monotonic() < limite:
            if selecteur.select(timeout=min(1.0, max(0.0, limite - time.monotonic()))):
                return flux.readline().strip()
            if processus.poll() is not None:
                return flux.readline().strip()
    raise TimeoutError("a producer did not answer in time")
