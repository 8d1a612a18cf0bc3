#!/bin/sh
# PostgreSQL image's first start only (/docker-entrypoint-initdb.d): the owner and application
# roles of docker/sql/roles.sql, with their passwords from the environment.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v dbname="$POSTGRES_DB" \
    -v owner=espace_proprietaire -v owner_password="$DB_OWNER_PASSWORD" \
    -v app=espace_app -v app_password="$DB_APP_PASSWORD" \
    -f /espace-sql/roles.sql
