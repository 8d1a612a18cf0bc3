"""The benches with a real Celery worker (ingest, import, sync): their environment, a fresh
database and Redis, the worker started, paused, resumed and stopped."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from commun.environnement import MALLOC, RACINE, cles, django_demarrer
from commun.espaces import espaces_creer
from commun.postgres import base_creer, migrer
from commun.processus import arreter, cpu_arbre, cpu_pid

SONDAGE = 0.1  # seconds between two polls of the database
FILE = "celery"  # the queue the ingestion tasks go to
NOM_NOEUD = "bench-ingest@%h"
ACTEUR = {"type": "professionnel", "id": "810000336601", "nom": "Dr Test"}
ANALYSES = (
    "Hémoglobine",
    "Hématocrite",
    "Leucocytes",
    "Plaquettes",
    "Glycémie à jeun",
    "Créatinine",
    "DFG (CKD-EPI)",
    "Sodium",
    "Potassium",
    "Cholestérol total",
    "HDL-cholestérol",
    "LDL-cholestérol",
    "Triglycérides",
    "ASAT",
    "ALAT",
    "Gamma-GT",
    "TSH",
    "CRP",
    "Ferritine",
    "HbA1c",
)


def environnement(args: argparse.Namespace, dossier: Path) -> dict[str, str]:
    """The environment of this process, of the producers and of the worker: same settings.
    The keys and cache prefix are the ingestion bench's, which import and sync share."""
    valeurs = {
        "DJANGO_SETTINGS_MODULE": "espace_sante.settings",
        "PYTHONPATH": str(RACINE),
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "DATABASE_URL": f"{args.postgres.rstrip('/')}/{args.database}",
        "CONN_MAX_AGE": str(args.conn_max_age),
        "REDIS_URL": f"redis://{args.redis}/{args.redis_db}",
        "CACHE_KEY_PREFIX": "bench-ingest",
        "VAR_DIR": str(dossier / "var"),
        **cles("ingest"),
        "LOG_LEVEL": "WARNING",
        **MALLOC,
    }
    os.environ.update(valeurs)
    for nom in ("S3_BUCKET", "ENCRYPTION_KEYS_FILE", "ENCRYPTION_ACTIVE_KEY", "SECRET_KEY_FILE"):
        os.environ.pop(nom, None)
    return dict(os.environ)


def preparer(args: argparse.Namespace, env: dict[str, str], espaces: int) -> None:
    """A fresh database (created, migrated, ``espaces`` active spaces), an empty Redis
    database, Django set up in this process: what every bench on the workers starts from."""
    base_creer(args, effacer=True)
    redis_vider(env["REDIS_URL"])
    django_demarrer()
    migrer()
    espaces_creer(espaces)


def redis_vider(url: str) -> None:
    """FLUSHDB on the bench's own Redis database, and only that one."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def longueur_file(url: str) -> int:
    """Messages waiting in the ingestion queue."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        return int(client.llen(FILE))  # type: ignore[arg-type]
    finally:
        client.close()


def commande_worker(concurrence: int, niveau: str, *options: str) -> list[str]:
    """The project's Celery worker with ``concurrence`` pool processes, logging at ``niveau``;
    gossip and mingle off (a lone worker has no peer to sync with)."""
    return [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "espace_sante",
        "worker",
        "--concurrency",
        str(concurrence),
        "--loglevel",
        niveau,
        *options,
        "--without-gossip",
        "--without-mingle",
    ]


class Travailleurs:
    """The Celery worker (prefork, ``concurrency`` processes), started and stopped here."""

    def __init__(self, env: dict[str, str], journal: Path, concurrence: int) -> None:
        self.env = env
        self.journal = journal
        self.concurrence = concurrence
        self.processus: subprocess.Popen[bytes] | None = None
        self.noeud = ""

    def demarrer(self, delai: float = 60.0) -> None:
        from espace_sante.celery import app

        commande = commande_worker(
            self.concurrence, "WARNING", "--pool", "prefork", "-Q", FILE, "-n", NOM_NOEUD
        )
        with open(self.journal, "ab") as sortie:
            self.processus = subprocess.Popen(
                commande,
                cwd=RACINE,
                env=self.env,
                stdout=sortie,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.noeud = NOM_NOEUD.replace("%h", os.uname().nodename)
        limite = time.monotonic() + delai
        while time.monotonic() < limite:
            if self.processus.poll() is not None:
                raise RuntimeError(f"worker exited ({self.processus.returncode}): {self.journal}")
            if app.control.ping(destination=[self.noeud], timeout=0.5):
                return
        raise RuntimeError(f"worker not ready after {delai:.0f} s: {self.journal}")

    def _controle(self, commande: str) -> None:
        from espace_sante.celery import app

        methode = getattr(app.control, commande)
        for _essai in range(10):
            reponses = methode(FILE, destination=[self.noeud], reply=True, timeout=2.0)
            if reponses:
                return
        raise RuntimeError(f"{commande}: no reply from {self.noeud}")

    def suspendre(self) -> None:
        self._controle("cancel_consumer")

    def reprendre(self) -> None:
        self._controle("add_consumer")

    def cpu(self) -> float:
        return cpu_arbre(self.processus.pid) if self.processus else 0.0

    def cpu_principal(self) -> float:
        """The main process alone: it consumes from Redis, hands tasks to the pool, acks."""
        return cpu_pid(self.processus.pid) if self.processus else 0.0

    def arreter(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL to the worker's own process group."""
        arreter(self.processus, delai=20)
