#!/usr/bin/env python
"""Ingestion benchmark: documents/s through the whole pipeline, with 2 real Celery workers.

    .venv/bin/python bench/ingest.py [--documents 500] [--kinds pdf,cda] [--producers 1]
                                     [--pdf-kb 100] [--spaces 20] [--profile K]

A dedicated PostgreSQL database (``espace_sante_ingest``, dropped and created again at each
run, then migrated), a dedicated Redis database (14 by default: the only one flushed), blobs
under a temporary ``VAR_DIR``. One real Celery worker (prefork, ``--concurrency 2``: the two
workers of DESIGN.md §9) consumes the ``celery`` queue; producer processes call
``dossier.services.document_creer`` in a loop (sniff, encrypt and store, Document row, journal
event, task queued on commit); the worker runs ``document_ingerer`` (decrypt, check, classify,
previews encrypted and stored, "disponible"). Inputs: one-page letters made by
``dossier.demo.pdf`` (a page image, as a scanned letter, sized to ``--pdf-kb``), CI-SIS-shaped
biology reports made by ``dossier.demo.cda`` for each space's INS (``cda``: structured body;
``cda-pdf``: level 1, the letter embedded).

For each kind of document, two phases of ``--documents`` documents each:

- end to end: producers and workers together; from the first submission until the last
  document is "disponible" (the database polled every 100 ms);
- drain only: the worker stops consuming (``cancel_consumer``), the producers submit everything
  (the producer-side rate, alone), then the worker consumes again (``add_consumer``: its
  processes are already warm) and the queue is timed until every document is "disponible"
  (the worker-side rate).

The machine is shared: before each phase the bench waits (``--quiet-wait`` seconds at most) for
other programs to use less than ``--quiet`` cores, and it accounts for the CPU time of everyone
during each phase (worker pool, producers, the PostgreSQL backends of the bench database, this
process, and "autres": the rest of the machine). It prints the measured rates and the CPU
ceiling, the number of cores divided by our CPU time per document: what the rate would be if the
machine were ours alone.

Then everything is checked: every document "disponible", a sample of blobs (documents and
previews) read back and authenticated (``blob_verifier``) with the expected SHA-256, previews
(PDF thumbnails) or CDA facts present, one "document déposé" journal event per document and the
spaces' journal chains intact.

``--profile K`` also runs ``document_creer`` and ``document_ingerer`` in this process for K
documents of each kind with each stage timed (CPU and wall, no profiler), then for K more under
cProfile (CPU clock) for the ORM's share and the costliest functions.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import hashlib
import io
import json
import os
import pstats
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Any

RACINE = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
CIBLE = 50.0  # documents/s, DESIGN.md §9
SONDAGE = 0.1  # seconds between two polls of the database
FILE = "celery"  # the queue the ingestion tasks go to
NOM_NOEUD = "bench-ingest@%h"
PREFIXE_NOM = "BENCHINGEST"
ACTEUR = {"type": "professionnel", "id": "810000336601", "nom": "Dr Test"}
TYPES = {"pdf": "11490-0", "cda": "11502-2", "cda-pdf": "11502-2"}
MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * MIB), "MALLOC_TRIM_THRESHOLD_": str(128 * MIB)}
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


# --- Environment, database, broker -------------------------------------------------------------


def _environnement(args: argparse.Namespace, dossier: Path) -> dict[str, str]:
    """The environment of this process, of the producers and of the worker: same settings."""
    cle = hashlib.sha256(b"espace-sante/bench/ingest").digest()
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
        "SECRET_KEY": "bench-ingest-" + hashlib.sha256(b"bench-ingest").hexdigest(),
        "ENCRYPTION_KEYS": f"bench:{base64.urlsafe_b64encode(cle).decode()}",
        "LOG_LEVEL": "WARNING",
        **MALLOC,
    }
    os.environ.update(valeurs)
    for nom in ("S3_BUCKET", "ENCRYPTION_KEYS_FILE", "ENCRYPTION_ACTIVE_KEY", "SECRET_KEY_FILE"):
        os.environ.pop(nom, None)
    return dict(os.environ)


def _django() -> None:
    if str(RACINE) not in sys.path:
        sys.path.insert(0, str(RACINE))
    import django

    django.setup()


def _base_creer(args: argparse.Namespace) -> None:
    """Drop and create the dedicated database (its name is checked: never another one)."""
    import psycopg
    from psycopg import sql

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database) or args.database in {
        "postgres",
        "template0",
        "template1",
    }:
        raise SystemExit(f"--database {args.database!r}: a dedicated lower-case name, please")
    nom = sql.Identifier(args.database)
    url = f"{args.postgres.rstrip('/')}/postgres"
    with psycopg.connect(url, autocommit=True) as connexion:
        connexion.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(nom))
        connexion.execute(sql.SQL("CREATE DATABASE {}").format(nom))


def _preparer(args: argparse.Namespace, env: dict[str, str], espaces: int) -> None:
    """A fresh database (created, migrated, ``espaces`` active spaces), an empty Redis
    database, Django set up in this process: what every bench on the workers starts from."""
    _base_creer(args)
    _redis_vider(env["REDIS_URL"])
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    _espaces_creer(espaces)


def _redis_vider(url: str) -> None:
    """FLUSHDB on the bench's own Redis database, and only that one."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


def _longueur_file(url: str) -> int:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return int(client.llen(FILE))  # type: ignore[arg-type]
    finally:
        client.close()


def _nir(sexe: str, naissance: date, rang: int) -> str:
    from espace_sante.lib.identifiants import nir_cle

    corps = f"{'1' if sexe == 'M' else '2'}{naissance.year % 100:02d}{naissance.month:02d}75"
    corps += f"{rang:06d}"
    return f"{corps}{nir_cle(corps):02d}"


