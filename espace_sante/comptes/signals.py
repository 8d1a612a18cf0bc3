from __future__ import annotations

from typing import Any

from allauth.mfa.signals import authenticator_removed
from django.dispatch import receiver
from django.http import HttpRequest


@receiver(authenticator_removed)
def _forget_second_factor(sender: Any, request: HttpRequest, **kwargs: Any) -> None:
    request.session.pop("mfa_ok", None)
