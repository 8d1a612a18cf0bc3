from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are only created by activating a space (or by an operator): no open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
