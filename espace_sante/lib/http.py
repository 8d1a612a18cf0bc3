from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting only as many X-Forwarded-For hops as configured."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        chaine = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chaine = [part for part in chaine if part]
        if len(chaine) >= proxies:
            return chaine[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def ratelimit_ip(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def ecrit(request: HttpRequest) -> bool:
    """Whether the request changes something (what a read-only carer may not do)."""
    return request.method not in ("GET", "HEAD", "OPTIONS")
