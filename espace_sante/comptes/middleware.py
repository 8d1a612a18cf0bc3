"""Every logged-in person must have a second factor (an authenticator app or a passkey) before
reaching anything else; the set-up page offers both."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

# Recovery codes are a way back in, not a factor of their own.
SECONDS_FACTEURS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
_ALLOWED_PREFIXES = ("/comptes/", "/static/", "/activation/")


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not request.session.get("mfa_ok")
        ):
            if not Authenticator.objects.filter(user=user, type__in=SECONDS_FACTEURS).exists():
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
            request.session["mfa_ok"] = True
        return self.get_response(request)
