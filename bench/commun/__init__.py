"""What several benches share (imported as ``commun``: each bench puts ``bench/`` on its path).

- ``environnement``: paths, the bench's keys, Django set up, SIGTERM turned into an exit;
- ``postgres``: the dedicated database, created (and dropped first when asked) then migrated;
- ``processus``: CPU seconds read from /proc, a free port, a child process stopped;
- ``espaces``: active spaces made in bulk (NIRs that pass the key check);
- ``travailleurs``: the benches with a real Celery worker (ingest, import, sync): their
  environment, a fresh database and Redis, the worker started, paused, resumed and stopped;
- ``resultats``: lab results on a space's documents (the pages bench's Résultats page);
- ``web``: the benches under gunicorn (pages, load): the bare view and its URLconf, gunicorn,
  the timed slices of requests and their percentiles.

Nothing is imported here: gunicorn's workers import ``commun.web`` alone.
"""
