-- The database's roles (docs/DEPLOIEMENT.md): run ONCE, by a superuser, on a new database.
--
--   psql -v ON_ERROR_STOP=1 -d <database> -v dbname=<database> \
--        -v owner=espace_proprietaire -v owner_password=… \
--        -v app=espace_app -v app_password=… -f docker/sql/roles.sql
--
-- `owner` owns the database and its schema: it runs the migrations (the compose `migrate`
-- service) and nothing else. `app` is what web, worker and beat connect as: it reads and writes
-- rows, and can neither change the schema, nor TRUNCATE, nor own anything, nor grant. Neither
-- is a superuser. docker/sql/privileges.sql, run by `owner` after each migration, then narrows
-- `app` further on the journal (append-only).
\set ON_ERROR_STOP on

CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
CREATE ROLE :"app" LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;

ALTER DATABASE :"dbname" OWNER TO :"owner";
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"dbname" TO :"app";

-- The schema: the owner creates in it; the application only uses what is there.
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";

-- Every table and sequence the owner's migrations create: rows only, for the application.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
