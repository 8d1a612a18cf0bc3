# The two commands of the contract: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test install lint layers typecheck migrations-check check-deploy pytest worker clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# Static files as in production: hashed names, gzip copies, a year's cache (settings.py).
run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	STATIC_MANIFESTE=1 $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	STATIC_MANIFESTE=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The layer contract (.importlinter; docs/ARCHITECTURE.md).
layers: install
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy espace_sante dossier profil professionnels messagerie agenda proches ensemble interop aide

migrations-check: install
	env -u DATABASE_URL $(BIN)/python manage.py makemigrations --check --dry-run

# Production settings must pass Django's deployment checklist with no warning at all.
check-deploy: install
	env -u DATABASE_URL DJANGO_ENV=production \
	  SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  ENCRYPTION_KEYS="check:$$($(BIN)/python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
	  JOURNAL_SEAL_KEYS="check:$$($(BIN)/python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
	  ALLOWED_HOSTS=espace-sante.example REDIS_URL=redis://127.0.0.1:6379/0 \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint layers typecheck migrations-check check-deploy pytest

worker: install
	$(BIN)/celery -A espace_sante worker -B --loglevel INFO

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