def _espaces_creer(nombre: int) -> None:
    from espace_sante.lib.identifiants import OID_INS_NIR_TEST
    from profil.models import Espace, Statut

    espaces = []
    for rang in range(1, nombre + 1):
        naissance = date(1950 + rang % 50, 1 + rang % 12, 1 + rang % 28)
        sexe = "F" if rang % 2 else "M"
        espaces.append(
            Espace(
                ins=_nir(sexe, naissance, rang),
                ins_oid=OID_INS_NIR_TEST,
                nom_naissance=f"{PREFIXE_NOM}{rang}",
                prenoms="Camille",
                date_naissance=naissance,
                sexe=sexe,
                statut=Statut.ACTIF,
            )
        )
    Espace.objects.bulk_create(espaces)


def _espaces() -> list[Any]:
    from profil.models import Espace

    return list(Espace.objects.filter(nom_naissance__startswith=PREFIXE_NOM).order_by("pk"))


# --- Inputs ------------------------------------------------------------------------------------


def _lignes_courrier(variante: int, nombre: int) -> tuple[str, ...]:
    entete = (
        "Dr Test — Médecine générale — 12 rue de la Santé, 75014 Paris",
        f"Paris, le {10 + variante % 18} janvier 2026",
        "Cher confrère,",
        "",
    )
    corps = tuple(
        f"{rang + 1:02d}. Patiente revue le {1 + (rang + variante) % 28:02d}/01/2026 : examen "
        f"clinique sans particularité, TA {11 + rang % 4}/{7 + rang % 2}, poursuite du traitement."
        for rang in range(nombre)
    )
    return (*entete, *corps, "", "Bien confraternellement, Dr Test")


Forme = tuple[int, int]  # a demo letter's (pages, lines of text per page)
KIO_PAR_PAGE = 100  # a demo page (a page image, as a scanned letter) weighs 60 to 130 KiB


def _pdf(variante: int, forme: Forme) -> bytes:
    from dossier import demo

    pages, lignes = forme
    return demo.pdf(pages, _lignes_courrier(variante, lignes))


def _forme_pour(taille_kio: int) -> Forme:
    """Pages of about 100 KiB, and the number of text lines for which the demo letter weighs
    closest to ``taille_kio`` KiB (bisection: the size grows with the text)."""
    pages = max(1, round(taille_kio / KIO_PAR_PAGE))
    cible = taille_kio * 1024
    bas, haut = 0, 40
    if len(_pdf(0, (pages, haut))) < cible:
        return pages, haut
    while haut - bas > 1:
        milieu = (bas + haut) // 2
        if len(_pdf(0, (pages, milieu))) < cible:
            bas = milieu
        else:
            haut = milieu
    ecart_bas = abs(len(_pdf(0, (pages, bas))) - cible)
    return pages, bas if ecart_bas <= abs(len(_pdf(0, (pages, haut))) - cible) else haut


def _cda(espace: Any, rang: int, pdf: bytes | None = None) -> bytes:
    """A biology report for this space's INS: the 20 usual analyses, or level 1 (a PDF)."""
    from dossier import demo

    le = date(2026, 1, 1) + timedelta(days=rang % 60)
    paragraphes = tuple(
        f"{analyse} : {(rang * 7 + numero * 13) % 97 / 10:.1f} (valeurs de référence normales)"
        for numero, analyse in enumerate(ANALYSES)
    )
    return demo.cda(
        ins=espace.ins,
        le=le,
        paragraphes=paragraphes,
        pdf_b64=base64.b64encode(pdf).decode() if pdf else "",
        oid_ins=espace.ins_oid,
    )


@dataclass
class Entrees:
    """What a producer submits: contents made beforehand (not timed)."""

    genre: str
    pdfs: list[bytes] = field(default_factory=list)
    cdas: dict[int, list[bytes]] = field(default_factory=dict)  # space pk -> variants

    def contenu(self, rang: int, espace: Any) -> tuple[bytes, str, str]:
        """(content, file name, media type) of the ``rang``-th document."""
        if self.genre == "pdf":
            return self.pdfs[rang % len(self.pdfs)], f"courrier-{rang}.pdf", "application/pdf"
        variantes = self.cdas[espace.pk]
        return variantes[rang % len(variantes)], f"biologie-{rang}.xml", "text/xml"


def _entrees(genre: str, espaces: list[Any], forme: Forme, variantes: int) -> Entrees:
    entrees = Entrees(genre)
    if genre in {"pdf", "cda-pdf"}:
        entrees.pdfs = [_pdf(v, forme) for v in range(variantes)]
    if genre in {"cda", "cda-pdf"}:
        for espace in espaces:
            entrees.cdas[espace.pk] = [
                _cda(espace, v, entrees.pdfs[v % len(entrees.pdfs)] if entrees.pdfs else None)
                for v in range(variantes)
            ]
    return entrees


def _soumettre(genre: str, entrees: Entrees, espace: Any, rang: int) -> Any:
    from dossier.models import Source
    from dossier.services import document_creer
    from espace_sante.journal.services import Acteur

    contenu, nom, media = entrees.contenu(rang, espace)
    return document_creer(
        espace=espace,
        contenu=contenu,
        nom_fichier=nom,
        titre=f"Bench {genre} n° {rang}",
        date_acte=date(2026, 1, 5),
        type_code=TYPES[genre],
        auteur=Acteur(**ACTEUR),
        source=Source.PROFESSIONNEL,
        media_type=media,
    )


# --- Producer (a child process) ----------------------------------------------------------------


