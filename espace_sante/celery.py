"""The Celery application. Tasks are thin wrappers that call one service with ids.

Every worker checks its database connections before each task and keeps the messages it holds
visible to itself only while it lives (``espace_sante.lib.taches``, docs/PLATFORM.md)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_prerun

from espace_sante.lib.taches import VisibiliteEntretenue, connexions_verifier

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "espace_sante.settings")

app = Celery("espace_sante")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.steps["consumer"].add(VisibiliteEntretenue)
task_prerun.connect(connexions_verifier, weak=False)
app.autodiscover_tasks()
