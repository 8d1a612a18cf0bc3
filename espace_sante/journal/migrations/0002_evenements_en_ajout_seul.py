"""PostgreSQL refuses UPDATE and DELETE on journal events, whoever asks (DESIGN.md §5).

On SQLite the application refuses (the model and its queryset raise). TRUNCATE stays possible
for the test runner's flush; production roles should not hold TRUNCATE on this table.
"""

from __future__ import annotations

from django.db import migrations

CREER = """
CREATE OR REPLACE FUNCTION journal_evenement_immuable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'journal_evenement est en ajout seul : % refusé', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER journal_evenement_immuable
    BEFORE UPDATE OR DELETE ON journal_evenement
    FOR EACH ROW EXECUTE FUNCTION journal_evenement_immuable();
"""

SUPPRIMER = """
DROP TRIGGER IF EXISTS journal_evenement_immuable ON journal_evenement;
DROP FUNCTION IF EXISTS journal_evenement_immuable();
"""


def creer(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREER, params=None)


def supprimer(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUPPRIMER, params=None)


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]
    operations = [migrations.RunPython(creer, supprimer)]
