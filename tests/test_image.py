"""The Docker image serves real pages (issue 14, point 4), checked without a Docker daemon.

The module builds the image's file layout in a temporary folder by reading the Dockerfile: its
``COPY`` lines copy the same files, its ``ENV`` lines give the same environment (``/app`` mapped
to the folder), its ``RUN docker/…`` build scripts run there as they do in the image (``pip
install`` and ``useradd`` are left to the image: the shared virtualenv has the dependencies).
Then the image's own ``CMD`` (gunicorn) serves that layout with production settings, and the
image's ``HEALTHCHECK`` script judges it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import en_ci
from .fautes.proxy import ProxyTCP

RACINE = Path(__file__).resolve().parent.parent
CLE = "k1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
HOTE = "espace-sante.example"


@dataclass
class Image:
    workdir: str = "/"
    copies: list[tuple[list[str], str]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    runs: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)


def lire_dockerfile(chemin: Path) -> Image:
    """The few instructions the layout needs (continuation lines joined, comments dropped)."""
    lignes: list[str] = []
    courante = ""
    for brute in chemin.read_text(encoding="utf-8").splitlines():
        if brute.lstrip().startswith("#") or not brute.strip():
            continue
        courante += brute.rstrip().removesuffix("\\") + " "
        if not brute.rstrip().endswith("\\"):
            lignes.append(courante.strip())
            courante = ""
    image = Image()
    for ligne in lignes:
        instruction, _, reste = ligne.partition(" ")
        instruction = instruction.upper()
        if instruction == "WORKDIR":
            image.workdir = reste.strip()
        elif instruction == "COPY":
            *sources, destination = shlex.split(reste)
            image.copies.append((sources, destination))
        elif instruction == "ENV":
            for paire in shlex.split(reste):
                nom, _, valeur = paire.partition("=")
                image.env[nom] = valeur
        elif instruction == "RUN":
            image.runs.append(reste.strip())
        elif instruction == "HEALTHCHECK":
            image.healthcheck = json.loads(reste[reste.index("CMD") + 3 :])
        elif instruction == "CMD":
            image.cmd = json.loads(reste)
    return image


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Disposition:
    image: Image
    app: Path  # the image's WORKDIR, here
    env: dict[str, str]  # the image's runtime environment, mapped here


@pytest.fixture(scope="module")
def disposition(tmp_path_factory: pytest.TempPathFactory) -> Disposition:
    image = lire_dockerfile(RACINE / "Dockerfile")
    racine = tmp_path_factory.mktemp("image")
    app = racine / image.workdir.strip("/")
    app.mkdir(parents=True)

    def ici(valeur: str) -> str:
        return valeur.replace(image.workdir, str(app))

    for sources, destination in image.copies:
        cible = app / destination
        for source in sources:
            origine = RACINE / source
            if origine.is_dir():
                shutil.copytree(
                    origine, cible, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
                )
            else:
                cible.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origine, cible / origine.name)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO", "DATABASE", "REDIS", "S3_", "ENCRYPTION", "STATIC", "VAR"))
    }
    env.update({nom: ici(valeur) for nom, valeur in image.env.items()})
    env.update(PYTHON=sys.executable, PATH=f"{Path(sys.executable).parent}:{env['PATH']}")
    scripts = [run for run in image.runs if run.startswith("docker/")]
    assert scripts, "the Dockerfile builds nothing with the scripts under docker/"
    for run in scripts:
        fait = subprocess.run(
            ["sh", "-c", ici(run)], cwd=app, env=env, capture_output=True, text=True, timeout=120
        )
        assert fait.returncode == 0, fait.stdout + fait.stderr
    env.update(
        SECRET_KEY="s" * 30 + "-runtime-" + "k" * 30,
        ENCRYPTION_KEYS=CLE,
        JOURNAL_SEAL_KEYS="sceau:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=",
        ALLOWED_HOSTS=HOTE,
        TRUSTED_PROXY_COUNT="1",
        REDIS_URL="redis://127.0.0.1:1/0",  # a page and the healthcheck do not need Redis
        LOG_LEVEL="WARNING",
    )
    (app / env["VAR_DIR"].removeprefix(str(app)).strip("/")).mkdir(parents=True, exist_ok=True)
    return Disposition(image, app, env)


@pytest.fixture(scope="module")
def servir(disposition: Disposition) -> Iterator[object]:
    """Starts the image's CMD from the layout with the given DATABASE_URL (one gunicorn worker
    instead of the image's 2, to start faster); returns its port."""
    processus: list[subprocess.Popen[bytes]] = []

    def demarrer(database_url: str) -> int:
        port = _port_libre()
        commande = [
            str(Path(sys.executable).parent / c) if c == "gunicorn" else c
            for c in disposition.image.cmd
        ]
        commande[commande.index("0.0.0.0:8000")] = f"127.0.0.1:{port}"
        commande[commande.index("--workers") + 1] = "1"
        journal = open(disposition.app / f"gunicorn-{port}.log", "wb")  # noqa: SIM115
        processus.append(
            subprocess.Popen(
                commande,
                cwd=disposition.app,
                env={**disposition.env, "DATABASE_URL": database_url},
                stdout=journal,
                stderr=subprocess.STDOUT,
            )
        )
        limite = time.monotonic() + 30
        while time.monotonic() < limite:
            assert processus[-1].poll() is None, (disposition.app / journal.name).read_text()
            try:  # answering, whatever the answer: the workers have loaded the application
                _get(port, "/sante/", delai=30)
                return port
            except OSError:
                time.sleep(0.1)
        raise AssertionError("gunicorn did not answer within 30 s")

    yield demarrer
    for p in processus:
        p.terminate()
        p.wait(timeout=15)


