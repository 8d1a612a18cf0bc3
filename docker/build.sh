#!/bin/sh
# The image's build step (Dockerfile), also run by tests/test_image.py on a copy of the image's
# file layout: collects the static files into $STATIC_ROOT, the folder the runtime serves them
# from (WhiteNoise, with the manifest of hashed names that every page's {% static %} needs).
#
#   STATIC_ROOT=/app/staticfiles [PYTHON=python] docker/build.sh
#
# The production settings need secrets to load: throw-away ones, valid only for this command,
# with a scratch VAR_DIR and no database (collectstatic touches none).
set -eu
: "${STATIC_ROOT:?STATIC_ROOT names the folder the runtime serves static files from}"
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
env -u DATABASE_URL -u S3_BUCKET -u SECRET_KEY_FILE -u ENCRYPTION_KEYS_FILE -u JOURNAL_SEAL_KEYS_FILE \
    DJANGO_ENV=production \
    SECRET_KEY=build-only-secret-key-not-used-at-runtime-0123456789abcdef \
    ALLOWED_HOSTS=build \
    ENCRYPTION_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    ENCRYPTION_ACTIVE_KEY= \
    JOURNAL_SEAL_KEYS=build:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    JOURNAL_SEAL_ACTIVE_KEY= \
    REDIS_URL=redis://build:6379/0 \
    VAR_DIR="$scratch" \
    "${PYTHON:-python}" manage.py collectstatic --noinput --verbosity 0
# Without its manifest, every page answers 500: fail the build instead.
test -s "$STATIC_ROOT/staticfiles.json" || {
    echo "no static files manifest in $STATIC_ROOT: do the settings read STATIC_ROOT?" >&2
    exit 1
}
echo "static files collected into $STATIC_ROOT"
