"""The database triggers that keep ``VersionDocuments`` in step with a space's documents.

Every write to ``dossier_document`` (insert, update, delete; by ``save``, a queryset's
``update``, ``bulk_create``, the admin or plain SQL) gives the spaces it touched a new random
token, in the writer's transaction. The list pages key their cached summary (category counts,
folders) on that token, so a cached summary can never outlive the documents it counted: no
write path can forget to invalidate it.

- PostgreSQL: one trigger per statement and kind of write, reading the statement's transition
  tables, so a bulk write moves each space's token once; spaces in ascending order, so that two
  writers lock their rows in the same order.
- SQLite: one trigger per row (SQLite has no statement triggers); one writer at a time.

Installed by migration 0008 and again after every ``migrate`` (``apps.py``): on SQLite a later
migration that rebuilds ``dossier_document`` drops the table's triggers with it. Both forms are
idempotent.
"""

from __future__ import annotations

from typing import Any

TABLE = "dossier_document"
VERSIONS = "dossier_versiondocuments"

_FONCTION_POSTGRES = """
CREATE OR REPLACE FUNCTION dossier_version_documents() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO dossier_versiondocuments (espace_id, jeton)
            SELECT espace_id, gen_random_uuid()::text
            FROM (SELECT DISTINCT espace_id FROM nouveaux) AS touches ORDER BY espace_id
            ON CONFLICT (espace_id) DO UPDATE SET jeton = EXCLUDED.jeton;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO dossier_versiondocuments (espace_id, jeton)
            SELECT espace_id, gen_random_uuid()::text
            FROM (SELECT DISTINCT espace_id FROM anciens) AS touches ORDER BY espace_id
            ON CONFLICT (espace_id) DO UPDATE SET jeton = EXCLUDED.jeton;
    ELSE
        INSERT INTO dossier_versiondocuments (espace_id, jeton)
            SELECT espace_id, gen_random_uuid()::text
            FROM (
                SELECT espace_id FROM nouveaux UNION SELECT espace_id FROM anciens
            ) AS touches ORDER BY espace_id
            ON CONFLICT (espace_id) DO UPDATE SET jeton = EXCLUDED.jeton;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""

_TRANSITIONS = {
    "INSERT": "NEW TABLE AS nouveaux",
    "UPDATE": "OLD TABLE AS anciens NEW TABLE AS nouveaux",
    "DELETE": "OLD TABLE AS anciens",
}

_POSTGRES = [
    _FONCTION_POSTGRES,
    *(
        f"CREATE OR REPLACE TRIGGER dossier_version_documents_{ecriture.lower()} "
        f"AFTER {ecriture} ON {TABLE} REFERENCING {transitions} "
        "FOR EACH STATEMENT EXECUTE FUNCTION dossier_version_documents()"
        for ecriture, transitions in _TRANSITIONS.items()
    ),
]

_JETON_SQLITE = "lower(hex(randomblob(16)))"


def _sqlite(ecriture: str, lignes: tuple[str, ...]) -> str:
    corps = " ".join(
        f"INSERT OR REPLACE INTO {VERSIONS} (espace_id, jeton) "  # noqa: S608 (no value)
        f"VALUES ({ligne}.espace_id, {_JETON_SQLITE});"
        for ligne in lignes
    )
    return (
        f"CREATE TRIGGER IF NOT EXISTS dossier_version_documents_{ecriture.lower()} "
        f"AFTER {ecriture} ON {TABLE} FOR EACH ROW BEGIN {corps} END"
    )


_SQLITE = [
    _sqlite("INSERT", ("NEW",)),
    _sqlite("UPDATE", ("OLD", "NEW")),
    _sqlite("DELETE", ("OLD",)),
]

NOMS = [f"dossier_version_documents_{ecriture.lower()}" for ecriture in _TRANSITIONS]


def installer(connexion: Any) -> None:
    """Create (or replace) the triggers on ``connexion``'s database."""
    instructions = {"postgresql": _POSTGRES, "sqlite": _SQLITE}.get(connexion.vendor)
    if instructions is None:
        raise NotImplementedError(f"{connexion.vendor}: no trigger for VersionDocuments")
    with connexion.cursor() as curseur:
        for instruction in instructions:
            curseur.execute(instruction)


def retirer(connexion: Any) -> None:
    with connexion.cursor() as curseur:
        for nom in NOMS:
            suffixe = f" ON {TABLE}" if connexion.vendor == "postgresql" else ""
            curseur.execute(f"DROP TRIGGER IF EXISTS {nom}{suffixe}")
        if connexion.vendor == "postgresql":
            curseur.execute("DROP FUNCTION IF EXISTS dossier_version_documents()")


def installes(connexion: Any) -> set[str]:
    """The names of this module's triggers present on ``connexion``'s database."""
    with connexion.cursor() as curseur:
        if connexion.vendor == "postgresql":
            curseur.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass", [TABLE])
        else:
            curseur.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
        return {nom for (nom,) in curseur.fetchall()} & set(NOMS)
