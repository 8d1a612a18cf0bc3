"""A real worker that reads the broker directly while the application writes to it through the
loopback proxy: cutting the proxy is, for the web process, Redis gone (issue 14)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

from .proxy import ProxyTCP


@pytest.fixture
def base_sur_fichier(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite, the test and the worker's thread share a database file in WAL mode, as the
    embedded default's processes do (settings.py), instead of the in-memory test database.

    That one is a shared cache, which locks whole tables: while one connection writes, another
    fails at once with "database table is locked" (reads included, no busy timeout), a failure
    no file database gives (reads go on, a second writer waits). A copy of the test database is
    used for the test, then dropped; the in-memory one, kept open, comes back for the flush."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield  # PostgreSQL, or a test database on file already
        return
    reglages = connection.settings_dict
    memoire = reglages["NAME"]
    fichier = tmp_path / "base.sqlite3"
    # The in-memory database lives as long as one connection to it is open: this one.
    with closing(sqlite3.connect(memoire, uri=True)) as gardien:
        with closing(sqlite3.connect(fichier)) as copie:
            gardien.backup(copie)
        reglages["NAME"] = str(fichier)  # the dict every thread's connection is made from
        connection.close()
        try:
            yield
        finally:
            connection.close()
            reglages["NAME"] = memoire
            connection.ensure_connection()


@pytest.fixture
def broker_coupable(broker: str, base_sur_fichier: None) -> Iterator[ProxyTCP]:
    from celery.contrib.testing.worker import start_worker

    from espace_sante.celery import app

    adresse = urlsplit(broker)
    cles = (
        "broker_url",
        "broker_read_url",
        "broker_write_url",
        "task_always_eager",
        "task_default_queue",
        "result_backend",
    )
    anciens = {cle: app.conf[cle] for cle in cles}
    file = f"test-{uuid.uuid4().hex}"
    with ProxyTCP(adresse.hostname or "127.0.0.1", adresse.port or 6379) as proxy:
        via = f"redis://127.0.0.1:{proxy.port}{adresse.path}"
        app.conf.update(
            broker_url=broker,
            broker_read_url=broker,  # the worker's side: never cut
            broker_write_url=via,  # the application's side (and the sweep's): cut on demand
            task_always_eager=False,
            task_default_queue=file,
            result_backend=None,
        )
        app.close()
        app.__dict__.pop("amqp", None)  # an earlier eager call cached the old default queue
        try:
            with start_worker(
                app, pool="solo", perform_ping_check=False, queues=[file], loglevel="WARNING"
            ):
                yield proxy
        finally:
            proxy.retablir()
            app.conf.update(anciens)
            app.close()
            app.__dict__.pop("amqp", None)