def producteur(genre: str, debut: int, nombre: int, pas: int, forme: Forme, variantes: int) -> None:
    """Submit documents ``debut``, ``debut + pas``… (``nombre`` of them), once told "go" on
    stdin; print one JSON line: times (monotonic, the same clock in every process), CPU time,
    the SHA-256 of the contents."""
    _django()
    espaces = _espaces()
    entrees = _entrees(genre, espaces, forme, variantes)
    empreintes = sorted(
        {hashlib.sha256(c).hexdigest() for c in entrees.pdfs}
        | {hashlib.sha256(c).hexdigest() for v in entrees.cdas.values() for c in v}
    )
    _prechauffer(entrees)
    print("pret", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    cpu_avant = _cpu_soi()
    premier = time.monotonic()
    taille = 0
    for numero in range(nombre):
        rang = debut + numero * pas
        document = _soumettre(genre, entrees, espaces[rang % len(espaces)], rang)
        taille += document.taille
    dernier = time.monotonic()
    resultat = {
        "premier": premier,
        "dernier": dernier,
        "cpu": _cpu_soi() - cpu_avant,
        "taille": taille,
        "nombre": nombre,
        "empreintes": empreintes,
    }
    print(json.dumps(resultat), flush=True)


def _prechauffer(entrees: Entrees) -> None:
    """What the first document_creer would pay once and a running server has already paid:
    lazy imports (the sniffing module pulls numpy, pypdf, PDFium, pydicom), the broker
    connection in Celery's pool, the vault's key ring."""
    from dossier import fichiers, tasks
    from espace_sante.celery import app
    from espace_sante.coffre.cles import trousseau

    contenu = entrees.pdfs[0] if entrees.pdfs else next(iter(entrees.cdas.values()))[0]
    fichiers.detecter(contenu[:8192], fin=contenu[-1024:])
    trousseau()
    assert tasks.document_ingerer.name
    with app.producer_or_acquire() as producteur_celery:
        producteur_celery.connection.ensure_connection(max_retries=3)


def _cpu_soi() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- Processes ---------------------------------------------------------------------------------


TIC = os.sysconf("SC_CLK_TCK")


def _cpu_arbre(pid: int) -> float:
    """CPU seconds of a process and its children (the prefork pool), from /proc."""
    total = 0.0
    for chemin in Path("/proc").iterdir():
        if not chemin.name.isdigit():
            continue
        with suppress(OSError, ValueError, IndexError):
            champs = (chemin / "stat").read_text().rsplit(")", 1)[1].split()
            ppid = int(champs[1])
            if int(chemin.name) == pid or ppid == pid:
                total += (int(champs[11]) + int(champs[12])) / TIC
    return total


def _cpu_pid(pid: int) -> float:
    with suppress(OSError, ValueError, IndexError):
        champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(champs[11]) + int(champs[12])) / TIC
    return 0.0


