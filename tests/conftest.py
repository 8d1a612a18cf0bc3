"""Personas (CONVENTIONS.md): titulaire, autre_titulaire, representant (+ enfant), operateur."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from espace_sante.comptes.models import Utilisateur
from profil.models import Espace, Statut

from .factories import EspaceFactory, RepresentationFactory, UtilisateurFactory

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def _vidage_de_test(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
    """Let the test runner flush the journal's tables between tests (PostgreSQL refuses
    TRUNCATE on them otherwise, and only in databases named test_…:
    espace_sante/journal/migrations/0010_troncature_refusee.py)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as curseur:
            curseur.execute("SET espace_sante.vidage_de_test = 'on'")


connection_created.connect(_vidage_de_test)


@pytest.fixture(autouse=True)
def _stockage_isole(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Each test stores its objects (blobs, the journal's checkpoints) in a directory of its
    own: a checkpoint left by one test must not describe another test's database."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "blobs")},
        },
    }


@pytest.fixture
def avant_migration(request, transactional_db) -> Iterator[MigrationExecutor]:  # type: ignore[no-untyped-def]
    """The database migrated back to the test module's ``AVANT`` (a list of (app, migration)),
    for a test that fills it as it was and migrates forward; the latest migrations after."""
    executor = MigrationExecutor(connection)
    executor.migrate(request.module.AVANT)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def _codes_totp_propres_au_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """allauth remembers a used TOTP code in the cache under the user's id; ids come back from
    one test to the next (each test's rows roll back), so a code typed in an earlier test of
    the same 30 s window was refused as "already used" in a later one, at random. Each test
    gets its own key space; refusing a reused code is still tested within a test."""
    # import différé : allauth's TOTP internals, patched for the tests only
    from allauth.mfa.totp.internal.auth import TOTP

    jeton = uuid.uuid4().hex
    cle = TOTP._get_used_cache_key
    monkeypatch.setattr(
        TOTP, "_get_used_cache_key", lambda self, code: f"{cle(self, code)}&test={jeton}"
    )


@pytest.fixture(autouse=True)
def _locmem_email(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _taches_en_ligne():  # type: ignore[no-untyped-def]
    """Tasks run in-process unless a test starts a real worker (tests/test_worker.py)."""
    from espace_sante.celery import app

    avant = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = avant


@pytest.fixture
def titulaire(db) -> Espace:  # type: ignore[no-untyped-def]
    return EspaceFactory(prenoms="Camille Anne", nom_naissance="MARTIN")


@pytest.fixture
def autre_titulaire(db) -> Espace:  # type: ignore[no-untyped-def]
    return EspaceFactory(prenoms="Dominique", nom_naissance="DURAND", sexe="M")


@pytest.fixture
def enfant_represente(db, titulaire) -> Espace:  # type: ignore[no-untyped-def]
    return RepresentationFactory(representant=titulaire).espace


@pytest.fixture
def representant(enfant_represente, titulaire) -> Espace:  # type: ignore[no-untyped-def]
    """The titulaire, who also represents ``enfant_represente``."""
    return titulaire


@pytest.fixture
def operateur(db) -> Utilisateur:  # type: ignore[no-untyped-def]
    groupe, _ = Group.objects.get_or_create(name="Opérateurs")
    groupe.permissions.set(
        Permission.objects.filter(codename__in=["view_espace", "add_espace", "view_evenement"])
    )
    utilisateur = UtilisateurFactory(is_staff=True, prenom="Olivia", nom="OPÉRATRICE")
    utilisateur.groups.add(groupe)
    return utilisateur


def client_pour(utilisateur: Utilisateur) -> Client:
    client = Client()
    client.force_login(utilisateur)
    return client


@pytest.fixture
def client_titulaire(titulaire) -> Client:  # type: ignore[no-untyped-def]
    return client_pour(titulaire.titulaire)


@pytest.fixture
def client_autre(autre_titulaire) -> Client:  # type: ignore[no-untyped-def]
    return client_pour(autre_titulaire.titulaire)


@pytest.fixture
def client_operateur(operateur) -> Client:  # type: ignore[no-untyped-def]
    return client_pour(operateur)


def en_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


# --- A real Celery worker on Redis (the job tests) ----------------------------------------------


def url_redis() -> str | None:
    """The Redis the real-worker tests use: required in CI, else ``None`` when absent."""
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if en_ci():
            pytest.fail(f"Redis is required in CI and is not reachable at {url}")
        return None
    return url


@pytest.fixture
def broker() -> str:
    url = url_redis()
    if url is None:
        pytest.skip("no Redis: the real-worker test needs one")
    return url


@pytest.fixture
def worker(broker: str):  # type: ignore[no-untyped-def]
    """A worker (solo pool, in a thread) consuming a queue of its own on ``broker``."""
    import uuid

    from celery.contrib.testing.worker import start_worker

    from espace_sante.celery import app

    anciens = {
        cle: app.conf[cle]
        for cle in ("broker_url", "task_always_eager", "task_default_queue", "result_backend")
    }
    file = f"test-{uuid.uuid4().hex}"
    app.conf.update(
        broker_url=broker, task_always_eager=False, task_default_queue=file, result_backend=None
    )
    app.close()
    app.__dict__.pop("amqp", None)  # an earlier eager call cached the old default queue
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=[file], loglevel="WARNING"
        ):
            yield
    finally:
        app.conf.update(anciens)
        app.close()
        app.__dict__.pop("amqp", None)


def attendre(condition, secondes: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``condition`` every 100 ms until it holds or ``secondes`` have passed."""
    import time

    limite = time.monotonic() + secondes
    while time.monotonic() < limite:
        if condition():
            return True
        time.sleep(0.1)
    return False


__all__ = ["SHARED_DATA", "Statut", "attendre", "client_pour", "en_ci", "url_redis"]


# --- Professionals (CONVENTIONS.md personas) ---------------------------------------------------


@pytest.fixture
def pro_autorise(titulaire):  # type: ignore[no-untyped-def]
    """A médecin généraliste the titulaire has authorised."""
    from professionnels.models import AccesProfessionnel

    from .factories import ProfessionnelFactory

    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=pro, autorise=True)
    return pro


@pytest.fixture
def pro_non_autorise(db):  # type: ignore[no-untyped-def]
    from .factories import ProfessionnelFactory

    return ProfessionnelFactory(utilisateur__nom="BERNARD", utilisateur__prenom="Claire")


@pytest.fixture
def pro_bloque(titulaire):  # type: ignore[no-untyped-def]
    from professionnels.models import AccesProfessionnel

    from .factories import ProfessionnelFactory

    pro = ProfessionnelFactory(utilisateur__nom="PETIT", utilisateur__prenom="Marc")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=pro, bloque=True)
    return pro


@pytest.fixture
def file_redis(broker: str):  # type: ignore[no-untyped-def]
    """This process sends its tasks to a queue of its own on Redis (no eager execution)."""
    import uuid

    from espace_sante.celery import app

    anciens = {
        cle: app.conf[cle] for cle in ("broker_url", "task_always_eager", "task_default_queue")
    }
    file = f"test-{uuid.uuid4().hex}"
    app.conf.update(broker_url=broker, task_always_eager=False, task_default_queue=file)
    app.close()
    app.__dict__.pop("amqp", None)
    try:
        yield broker, file
    finally:
        app.conf.update(anciens)
        app.close()
        app.__dict__.pop("amqp", None)
