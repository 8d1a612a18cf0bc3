"""A real worker that reads the broker directly while the application writes to it through the
loopback proxy: cutting the proxy is, for the web process, Redis gone (issue 14)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from .proxy import ProxyTCP


@pytest.fixture
def broker_coupable(broker: str) -> Iterator[ProxyTCP]:
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