def _cpu_machine() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine (all cores), from /proc/stat."""
    valeurs = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    inactif = valeurs[3] + valeurs[4]
    return (sum(valeurs) - inactif) / TIC, sum(valeurs) / TIC


class SuiviPostgres:
    """CPU seconds of the PostgreSQL backends serving the bench database (a local server: the
    same /proc), followed at every poll: a backend that ends (the worker reconnects every
    ``CELERY_DB_REUSE_MAX`` tasks) loses at most one poll interval of its CPU time."""

    def __init__(self) -> None:
        self.debut: dict[int, float] = {}
        self.dernier: dict[int, float] = {}
        self.maj(initial=True)

    def maj(self, *, initial: bool = False) -> None:
        from django.db import connection

        with connection.cursor() as curseur:
            curseur.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            pids = [pid for (pid,) in curseur.fetchall()]
        for pid in pids:
            cpu = _cpu_pid(pid)
            if initial:
                self.debut[pid] = cpu
            self.dernier[pid] = max(cpu, self.dernier.get(pid, 0.0))

    def total(self) -> float:
        return sum(cpu - self.debut.get(pid, 0.0) for pid, cpu in self.dernier.items())


@dataclass
class Releve:
    """A snapshot of the CPU counters, to be subtracted from a later one."""

    moment: float
    travailleurs: float
    bench: float
    machine: tuple[float, float]
    principal: float = 0.0  # the worker's main process (consumer, acks), part of "travailleurs"

    @classmethod
    def maintenant(cls, travailleurs: Travailleurs) -> Releve:
        return cls(
            time.monotonic(),
            travailleurs.cpu(),
            _cpu_soi(),
            _cpu_machine(),
            travailleurs.cpu_principal(),
        )

    def depuis(self, avant: Releve, producteurs: float, postgres: float) -> dict[str, float]:
        """CPU seconds spent between ``avant`` and this snapshot, by whom; "autres" is what
        the rest of the machine used (other programs, PostgreSQL's background processes)."""
        occupe = self.machine[0] - avant.machine[0]
        cpu = {
            "travailleurs": self.travailleurs - avant.travailleurs,
            "producteurs": producteurs,
            "postgres": postgres,
            "bench": self.bench - avant.bench,
        }
        cpu["autres"] = max(0.0, occupe - sum(cpu.values()))
        cpu["machine"] = occupe
        cpu["total"] = self.machine[1] - avant.machine[1]
        cpu["principal"] = self.principal - avant.principal  # already within "travailleurs"
        return cpu


def _charge_autres(travailleurs: Travailleurs, duree: float = 1.0) -> float:
    """Cores used by everything but the worker and this process over ``duree`` seconds (the
    producers wait for their "go" meanwhile)."""
    avant = Releve.maintenant(travailleurs)
    time.sleep(duree)
    apres = Releve.maintenant(travailleurs)
    cpu = apres.depuis(avant, 0.0, 0.0)
    return (cpu["machine"] - cpu["travailleurs"] - cpu["bench"]) / (apres.moment - avant.moment)


def _attendre_calme(travailleurs: Travailleurs, seuil: float, delai: float) -> float:
    """Wait (``delai`` seconds at most) until the rest of the machine uses less than ``seuil``
    cores; return the last load seen (the machine is shared: the table says how busy)."""
    limite = time.monotonic() + delai
    charge = _charge_autres(travailleurs)
    while charge > seuil and time.monotonic() < limite:
        charge = _charge_autres(travailleurs)
    return charge


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

        commande = [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "espace_sante",
            "worker",
            "--concurrency",
            str(self.concurrence),
            "--pool",
            "prefork",
            "--loglevel",
            "WARNING",
            "-Q",
            FILE,
            "-n",
            NOM_NOEUD,
            "--without-gossip",
            "--without-mingle",
        ]
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
        return _cpu_arbre(self.processus.pid) if self.processus else 0.0

    def cpu_principal(self) -> float:
        """The main process alone: it consumes from Redis, hands tasks to the pool, acks."""
        return _cpu_pid(self.processus.pid) if self.processus else 0.0

    def arreter(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL to the worker's own process group."""
        processus = self.processus
        if processus is None or processus.poll() is not None:
            return
        processus.send_signal(signal.SIGTERM)
        try:
            processus.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(processus.pid, signal.SIGKILL)
            processus.wait(timeout=10)
        finally:
            with suppress(ProcessLookupError):  # a pool child left behind
                os.killpg(processus.pid, signal.SIGKILL)


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
                __file__,
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
    import selectors

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


# --- Measurement -------------------------------------------------------------------------------


@dataclass
class Phase:
    genre: str
    documents: int
    duree: float  # seconds from the first submission (or the resume) to the last "disponible"
    producteur_duree: float  # first to last submission
    producteur_cpu: float
    cpu: dict[str, float]  # CPU seconds during ``duree``, by whom (see ``Releve.depuis``)
    charge_avant: float  # cores used by other programs just before (see ``_attendre_calme``)
    taille: int  # plaintext bytes submitted
    premier_pk: int
    empreintes: set[str]
    erreurs: int = 0
    complet: bool = True

    @property
    def debit(self) -> float:
        return self.documents / self.duree if self.duree > 0 else 0.0

    @property
    def debit_producteur(self) -> float:
        return self.documents / self.producteur_duree if self.producteur_duree > 0 else 0.0


def _dernier_pk() -> int:
    from dossier.models import Document

    return Document.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _etats(premier_pk: int) -> dict[str, int]:
    from django.db.models import Count

    from dossier.models import Document

    lignes = (
        Document.objects.filter(pk__gt=premier_pk)
        .values("statut")
        .annotate(nombre=Count("pk"))
        .order_by()
    )
    return {ligne["statut"]: ligne["nombre"] for ligne in lignes}


def _attendre(
    premier_pk: int,
    documents: int,
    limite: float,
    producteurs: Producteurs | None,
    postgres: SuiviPostgres | None = None,
) -> tuple[float, int, bool]:
    """Poll every 100 ms until ``documents`` documents after ``premier_pk`` are "disponible";
    return (monotonic time of the poll that saw it, errors, complete)."""
    from dossier.models import Statut

    while True:
        etats = _etats(premier_pk)
        maintenant = time.monotonic()
        erreurs = etats.get(Statut.EN_ERREUR, 0)
        if etats.get(Statut.DISPONIBLE, 0) + erreurs >= documents:
            return maintenant, erreurs, erreurs == 0
        if maintenant > limite:
            return maintenant, erreurs, False
        if producteurs is not None and producteurs.echoues():
            raise RuntimeError(f"a producer failed: {producteurs.echoues()}")
        if postgres is not None:
            postgres.maj()
        time.sleep(SONDAGE)


def _attendre_vide(delai: float) -> None:
    """Nothing left "en traitement" from an earlier phase (one that timed out) before the next."""
    from dossier.models import Document, Statut

    limite = time.monotonic() + delai
    while (restants := Document.objects.filter(statut=Statut.EN_TRAITEMENT).count()) > 0:
        if time.monotonic() > limite:
            print(f"  ({restants} documents encore en traitement d'une phase précédente)")
            return
        time.sleep(SONDAGE)


def _phase(
    args: argparse.Namespace,
    genre: str,
    forme: Forme,
    travailleurs: Travailleurs,
    env: dict[str, str],
    dossier: Path,
    *,
    drainer: bool,
) -> Phase:
    """One measurement: ``drainer`` False, producers and workers together; True, the worker
    stops consuming, the producers submit everything, then the worker drains the queue."""
    _attendre_vide(args.timeout)
    producteurs = Producteurs(env, dossier / "producteurs.log")
    try:
        premier_pk = _dernier_pk()
        producteurs.preparer(
            genre, args.documents, args.producers, forme, args.variants, delai=120.0
        )
        if drainer:
            travailleurs.suspendre()
        charge = _attendre_calme(travailleurs, args.quiet, args.quiet_wait)
        postgres = SuiviPostgres()
        avant = Releve.maintenant(travailleurs)
        debut = time.monotonic()
        producteurs.lancer()
        limite = debut + args.timeout
        if drainer:
            resultats = producteurs.resultats(delai=args.timeout)
            en_file = _longueur_file(env["REDIS_URL"])
            if en_file != args.documents:
                print(f"  (file {FILE} : {en_file} messages pour {args.documents} documents)")
            charge_drain = _attendre_calme(travailleurs, args.quiet, args.quiet_wait)
            charge = max(charge, charge_drain)
            postgres = SuiviPostgres()
            avant = Releve.maintenant(travailleurs)
            debut = time.monotonic()
            travailleurs.reprendre()
            limite = debut + args.timeout
            fin, erreurs, complet = _attendre(premier_pk, args.documents, limite, None, postgres)
        else:
            fin, erreurs, complet = _attendre(
                premier_pk, args.documents, limite, producteurs, postgres
            )
            resultats = producteurs.resultats(delai=max(10.0, limite - time.monotonic()))
        postgres.maj()
        cpu = Releve.maintenant(travailleurs).depuis(
            avant, 0.0 if drainer else sum(r["cpu"] for r in resultats), postgres.total()
        )
    finally:
        producteurs.arreter()
    return Phase(
        genre=genre,
        documents=args.documents,
        duree=fin - debut,
        producteur_duree=max(r["dernier"] for r in resultats)
        - min(r["premier"] for r in resultats),
        producteur_cpu=sum(r["cpu"] for r in resultats),
        cpu=cpu,
        charge_avant=charge,
        taille=sum(r["taille"] for r in resultats),
        premier_pk=premier_pk,
        empreintes={e for r in resultats for e in r["empreintes"]},
        erreurs=erreurs,
        complet=complet,
    )


def _echauffer(genre: str, forme: Forme, nombre: int, delai: float) -> None:
    """A few documents through the workers first: pool processes import and connect."""
    espaces = _espaces()
    entrees = _entrees(genre, espaces[:1], forme, 1)
    premier_pk = _dernier_pk()
    for rang in range(nombre):
        _soumettre(genre, entrees, espaces[0], rang)
    _fin, erreurs, complet = _attendre(premier_pk, nombre, time.monotonic() + delai, None)
    if not complet:
        raise RuntimeError(f"warm-up ({genre}): {erreurs} errors or timeout; see the worker log")


# --- Checks ------------------------------------------------------------------------------------


def _verifier(phases: list[Phase], echantillon: int) -> list[str]:
    """Every document "disponible", a sample of blobs read back and authenticated with the
    expected SHA-256, previews present, journal events and chains intact."""
    import random

    from dossier.models import Apercu, Document, Statut
    from espace_sante.coffre.services import blob_verifier
    from espace_sante.journal.models import Action, Evenement
    from espace_sante.journal.services import cle_chaine, journal_verifier

    problemes: list[str] = []
    hasard = random.Random(20260115)
    premier_pk = min(p.premier_pk for p in phases)
    for phase in phases:
        suivante = min((p.premier_pk for p in phases if p.premier_pk > phase.premier_pk), default=0)
        documents = Document.objects.filter(pk__gt=phase.premier_pk)
        if suivante:
            documents = documents.filter(pk__lte=suivante)
        nom = f"{phase.genre}{' (drain)' if phase is not phases[0] else ''}"
        nombre = documents.count()
        disponibles = documents.filter(statut=Statut.DISPONIBLE).count()
        if nombre != phase.documents or disponibles != nombre:
            problemes.append(f"{nom}: {disponibles} disponibles sur {nombre} ({phase.documents})")
        uuids = [str(u) for u in documents.values_list("uuid", flat=True)]
        evenements = Evenement.objects.filter(
            objet_type="document", objet_id__in=uuids, action=Action.DOCUMENT_DEPOSE
        ).count()
        if evenements != nombre:
            problemes.append(f"{nom}: {evenements} événements « déposé » pour {nombre} documents")
        if phase.genre == "pdf":
            miniatures = Apercu.objects.filter(
                document__in=documents, genre=Apercu.Genre.MINIATURE
            ).count()
            if miniatures != nombre:
                problemes.append(f"{nom}: {miniatures} miniatures pour {nombre} documents")
        if phase.genre == "cda-pdf":
            integres = Apercu.objects.filter(document__in=documents, genre=Apercu.Genre.PDF)
            if integres.count() != nombre:
                problemes.append(f"{nom}: {integres.count()} PDF intégrés pour {nombre}")
        if phase.genre.startswith("cda"):
            sans_faits = sum(
                1 for faits in documents.values_list("faits", flat=True) if '"cda"' not in faits
            )  # encrypted field: read and decrypted here
            if sans_faits:
                problemes.append(f"{nom}: {sans_faits} documents CDA sans faits lus")
        pks = list(documents.values_list("pk", flat=True))
        for document in Document.objects.filter(
            pk__in=hasard.sample(pks, min(echantillon, len(pks)))
        ).select_related("blob"):
            if document.blob is None or document.sha256 not in phase.empreintes:
                problemes.append(f"{nom}: document {document.pk}: empreinte inattendue")
                continue
            if (erreur := blob_verifier(document.blob)) is not None:
                problemes.append(f"{nom}: document {document.pk}: {erreur}")
            for apercu in document.apercus.select_related("blob"):
                if (erreur := blob_verifier(apercu.blob)) is not None:
                    problemes.append(f"{nom}: aperçu du document {document.pk}: {erreur}")
    espaces = Document.objects.filter(pk__gt=premier_pk).values_list("espace__uuid", flat=True)
    chaines = [cle_chaine(espace_uuid=u) for u in set(espaces)]
    problemes.extend(f"journal: {a}" for a in journal_verifier(chaines=chaines))
    return problemes


# --- Profile -----------------------------------------------------------------------------------


class Chrono:
    """CPU and wall seconds accumulated by stage (no profiler: the figures are the real ones).
    A stage called within another (the vault's row insert within its store-and-insert) counts
    in the outer one only, so that stages never overlap."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.mur: dict[str, float] = {}
        self.dans_une_etape = False

    @contextmanager
    def mesurer(self, nom: str) -> Iterator[None]:
        if self.dans_une_etape:
            yield
            return
        self.dans_une_etape = True
        cpu, mur = time.process_time(), time.perf_counter()
        try:
            yield
        finally:
            self.dans_une_etape = False
            self.cpu[nom] = self.cpu.get(nom, 0.0) + time.process_time() - cpu
            self.mur[nom] = self.mur.get(nom, 0.0) + time.perf_counter() - mur


def _envelopper(chrono: Chrono, nom: str, fonction: Any, generateur: bool) -> Any:
    def enveloppe(*args: Any, **kwargs: Any) -> Any:
        with chrono.mesurer(nom):
            return fonction(*args, **kwargs)

    def enveloppe_generateur(*args: Any, **kwargs: Any) -> Iterator[Any]:
        iterateur = fonction(*args, **kwargs)
        while True:
            with chrono.mesurer(nom):
                try:
                    element = next(iterateur)
                except StopIteration:
                    return
            yield element

    return enveloppe_generateur if generateur else enveloppe


@contextmanager
def _instrumenter(chrono: Chrono) -> Iterator[None]:
    """The pipeline's stages timed where the services call them (module attributes)."""
    from dossier import cda, fichiers
    from dossier import services as dossier_services
    from dossier.tasks import document_ingerer
    from espace_sante.coffre import services as coffre

    cibles: list[tuple[Any, str, str, bool]] = [
        (fichiers, "detecter", "détecter la nature (fichiers.detecter)", False),
        (coffre, "blob_ecrire_octets", "chiffrer + écrire + INSERT du Blob", False),
        (dossier_services, "evenement_enregistrer", "journal (evenement_enregistrer)", False),
        (document_ingerer, "delay", "envoi Celery (document_ingerer.delay)", False),
        (coffre, "blob_lire", "lire + déchiffrer + SHA-256 (blob_lire)", True),
        (fichiers, "decrire", "valider : pypdf + PDFium (fichiers.decrire)", False),
        (cda, "lire_cda", "lire le CDA (cda.lire_cda)", False),
        (fichiers, "_rendre_page", "miniature : rendu PDFium (_rendre_page)", False),
        (fichiers, "_jpeg", "miniature : encodage JPEG (fichiers._jpeg)", False),
        (fichiers, "_png", "aperçus : encodage PNG (fichiers._png)", False),
        (coffre, "blob_stocker", "aperçus : chiffrer + écrire (blob_stocker)", False),
        (coffre, "blob_enregistrer", "INSERT d'un Blob (blob_enregistrer)", False),
        (dossier_services, "_prendre", "prendre le document (services._prendre)", False),
    ]
    originaux = [(objet, attribut, getattr(objet, attribut)) for objet, attribut, *_ in cibles]
    try:
        for objet, attribut, nom, generateur in cibles:
            setattr(objet, attribut, _envelopper(chrono, nom, getattr(objet, attribut), generateur))
        yield
    finally:
        for objet, attribut, original in originaux:
            setattr(objet, attribut, original)


def _decomposer(titre: str, chrono: Chrono, nombre: int, mur: float, cpu: float) -> None:
    print(
        f"\n{titre} — {nombre} documents en série dans ce processus : "
        f"{cpu / nombre * 1000:.2f} ms de CPU, {mur / nombre * 1000:.2f} ms de mur par document"
    )
    print(f"  {'étape':<48} {'CPU ms':>7} {'mur ms':>7} {'part CPU':>9}")
    for nom, duree in sorted(chrono.cpu.items(), key=lambda e: -e[1]):
        print(
            f"  {nom:<48} {duree / nombre * 1000:>7.2f} {chrono.mur[nom] / nombre * 1000:>7.2f} "
            f"{duree / cpu:>9.1%}"
        )
    reste_cpu, reste_mur = cpu - sum(chrono.cpu.values()), mur - sum(chrono.mur.values())
    print(
        f"  {'reste : ORM, SQL, COMMIT, verrous, modèles':<48} {reste_cpu / nombre * 1000:>7.2f} "
        f"{reste_mur / nombre * 1000:>7.2f} {reste_cpu / cpu:>9.1%}"
    )


GROUPES = (
    ("ORM : compilation + SQL (execute_sql)", "django/db/models/sql/compiler.py", "execute_sql"),
    ("SQL au curseur, ORM ou non (execute)", "django/db/backends/utils.py", "execute"),
    ("  dont SELECT : colonnes (get_select)", "django/db/models/sql/compiler.py", "get_select"),
    ("Model.save", "django/db/models/base.py", "save"),
    ("QuerySet.delete (aperçus)", "django/db/models/query.py", "delete"),
    ("COMMIT (atomic.__exit__)", "django/db/transaction.py", "__exit__"),
)


def _cumul(statistiques: pstats.Stats, fichier: str, fonction: str) -> float:
    total = 0.0
    for (chemin, _ligne, nom), valeurs in statistiques.stats.items():  # type: ignore[attr-defined]
        if nom == fonction and chemin.endswith(fichier):
            total += valeurs[3]
    return total


def _rapport(titre: str, profil: cProfile.Profile, nombre: int) -> None:
    """cProfile with a CPU clock: it inflates Python-heavy code (the ORM) more than C code, so
    its figures are shares, the stage timings above being the real costs."""
    statistiques = pstats.Stats(profil)
    total = sum(valeurs[2] for valeurs in statistiques.stats.values())  # type: ignore[attr-defined]
    print(f"  sous cProfile (horloge CPU, surcharge comprise), {titre} :")
    for libelle, fichier, fonction in GROUPES:
        cumul = _cumul(statistiques, fichier, fonction)
        if cumul >= 0.0005 * nombre:
            print(f"    {libelle:<42} {cumul / total:6.1%} du CPU")
    sortie = io.StringIO()
    pstats.Stats(profil, stream=sortie).sort_stats("tottime").print_stats(10)
    lignes = [ligne for ligne in sortie.getvalue().splitlines() if ligne.strip()]
    debut = next((i for i, ligne in enumerate(lignes) if "ncalls" in ligne), 0)
    print("    les 10 fonctions les plus coûteuses en CPU propre :")
    for ligne in lignes[debut : debut + 11]:
        print(f"     {ligne.replace(str(RACINE) + '/', '').replace('.venv/lib/python3.11/', '')}")


def _par_etapes(titre: str, nombre: int, fonction: Any) -> tuple[Any, float]:
    """Run ``fonction`` with its stages timed; return its result and its CPU seconds."""
    chrono = Chrono()
    with _instrumenter(chrono):
        mur, cpu = time.perf_counter(), time.process_time()
        resultat = fonction()
        mur, cpu = time.perf_counter() - mur, time.process_time() - cpu
    _decomposer(titre, chrono, nombre, mur, cpu)
    return resultat, cpu


def _sous_cprofile(titre: str, nombre: int, fonction: Any) -> Any:
    profil = cProfile.Profile(time.process_time)
    resultat = profil.runcall(fonction)
    _rapport(titre, profil, nombre)
    return resultat


def _profiler(
    genre: str, forme: Forme, nombre: int, travailleurs: Travailleurs, drain: Phase | None
) -> None:
    """document_creer then document_ingerer, in this process (the worker does not consume
    meanwhile; it finds these documents done afterwards and ignores them): ``nombre``
    documents timed by stage, then as many under cProfile."""
    from dossier import services

    espaces = _espaces()
    entrees = _entrees(genre, espaces, forme, 4)

    def creer(rangs: range) -> list[int]:
        return [_soumettre(genre, entrees, espaces[r % len(espaces)], r).pk for r in rangs]

    def ingerer(ids: list[int]) -> list[str]:
        return [services.document_ingerer(document_id=i) for i in ids]

    travailleurs.suspendre()
    try:
        creer(range(1))  # imports and first connection, not timed
        ids, _cpu = _par_etapes(
            f"document_creer ({genre})", nombre, lambda: creer(range(1, nombre + 1))
        )
        etats, cpu = _par_etapes(f"document_ingerer ({genre})", nombre, lambda: ingerer(ids))
        if drain is not None:
            worker = drain.cpu["travailleurs"] / drain.documents
            print(
                f"  le worker a dépensé {worker * 1000:.2f} ms de CPU par document pendant le "
                f"drain ; écart avec document_ingerer seul : {(worker - cpu / nombre) * 1000:+.2f} "
                "ms (Celery : message, ack, fix-ups Django ; et le bruit de la machine)"
            )
        ids = _sous_cprofile(
            f"document_creer ({genre})", nombre, lambda: creer(range(nombre + 1, 2 * nombre + 1))
        )
        etats += _sous_cprofile(f"document_ingerer ({genre})", nombre, lambda: ingerer(ids))
        if set(etats) != {"disponible"}:
            print(f"  (états : {sorted(set(etats))})")
    finally:
        travailleurs.reprendre()


# --- Main --------------------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parseur = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parseur.add_argument("--documents", "-n", type=int, default=500, help="per kind and phase")
    parseur.add_argument("--kinds", default="pdf,cda", help="pdf, cda, cda-pdf (level 1)")
    parseur.add_argument("--producers", type=int, default=1, help="producer processes")
    parseur.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parseur.add_argument("--pdf-kb", type=int, default=100, help="target PDF size, KiB")
    parseur.add_argument("--variants", type=int, default=8, help="distinct contents per kind")
    parseur.add_argument("--spaces", type=int, default=20, help="spaces, used in turn")
    parseur.add_argument("--sample", type=int, default=25, help="blobs read back per phase")
    parseur.add_argument("--timeout", type=float, default=300.0, help="seconds per phase")
    parseur.add_argument("--profile", type=int, default=0, metavar="K", help="cProfile K docs")
    parseur.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parseur.add_argument("--database", default="espace_sante_ingest")
    parseur.add_argument("--redis", default="127.0.0.1:6379", help="host:port")
    parseur.add_argument("--redis-db", type=int, default=14)
    parseur.add_argument("--conn-max-age", type=int, default=600)
    parseur.add_argument(
        "--quiet", type=float, default=0.2, help="cores other programs may use before a phase"
    )
    parseur.add_argument(
        "--quiet-wait", type=float, default=60.0, help="seconds to wait for that, at most"
    )
    parseur.add_argument("--producteur", nargs=6, help=argparse.SUPPRESS)
    args = parseur.parse_args()
    genres = args.kinds.split(",")
    if not set(genres) <= set(TYPES) or not genres:
        parseur.error(f"--kinds: among {', '.join(TYPES)}")
    if args.documents < 1 or args.producers < 1 or args.concurrency < 1 or args.spaces < 1:
        parseur.error("--documents, --producers, --concurrency and --spaces must be ≥ 1")
    if not 0 <= args.redis_db <= 15:
        parseur.error("--redis-db: 0 to 15")
    args.genres = genres
    return args


def _interrompre(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _par_doc(phase: Phase, *noms: str) -> float:
    """CPU milliseconds per document of these parties during the phase."""
    return sum(phase.cpu[nom] for nom in noms) / phase.documents * 1000


def _coeurs(phase: Phase) -> str:
    cpu, duree = phase.cpu, phase.duree
    parts = ("travailleurs", "producteurs", "postgres", "bench", "autres")
    detail = ", ".join(
        f"{nom} {cpu[nom] / duree:.2f}" for nom in parts if cpu[nom] or nom == "autres"
    )
    return (
        f"machine occupée {cpu['machine'] / cpu['total']:.0%} (cœurs : {detail}) ; "
        f"autres programmes juste avant : {phase.charge_avant:.2f} cœur"
    )


def _tableau(resultats: dict[str, tuple[Phase, Phase]], coeurs: int) -> Iterator[str]:
    entete = (
        f"{'type':<8} {'N':>5} {'taille moy.':>11} {'bout en bout':>13} {'drain seul':>11} "
        f"{'producteur seul':>16} {'plafond CPU b.e.b.':>19} {'plafond drain':>14} "
        f"{'autres cœurs':>12}  bout en bout ≥ {CIBLE:g}/s"
    )
    yield entete
    yield "-" * len(entete)
    for genre, (bout, drain) in resultats.items():
        ok = bout.complet and drain.complet and bout.debit >= CIBLE
        verdict = "OK" if ok else "NON" + ("" if bout.complet and drain.complet else " (incomplet)")
        plafond_bout = coeurs * 1000 / _par_doc(bout, "travailleurs", "producteurs", "postgres")
        plafond_drain = coeurs * 1000 / _par_doc(drain, "travailleurs", "postgres")
        yield (
            f"{genre:<8} {bout.documents:>5} {bout.taille / bout.documents / 1024:>7.1f} Kio "
            f"{bout.debit:>9.1f} d/s {drain.debit:>7.1f} d/s {drain.debit_producteur:>12.1f} d/s "
            f"{plafond_bout:>15.1f} d/s {plafond_drain:>10.1f} d/s "
            f"{bout.cpu['autres'] / bout.duree:>5.2f}/{drain.cpu['autres'] / drain.duree:<5.2f}  "
            f"{verdict}"
        )
    yield ""
    yield (
        f"Plafond CPU : {coeurs} cœurs divisés par le temps CPU par document de nos processus "
        "(workers + producteur + PostgreSQL ; drain : workers + PostgreSQL), le débit si la "
        "machine n'était qu'à nous. Autres cœurs : moyenne des cœurs pris par le reste de la "
        "machine pendant la phase (bout en bout/drain)."
    )
    for genre, (bout, drain) in resultats.items():
        yield (
            f"  {genre} CPU par document : worker {_par_doc(drain, 'travailleurs'):.1f} ms "
            f"(dont processus principal {_par_doc(drain, 'principal'):.1f} ms), "
            f"PostgreSQL (côté worker) {_par_doc(drain, 'postgres'):.1f} ms, producteur "
            f"{drain.producteur_cpu / drain.documents * 1000:.1f} ms ; bout en bout, tous "
            f"processus à nous : {_par_doc(bout, 'travailleurs', 'producteurs', 'postgres'):.1f} ms"
        )
        yield (
            f"  {genre} bout en bout : {bout.duree:.2f} s, producteur "
            f"{bout.producteur_duree:.2f} s ({bout.debit_producteur:.1f} d/s) ; {_coeurs(bout)}"
        )
        yield (
            f"  {genre} drain seul   : {drain.duree:.2f} s (producteur seul "
            f"{drain.producteur_duree:.2f} s) ; {_coeurs(drain)}"
        )


def main() -> None:
    args = _arguments()
    if args.producteur:
        genre, numero, nombre, pas, forme, variantes = args.producteur
        pages, lignes = (int(n) for n in forme.split(":"))
        producteur(genre, int(numero), int(nombre), int(pas), (pages, lignes), int(variantes))
        return
    signal.signal(signal.SIGTERM, _interrompre)
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as brut:
        dossier = Path(brut)
        env = _environnement(args, dossier)
        debut = time.perf_counter()
        _preparer(args, env, args.spaces)
        from django.db import connection

        forme = _forme_pour(args.pdf_kb)
        print(
            f"PostgreSQL {args.database} (recréée, migrée), Redis db {args.redis_db}, "
            f"{args.spaces} espaces ; préparation {time.perf_counter() - debut:.1f} s."
        )
        if {"pdf", "cda-pdf"} & set(args.genres):
            print(f"Courriers PDF : {forme[0]} page(s) image, {forme[1]} lignes de texte.")
        print(
            f"1 worker Celery prefork --concurrency {args.concurrency} (file « {FILE} »), "
            f"{args.producers} producteur(s), {args.documents} documents par type et par phase, "
            f"CONN_MAX_AGE={args.conn_max_age}, DEBUG off, {os.cpu_count()} cœurs."
        )
        travailleurs = Travailleurs(env, dossier / "worker.log", args.concurrency)
        resultats: dict[str, tuple[Phase, Phase]] = {}
        problemes: list[str] = []
        try:
            travailleurs.demarrer()
            for genre in args.genres:
                _echauffer(genre, forme, 4 * args.concurrency, delai=120.0)
                bout = _phase(args, genre, forme, travailleurs, env, dossier, drainer=False)
                print(f"  {genre}: bout en bout {bout.debit:.1f} documents/s", flush=True)
                drain = _phase(args, genre, forme, travailleurs, env, dossier, drainer=True)
                print(
                    f"  {genre}: producteur seul {drain.debit_producteur:.1f} documents/s, "
                    f"drain seul {drain.debit:.1f} documents/s",
                    flush=True,
                )
                resultats[genre] = (bout, drain)
                problemes += _verifier([bout, drain], args.sample)
            if args.profile:
                for genre in args.genres:
                    drain = resultats[genre][1] if genre in resultats else None
                    _profiler(genre, forme, args.profile, travailleurs, drain)
        finally:
            travailleurs.arreter()
            connection.close()
            with suppress(Exception):
                _redis_vider(env["REDIS_URL"])
            journal = dossier / "worker.log"
            if journal.exists() and journal.stat().st_size:
                texte = journal.read_text(errors="replace")
                if "Traceback" in texte or "ERROR" in texte:
                    print(f"(journal du worker, fin : {texte[-3000:]})")
            producteurs = dossier / "producteurs.log"
            if producteurs.exists() and producteurs.stat().st_size:
                print(
                    f"(erreurs des producteurs : {producteurs.read_text(errors='replace')[-3000:]})"
                )

    print()
    for ligne in _tableau(resultats, os.cpu_count() or 1):
        print(ligne)
    print()
    if problemes:
        print(f"Vérifications : {len(problemes)} problème(s)")
        for probleme in problemes[:30]:
            print(f"  - {probleme}")
        raise SystemExit(1)
    print(
        f"Vérifications : tous les documents « disponible », {args.sample} blobs par phase "
        "relus et authentifiés (documents et aperçus, SHA-256 attendue), un événement « déposé » "
        "par document, chaînes du journal intactes."
    )


if __name__ == "__main__":
    main()
