"""The fault tests' proxy itself: it forwards, cuts open connections, refuses while cut, and
lets through again once restored — against the real PostgreSQL and Redis of the machine."""

from __future__ import annotations

import pytest

from tests.conftest import url_redis

from .proxy import ProxyTCP


def test_a_cut_resets_an_open_redis_connection_and_a_restore_lets_a_new_one_through() -> None:
    import redis

    url = url_redis()
    if url is None:
        pytest.skip("no Redis on this machine")
    cible = redis.Redis.from_url(url)
    hote = cible.connection_pool.connection_kwargs["host"]
    port = cible.connection_pool.connection_kwargs["port"]
    with ProxyTCP(hote, port) as proxy:
        client = redis.Redis(host="127.0.0.1", port=proxy.port, socket_timeout=2, retry=None)
        assert client.ping()
        proxy.couper()
        with pytest.raises(redis.exceptions.ConnectionError):
            client.ping()
        with pytest.raises(redis.exceptions.ConnectionError):
            redis.Redis(host="127.0.0.1", port=proxy.port, socket_timeout=2).ping()
        proxy.retablir()
        assert redis.Redis(host="127.0.0.1", port=proxy.port, socket_timeout=2).ping()


def test_a_cut_breaks_an_open_postgresql_connection_and_a_restore_lets_a_new_one_through() -> None:
    psycopg = pytest.importorskip("psycopg")
    try:
        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=2)
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL on this machine")
    with ProxyTCP("127.0.0.1", 5432) as proxy:
        dsn = f"host=127.0.0.1 port={proxy.port} user=postgres dbname=postgres connect_timeout=2"
        with psycopg.connect(dsn) as connexion:
            assert connexion.execute("select 1").fetchone() == (1,)
            proxy.couper()
            with pytest.raises(psycopg.OperationalError):
                connexion.execute("select 1")
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(dsn)
        proxy.retablir()
        with psycopg.connect(dsn) as connexion:
            assert connexion.execute("select 1").fetchone() == (1,)
