"""The Celery application. Tasks are thin wrappers that call one service with ids."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "espace_sante.settings")

app = Celery("espace_sante")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
