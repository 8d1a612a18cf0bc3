"""The proches' jobs: thin wrappers over the services (docs/ARCHITECTURE.md, "Jobs")."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from espace_sante.lib.taches import PANNES

from .aidants import invitation_envoyer


@shared_task(
    acks_late=True,
    autoretry_for=(SMTPException, *PANNES),
    retry_backoff=True,
    max_retries=6,
)
def invitation_aidant_envoyer(delegation_id: int) -> bool:
    """Make the invitation's token, keep its hash and e-mail the link, in one step."""
    return invitation_envoyer(delegation_id=delegation_id)


# The second parent's job lives in its own module; Celery discovers only ``tasks``.
from . import tasks_parents  # noqa: E402, F401