def _healthcheck(disposition: Disposition, port: int) -> subprocess.CompletedProcess[str]:
    commande = [sys.executable if c == "python" else c for c in disposition.image.healthcheck]
    commande[commande.index("--port") + 1] = str(port)
    return subprocess.run(
        commande,
        cwd=disposition.app,
        env=disposition.env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def _get(port: int, chemin: str, delai: float = 10) -> tuple[int, bytes]:
    connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=delai)
    connexion.request("GET", chemin, headers={"Host": HOTE, "X-Forwarded-Proto": "https"})
    reponse = connexion.getresponse()
    return reponse.status, reponse.read()


@pytest.fixture(scope="module")
def port_sqlite(servir, tmp_path_factory: pytest.TempPathFactory) -> int:
    return servir(f"sqlite:///{tmp_path_factory.mktemp('base') / 'base.sqlite3'}")


def test_the_image_serves_the_login_page_and_its_static_files_with_production_settings(
    disposition: Disposition, port_sqlite: int
) -> None:
    port = port_sqlite
    statut, page = _get(port, "/comptes/login/")
    assert statut == 200, page[-2000:]
    liens = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.decode())
    manifeste = json.loads((Path(disposition.env["STATIC_ROOT"]) / "staticfiles.json").read_text())
    assert liens and all(
        lien.removeprefix("/static/") in manifeste["paths"].values() for lien in liens
    )
    for lien in liens:
        statut, contenu = _get(port, lien)
        assert statut == 200 and contenu, lien
    assert Path(disposition.env["STATIC_ROOT"]).is_relative_to(disposition.app)
    assert not Path(disposition.env["STATIC_ROOT"]).is_relative_to(disposition.env["VAR_DIR"])


def test_the_healthcheck_passes_when_a_page_renders_and_the_database_answers(
    disposition: Disposition, port_sqlite: int
) -> None:
    verdict = _healthcheck(disposition, port_sqlite)
    assert verdict.returncode == 0, verdict.stderr
    assert "/comptes/login/" in verdict.stdout and ".css" in verdict.stdout
    assert "/sante/" in verdict.stdout


def _postgres() -> tuple[str, int] | None:
    url = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x")
    if not url.scheme.startswith("postgres"):
        url = urlsplit("postgres://postgres@127.0.0.1:5432/x")
    adresse = (url.hostname or "127.0.0.1", url.port or 5432)
    try:
        socket.create_connection(adresse, timeout=2).close()
    except OSError:
        if en_ci():
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {adresse}")
        return None
    return adresse


def test_the_healthcheck_fails_while_the_database_is_cut_and_recovers_after(
    disposition: Disposition, servir
) -> None:
    adresse = _postgres()
    if adresse is None:
        pytest.skip("no PostgreSQL: the outage test needs one")
    with ProxyTCP(*adresse) as proxy:
        port = servir(f"postgres://postgres@127.0.0.1:{proxy.port}/postgres")
        assert _healthcheck(disposition, port).returncode == 0
        proxy.couper()
        coupe = _healthcheck(disposition, port)
        assert coupe.returncode == 1
        assert "/sante/: HTTP 503" in coupe.stderr
        assert _get(port, "/sante/")[1] == "base de données indisponible".encode()
        proxy.retablir()
        assert _healthcheck(disposition, port).returncode == 0
