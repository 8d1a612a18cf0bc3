"""What the second parent's and the carer's invitations share: the token (made by the e-mail's
job, only its SHA-256 kept), its 7 days, and the e-mail that carries the link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

M = TypeVar("M", bound=models.Model)

INVITATION_VALIDITE = timedelta(days=7)


def empreinte(jeton: str) -> str:
    """How an invitation keeps its token: its SHA-256, in hex."""
    return hashlib.sha256(jeton.encode()).hexdigest()


def jeton_renouveler(
    attendues: models.QuerySet[M], *, pk: int, expiration: str
) -> tuple[M, str] | None:
    """A new token for the invitation ``pk`` among ``attendues`` (the ones still waiting), its
    hash kept and its ``expiration`` field set 7 days ahead, under a row lock; ``None`` when
    the invitation was answered or cancelled meanwhile. The old link stops working."""
    jeton = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = attendues.select_for_update(of=("self",)).filter(pk=pk).first()
        if invitation is None:
            return None
        invitation.jeton_empreinte = empreinte(jeton)  # type: ignore[attr-defined]
        setattr(invitation, expiration, timezone.now() + INVITATION_VALIDITE)
        invitation.save(update_fields=["jeton_empreinte", expiration])
    return invitation, jeton


def lien_envoyer(
    *, adresse: str, sujet: str, gabarit: str, contexte: dict[str, Any], vue: str, jeton: str
) -> None:
    """E-mail the invitation's link (the page ``vue`` of the token) to ``adresse``."""
    lien = settings.SITE_URL.rstrip("/") + reverse(vue, args=[jeton])
    send_mail(
        subject=sujet,
        message=render_to_string(gabarit, {**contexte, "lien": lien}),
        from_email=None,
        recipient_list=[adresse],
    )
