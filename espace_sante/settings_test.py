"""Settings for the test suite, chosen by the test runner (pyproject.toml: pytest-django's
``DJANGO_SETTINGS_MODULE``): the settings of every environment, plus what only tests want.
The production settings never look for a test runner."""

from __future__ import annotations

from espace_sante.settings import *  # noqa: F403
from espace_sante.settings import INSTALLED_APPS, env

DEBUG = env.bool("DEBUG", default=False)
# Models that exist only for the tests of shared infrastructure (the vault).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.appli_test"]
# Fast and insecure: test accounts only.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
