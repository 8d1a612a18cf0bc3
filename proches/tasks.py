"""The proches' jobs: thin wrappers over the services (docs/ARCHITECTURE.md, "Jobs")."""

from __future__ import annotations

from . import tasks_parents  # noqa: F401
