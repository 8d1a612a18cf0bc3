"""What the database-outage and worker-kill tests share (issue 14, points 1, 3 and 5): the
PostgreSQL test database as another process reaches it, a Redis queue of the test's own, and
real worker or web processes started on the side (their database through the loopback proxy)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from ..conftest import en_ci

RACINE = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        if en_ci():
            pytest.fail("CI runs the suite on PostgreSQL")
        pytest.skip("a process on the side needs a database it can reach: PostgreSQL")


def url_base(port: int | None = None) -> str:
    """The test database, directly or through the proxy's ``port``."""
    reglages = connection.settings_dict
    hote = reglages["HOST"] or "127.0.0.1"
    return (
        f"postgres://{reglages['USER']}@{hote if port is None else '127.0.0.1'}:"
        f"{port or reglages['PORT'] or '5432'}/{reglages['NAME']}"
    )


def environnement(**variables: str) -> dict[str, str]:
    return {
        **os.environ,
        "VAR_DIR": str(settings.VAR_DIR),
        # the objects where this test stores them (tests/conftest.py: _stockage_isole)
        "BLOBS_DIR": settings.STORAGES["default"]["OPTIONS"]["location"],
        "PYTHONUNBUFFERED": "1",
        **variables,
    }


@contextmanager
def processus(commande: list[str], env: dict[str, str], journal: Path) -> Iterator[Any]:
    """A process group on the side, stopped (TERM, then KILL) at the end."""
    with open(journal, "ab") as sortie:
        proc = subprocess.Popen(
            commande,
            cwd=RACINE,
            env=env,
            stdout=sortie,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield proc
    finally:
        arreter(proc)


def arreter(proc: Any) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        tuer(proc)


def tuer(proc: Any) -> None:
    """SIGKILL the whole group (main process and pool processes), as the OOM killer would."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def commande_worker(file: str, concurrence: int = 1) -> list[str]:
    return [
        str(BIN / "celery"),
        *("-A", "espace_sante", "worker", "--pool", "prefork"),
        *("--concurrency", str(concurrence), "-Q", file, "--loglevel", "WARNING"),
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
    ]


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
