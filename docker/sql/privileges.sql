-- Run by the owner role after every `migrate` (the compose `privileges` service; idempotent):
--
--   psql -v ON_ERROR_STOP=1 -d <database> -v app=espace_app -f docker/sql/privileges.sql
--
-- The default privileges of roles.sql give the application SELECT, INSERT, UPDATE, DELETE on
-- every table the migrations create. Re-granted here for tables created before they were set
-- (a database migrated under an older compose file), then narrowed on the journal: the
-- application appends events and never rewrites nor deletes one (DESIGN.md §5), so a stolen
-- application password cannot either, even with the append-only trigger dropped. Tables that
-- a later issue adds to the journal belong in the list below (the sealed checkpoints live in the
-- object storage, not in a table: docs/JOURNAL.md).
\set ON_ERROR_STOP on

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM :"app";

-- Journal events: read and append only.
REVOKE UPDATE, DELETE ON journal_evenement FROM :"app";
-- Chain heads: created and moved forward by each append, never deleted.
REVOKE DELETE ON journal_chainejournal FROM :"app";
