"""The bench's dedicated PostgreSQL database: created (dropped first when asked), migrated."""

from __future__ import annotations

import argparse
import re

RESERVEES = {"postgres", "template0", "template1"}


def base_creer(args: argparse.Namespace, *, effacer: bool) -> None:
    """Create ``--database`` on ``--postgres`` if it does not exist, dropped first when
    ``effacer`` (its name is checked: never another one)."""
    import psycopg
    from psycopg import sql

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.database) or args.database in RESERVEES:
        raise SystemExit(f"--database {args.database!r}: a dedicated lower-case name, please")
    nom = sql.Identifier(args.database)
    url = f"{args.postgres.rstrip('/')}/postgres"
    with psycopg.connect(url, autocommit=True) as connexion:
        if effacer:
            connexion.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(nom))
        existe = connexion.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
        ).fetchone()
        if not existe:
            connexion.execute(sql.SQL("CREATE DATABASE {}").format(nom))


def migrer() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
