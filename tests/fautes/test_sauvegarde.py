"""Backup and restore drill (issue 14, point 7; docs/OPERATIONS.md): a dump of the database and a
copy of the vault's objects, restored into a fresh database and a fresh directory, pass
verify_vault and verify_journal, and every document reads back as it was deposited."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as reglages
from django.db import connection

from espace_sante.journal import points
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.envkeys import KeySet, encode_key
from tests.conftest import en_ci
from tests.factories import EspaceFactory, document

RACINE = Path(__file__).resolve().parent.parent.parent
PG = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "postgres"}
LIRE = """
import django, hashlib, json
django.setup()
from django.core.management import call_command
from dossier.models import Document
from espace_sante.coffre.services import blob_lire
call_command("verify_vault")
call_command("verify_journal")
print(json.dumps({str(d.uuid): hashlib.sha256(b"".join(blob_lire(d.blob, verifier_empreinte=True)))
    .hexdigest() for d in Document.objects.select_related("blob")}))
"""


def _cles(jeu: KeySet) -> str:
    return ",".join(encode_key(i, k) for i, k in jeu.keys.items())


def _pg(*commande: str) -> None:
    subprocess.run(commande, env={**os.environ, **PG}, check=True, capture_output=True, timeout=60)


@pytest.mark.skipif(
    connection.vendor != "postgresql" and not en_ci(), reason="the drill restores PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_a_dump_and_a_copy_of_the_objects_restore_into_a_verified_readable_portal(
    tmp_path: Path,
) -> None:
    contenus = {}
    for nom in ("MARTIN", "DURAND"):
        espace = EspaceFactory(nom_naissance=nom)
        for rang in range(2):
            octets = os.urandom(3000 + rang)
            contenus[str(document(espace, contenu=octets).uuid)] = octets
            evenement_enregistrer(
                action=Action.DOCUMENT_DEPOSE, acteur=Acteur.systeme(), espace_uuid=espace.uuid
            )
    points.point_de_controle_ecrire()

    # Back up: the database, the objects, the keys (held apart: here, passed by environment).
    base = connection.settings_dict["NAME"]
    dump = tmp_path / "base.dump"
    _pg("/usr/bin/pg_dump", "--format=custom", "--no-owner", f"--file={dump}", base)
    restauration = tmp_path / "restauration"
    shutil.copytree(reglages.STORAGES["default"]["OPTIONS"]["location"], restauration / "blobs")

    # Restore into a fresh database and a fresh directory.
    neuve = f"test_restauration_{uuid.uuid4().hex[:8]}"
    _pg("/usr/bin/psql", "-d", "postgres", "-c", f'CREATE DATABASE "{neuve}"')
    try:
        _pg("/usr/bin/pg_restore", "--no-owner", "--exit-on-error", "-d", neuve, str(dump))
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CI"}}
        env.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{neuve}",
            VAR_DIR=str(restauration),
            ENCRYPTION_KEYS=_cles(reglages.ENCRYPTION_KEYS),
            ENCRYPTION_ACTIVE_KEY=reglages.ENCRYPTION_KEYS.active,
            JOURNAL_SEAL_KEYS=_cles(reglages.JOURNAL_SEAL_KEYS),
            JOURNAL_SEAL_ACTIVE_KEY=reglages.JOURNAL_SEAL_KEYS.active,
            SECRET_KEY=reglages.SECRET_KEY,
            DJANGO_SETTINGS_MODULE="espace_sante.settings_test",  # the test database's settings
        )
        resultat = subprocess.run(
            [sys.executable, "-c", LIRE],
            cwd=RACINE,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        _pg(
            "/usr/bin/psql",
            "-d",
            "postgres",
            "-c",
            f'DROP DATABASE IF EXISTS "{neuve}" WITH (FORCE)',
        )
    assert resultat.returncode == 0, resultat.stderr
    lignes = resultat.stdout.strip().splitlines()
    assert any("Coffre intègre" in ligne for ligne in lignes)
    assert any("Journal intègre" in ligne and "point de contrôle du" in ligne for ligne in lignes)
    relus = json.loads(lignes[-1])
    assert relus == {u: hashlib.sha256(o).hexdigest() for u, o in contenus.items()}
