from __future__ import annotations

from typing import Any

from allauth.account.signals import password_reset
from allauth.mfa.signals import authenticator_removed
from django.dispatch import receiver
from django.http import HttpRequest

from .connexion import compte_oublier


@receiver(authenticator_removed)
def _forget_second_factor(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    request.session.pop("mfa_ok", None)


@receiver(password_reset)
def _forget_failed_logins(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """A reset proves the mailbox: the account's slow-down (connexion.py) starts afresh."""
    compte_oublier(user.email)
