"""The second parent's job: a thin wrapper over ``proches.parents`` (imported by
``proches/tasks.py`` so that workers find it)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from espace_sante.lib.taches import PANNES

from .parents import invitation_envoyer


@shared_task(
    name="proches.tasks_parents.invitation_parent_envoyer",
    acks_late=True,
    autoretry_for=(SMTPException, *PANNES),
    retry_backoff=True,
    max_retries=6,
)
def invitation_parent_envoyer(invitation_id: int) -> bool:
    """Make the invitation's token, keep its hash and e-mail the link, in one step."""
    return invitation_envoyer(invitation_id=invitation_id)
