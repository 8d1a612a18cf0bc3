"""Production settings refuse unsafe defaults; the embedded default needs nothing."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parent.parent
CLE = "k1:" + base64.urlsafe_b64encode(b"\x01" * 32).decode()
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "s" * 20 + "ecret-" + "k" * 40,
    "ALLOWED_HOSTS": "espace-sante.example",
    "ENCRYPTION_KEYS": CLE,
    "JOURNAL_SEAL_KEYS": "s1:" + base64.urlsafe_b64encode(b"\x02" * 32).decode(),
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def _settings(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    propre = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DATABASE_URL"}
    propre.update(env, VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('ok')"],
        cwd=RACINE,
        env={**propre, "DJANGO_SETTINGS_MODULE": "espace_sante.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_starts_with_its_secrets(tmp_path: Path) -> None:
    resultat = _settings(PRODUCTION, tmp_path)
    assert resultat.returncode == 0, resultat.stderr
    assert not (tmp_path / "dev-encryption-key").exists()


@pytest.mark.parametrize(
    ("manque", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS"),
        ("ENCRYPTION_KEYS", "ENCRYPTION_KEYS"),
        ("JOURNAL_SEAL_KEYS", "JOURNAL_SEAL_KEYS"),
        ("REDIS_URL", "REDIS_URL"),
    ],
)
def test_production_refuses_to_start_without(manque: str, message: str, tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != manque}
    resultat = _settings(env, tmp_path)
    assert resultat.returncode != 0
    assert message in resultat.stderr and "ImproperlyConfigured" in resultat.stderr


def test_production_refuses_malformed_keys(tmp_path: Path) -> None:
    for valeur in ("k1:court", "sans-deux-points", f"{CLE},{CLE}"):
        resultat = _settings({**PRODUCTION, "ENCRYPTION_KEYS": valeur}, tmp_path)
        assert resultat.returncode != 0 and "ENCRYPTION_KEYS" in resultat.stderr
    absente = _settings({**PRODUCTION, "ENCRYPTION_ACTIVE_KEY": "k9"}, tmp_path)
    assert "ENCRYPTION_ACTIVE_KEY" in absente.stderr
    sceau = _settings({**PRODUCTION, "JOURNAL_SEAL_KEYS": "s1:court"}, tmp_path)
    assert sceau.returncode != 0 and "JOURNAL_SEAL_KEYS" in sceau.stderr
    sceau_absent = _settings({**PRODUCTION, "JOURNAL_SEAL_ACTIVE_KEY": "s9"}, tmp_path)
    assert "JOURNAL_SEAL_ACTIVE_KEY" in sceau_absent.stderr


def test_secrets_can_come_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("f" * 60 + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    resultat = _settings({**env, "SECRET_KEY_FILE": str(secret)}, tmp_path)
    assert resultat.returncode == 0, resultat.stderr


def test_development_generates_a_key_with_a_loud_warning(tmp_path: Path) -> None:
    resultat = _settings({}, tmp_path)
    assert resultat.returncode == 0, resultat.stderr
    assert "DEVELOPMENT encryption key" in resultat.stderr
    cle = tmp_path / "dev-encryption-key"
    assert cle.exists() and oct(cle.stat().st_mode & 0o777) == "0o600"
    assert "DEVELOPMENT journal sealing key" in resultat.stderr
    assert oct((tmp_path / "dev-journal-seal-key").stat().st_mode & 0o777) == "0o600"
    again = _settings({}, tmp_path)
    assert "DEVELOPMENT" not in again.stderr  # generated once, then reused


def test_the_key_set_never_shows_key_material() -> None:
    from django.conf import settings

    texte = repr(settings.ENCRYPTION_KEYS)
    for cle in settings.ENCRYPTION_KEYS.keys.values():
        assert base64.urlsafe_b64encode(cle).decode() not in texte


def _environnement(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """This process's environment without production's variables nor the database, plus
    ``env``, with its own VAR_DIR."""
    propre = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DATABASE_URL"}
    propre.update(env, VAR_DIR=str(tmp_path))
    return propre


def _valeur(env: dict[str, str], tmp_path: Path, expression: str, avant: str = "") -> str:
    propre = _environnement(env, tmp_path)
    resultat = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{avant}import django; django.setup(); from django.conf import settings; "
            f"print({expression})",
        ],
        cwd=RACINE,
        env={**propre, "DJANGO_SETTINGS_MODULE": "espace_sante.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert resultat.returncode == 0, resultat.stderr
    return resultat.stdout.strip()


def test_the_settings_never_look_for_a_test_runner(tmp_path: Path) -> None:
    """pytest loaded or not, espace_sante.settings are the same: the test suite's own settings
    (espace_sante/settings_test.py) are chosen by the runner, in pyproject.toml."""
    expression = "'tests.appli_test' in settings.INSTALLED_APPS, settings.PASSWORD_HASHERS[0]"
    attendu = "False django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert _valeur({}, tmp_path, expression, avant="import pytest; ") == attendu


@pytest.mark.parametrize(
    ("proxies", "attendu"), [("0", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")]
)
def test_the_forwarded_protocol_is_trusted_only_behind_a_configured_proxy(
    proxies: str, attendu: str, tmp_path: Path
) -> None:
    env = {**PRODUCTION, "TRUSTED_PROXY_COUNT": proxies}
    assert _valeur(env, tmp_path, "getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)") == attendu


def test_the_retired_hours_grace_of_the_vault_collection_is_refused_not_ignored(
    tmp_path: Path,
) -> None:
    resultat = _settings({**PRODUCTION, "VAULT_GC_GRACE_HOURS": "6"}, tmp_path)
    assert resultat.returncode != 0
    assert "VAULT_GC_GRACE_MINUTES" in resultat.stderr


def _options_base(env: dict[str, str], tmp_path: Path) -> str:
    propre = {k: v for k, v in os.environ.items() if k not in PRODUCTION and k != "DATABASE_URL"}
    propre.update(env, VAR_DIR=str(tmp_path))
    resultat = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(sorted(settings.DATABASES['default']"
            ".get('OPTIONS', {}).items()))",
        ],
        cwd=RACINE,
        env={**propre, "DJANGO_SETTINGS_MODULE": "espace_sante.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return resultat.stdout


def test_postgresql_prepares_repeated_statements_unless_told_not_to(tmp_path: Path) -> None:
    base = {"DATABASE_URL": "postgres://app@db.example:5432/espace"}
    assert "('prepare_threshold', 5), ('server_side_binding', True)" in _options_base(
        base, tmp_path
    )
    sans = _options_base({**base, "DATABASE_PREPARED_STATEMENTS": "false"}, tmp_path)
    assert "server_side_binding" not in sans and "prepare_threshold" not in sans
    assert "server_side_binding" not in _options_base({}, tmp_path)  # SQLite: nothing to prepare


@pytest.mark.django_db
def test_a_statement_run_again_is_prepared_on_the_server() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (CI runs this on PostgreSQL)")
    from profil.models import Espace

    for _ in range(6):
        list(Espace.objects.filter(uuid="00000000-0000-0000-0000-000000000000"))
    with connection.cursor() as curseur:
        curseur.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "profil_espace" WHERE "profil_espace"."uuid" = $1%'],
        )
        assert curseur.fetchone()[0] == 1


@pytest.mark.parametrize(
    ("env", "attendu"),
    [
        ({}, "django.contrib.staticfiles.storage.StaticFilesStorage"),
        ({"STATIC_MANIFESTE": "1"}, "espace_sante.lib.statiques.StatiquesCompresses"),
        (PRODUCTION, "espace_sante.lib.statiques.StatiquesCompresses"),
    ],
)
def test_static_files_are_compressed_and_cache_busted_where_collected(
    env: dict[str, str], attendu: str, tmp_path: Path
) -> None:
    """Hashed names and gzip copies (a year's cache, served compressed) in production and
    `make run`; the plain storage where nothing was collected (the tests)."""
    assert _valeur(env, tmp_path, "settings.STORAGES['staticfiles']['BACKEND']") == attendu


def test_make_run_serves_the_collected_files_compressed_and_cache_busted(tmp_path: Path) -> None:
    """`make run` (DEBUG on, STATIC_MANIFESTE=1, collectstatic first): the pages link the hashed
    names, which WhiteNoise serves gzipped with a year's immutable cache — not the apps' plain
    files revalidated on every page, as DEBUG alone would."""
    propre = _environnement(
        {"STATIC_MANIFESTE": "1", "DJANGO_SETTINGS_MODULE": "espace_sante.settings"}, tmp_path
    )
    collecte = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=RACINE,
        env=propre,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert collecte.returncode == 0, collecte.stderr
    script = (
        "import django, re; django.setup(); from django.conf import settings; "
        "from django.test import Client; c = Client(); assert settings.DEBUG; "
        "page = c.get('/comptes/login/').content.decode(); "
        '(css,) = re.findall(r\'href="(/static/css/dsfr-composants[^"]*)"\', page); '
        "r = c.get(css, HTTP_ACCEPT_ENCODING='gzip'); "
        "print(css, r.status_code, r.headers.get('Content-Encoding'), r.headers['Cache-Control'])"
    )
    resultat = subprocess.run(
        [sys.executable, "-c", script],
        cwd=RACINE,
        env={**propre, "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert resultat.returncode == 0, resultat.stderr
    css, statut, encodage, cache = resultat.stdout.split(" ", 3)
    assert re.fullmatch(r"/static/css/dsfr-composants\.[0-9a-f]{12}\.css", css)
    assert (statut, encodage) == ("200", "gzip")
    assert "immutable" in cache and "max-age=315360000" in cache
