"""The compose file's database roles (issue 14, point 4): the application is no superuser, owns
nothing, and cannot rewrite the journal.

Against the machine's PostgreSQL, in a throwaway database with throwaway roles (dropped at the
end): ``docker/sql/roles.sql`` as the superuser (what the PostgreSQL image's first start runs),
the migrations as the owner role (the compose ``migrate`` service), ``docker/sql/privileges.sql``
as the owner (the ``privileges`` service), then a real request as the application role.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import en_ci

RACINE = Path(__file__).resolve().parent.parent
SQL = RACINE / "docker" / "sql"

REQUETE = """
import django
django.setup()
from django.test import Client
from tests.factories import EspaceFactory, document
espace = EspaceFactory()
document(espace)
client = Client(HTTP_HOST="localhost")
client.force_login(espace.titulaire)
for chemin in (f"/espace/{espace.uuid}/documents/", f"/espace/{espace.uuid}/historique/"):
    reponse = client.get(chemin)
    assert reponse.status_code == 200, (chemin, reponse.status_code)
print("requete-ok")
"""


@dataclass(frozen=True)
class Base:
    hote: str
    port: int
    nom: str
    proprietaire: str
    app: str
    mot_de_passe: str

    def url(self, role: str) -> str:
        return f"postgres://{role}:{self.mot_de_passe}@{self.hote}:{self.port}/{self.nom}"


def _serveur() -> tuple[str, int]:
    url = urlsplit(os.environ.get("DATABASE_URL") or "")
    if not url.scheme.startswith("postgres"):
        url = urlsplit("postgres://postgres@127.0.0.1:5432/postgres")
    return url.hostname or "127.0.0.1", url.port or 5432


def _psql(base: Base, role: str, fichier: Path, **variables: str) -> None:
    commande = [
        "psql",
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-d",
        base.url(role),
        "-f",
        str(fichier),
    ]
    for nom, valeur in variables.items():
        commande += ["-v", f"{nom}={valeur}"]
    fait = subprocess.run(commande, capture_output=True, text=True, timeout=60)
    assert fait.returncode == 0, fait.stderr


def _django(base: Base, role: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE", "REDIS", "S3_"))}
    env.update(
        DATABASE_URL=base.url(role),
        DJANGO_SETTINGS_MODULE="espace_sante.settings",
        PYTHONPATH=str(RACINE),
        LOG_LEVEL="WARNING",
    )
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Base]:
    import psycopg
    from psycopg import sql

    if shutil.which("psql") is None:
        if en_ci():
            pytest.fail("psql is required in CI (the roles script is a psql script)")
        pytest.skip("no psql: the roles script is a psql script")
    hote, port = _serveur()
    try:
        admin = psycopg.connect(
            f"postgres://postgres@{hote}:{port}/postgres", autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError:
        if en_ci():
            raise
        pytest.skip("no PostgreSQL: the roles test needs one")
    suffixe = secrets.token_hex(4)
    base = Base(
        hote, port, f"es_image_roles_{suffixe}", f"es_image_proprio_{suffixe}",
        f"es_image_app_{suffixe}", secrets.token_urlsafe(16),
    )  # fmt: skip
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(base.nom)))
    try:
        _psql(
            base,
            "postgres",
            SQL / "roles.sql",
            dbname=base.nom,
            owner=base.proprietaire,
            owner_password=base.mot_de_passe,
            app=base.app,
            app_password=base.mot_de_passe,
        )
        migration = _django(base, base.proprietaire, "manage.py", "migrate", "--noinput", "-v0")
        assert migration.returncode == 0, migration.stderr[-3000:]
        _psql(base, base.proprietaire, SQL / "privileges.sql", app=base.app)
        yield base
    finally:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(base.nom))
        )
        for role in (base.app, base.proprietaire):
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        admin.close()


def test_the_application_role_serves_requests_that_read_write_and_journal(base: Base) -> None:
    fait = _django(base, base.app, "-c", REQUETE)
    assert fait.returncode == 0 and "requete-ok" in fait.stdout, fait.stderr[-3000:]


@pytest.mark.parametrize("role", ["app", "proprietaire"])
def test_neither_role_is_a_superuser_nor_creates_roles_or_databases(base: Base, role: str) -> None:
    import psycopg

    with psycopg.connect(base.url(getattr(base, role)), autocommit=True) as connexion:
        attributs = connexion.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
            "FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert attributs == (False, False, False, False, False)


@pytest.mark.parametrize(
    ("instruction", "refus"),
    [
        ("DROP TABLE profil_espace CASCADE", "must be owner"),
        ("ALTER TABLE profil_espace ADD COLUMN x integer", "must be owner"),
        ("ALTER TABLE journal_evenement DISABLE TRIGGER ALL", "must be owner"),
        ("TRUNCATE profil_espace CASCADE", "permission denied"),
        ("TRUNCATE journal_evenement", "permission denied"),
        ("CREATE TABLE intruse (x integer)", "permission denied for schema public"),
        ("UPDATE journal_evenement SET acteur_nom = 'x'", "permission denied for table"),
        ("DELETE FROM journal_evenement", "permission denied for table"),
        ("DELETE FROM journal_chainejournal", "permission denied for table"),
        ("CREATE ROLE intrus", "permission denied to create role"),
    ],
)
def test_the_application_role_cannot_change_the_schema_nor_rewrite_the_journal(
    base: Base, instruction: str, refus: str
) -> None:
    import psycopg

    with psycopg.connect(base.url(base.app), autocommit=True) as connexion:
        assert connexion.execute("SELECT count(*) FROM journal_evenement").fetchone() is not None
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as erreur:
            connexion.execute(instruction)
    assert refus in str(erreur.value)


def test_the_compose_file_connects_the_services_with_the_least_privileged_role() -> None:
    import yaml

    services = yaml.safe_load((RACINE / "docker-compose.yml").read_text())["services"]
    roles = {
        nom: urlsplit(re.sub(r"\$\{[^}]*\}", "x", service["environment"]["DATABASE_URL"])).username
        for nom, service in services.items()
        if "DATABASE_URL" in service.get("environment", {})
    }
    assert roles.pop("migrate") == "espace_proprietaire"
    assert set(roles.values()) == {"espace_app"}, roles
    assert {"web", "worker", "beat"} <= set(roles)
    for nom in ("web", "worker", "beat"):
        attente = services[nom]["depends_on"]["privileges"]["condition"]
        assert attente == "service_completed_successfully"
    privileges = " ".join(services["privileges"]["command"].split())
    assert "-U espace_proprietaire" in privileges and "-v app=espace_app" in privileges
    init = (RACINE / "docker" / "initdb" / "10-roles.sh").read_text()
    assert "espace_proprietaire" in init and "espace_app" in init
    assert services["db"]["environment"]["POSTGRES_USER"] not in roles.values()
