"""PostgreSQL refuses TRUNCATE on the journal's two tables, and DELETE on chain heads
(DESIGN.md §5): the events' trigger refused UPDATE and DELETE, not TRUNCATE.

Only Django's test databases (named ``test_…``) let a session that sets
``espace_sante.vidage_de_test`` flush them between tests (tests/conftest.py). A production role
that owns the tables can still disable the triggers: the sealed heads and the checkpoints kept
outside the database are what detect it (docs/JOURNAL.md).
"""

from __future__ import annotations

from django.db import migrations

CREER = r"""
CREATE OR REPLACE FUNCTION journal_troncature_refusee() RETURNS trigger AS $$
BEGIN
    IF current_database() LIKE 'test\_%'
       AND current_setting('espace_sante.vidage_de_test', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% refusé sur % : le journal est en ajout seul', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER journal_evenement_troncature
    BEFORE TRUNCATE ON journal_evenement
    FOR EACH STATEMENT EXECUTE FUNCTION journal_troncature_refusee();
CREATE TRIGGER journal_chainejournal_troncature
    BEFORE TRUNCATE ON journal_chainejournal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_troncature_refusee();
CREATE TRIGGER journal_chainejournal_suppression
    BEFORE DELETE ON journal_chainejournal
    FOR EACH STATEMENT EXECUTE FUNCTION journal_troncature_refusee();
"""

SUPPRIMER = """
DROP TRIGGER IF EXISTS journal_evenement_troncature ON journal_evenement;
DROP TRIGGER IF EXISTS journal_chainejournal_troncature ON journal_chainejournal;
DROP TRIGGER IF EXISTS journal_chainejournal_suppression ON journal_chainejournal;
DROP FUNCTION IF EXISTS journal_troncature_refusee();
"""


def creer(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREER, params=None)


def supprimer(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUPPRIMER, params=None)


class Migration(migrations.Migration):
    dependencies = [("journal", "0009_tete_scellee")]
    operations = [migrations.RunPython(creer, supprimer)]
