"""At login, remember in the session whether the account has a professional's workspace (the
header then links to it from every page) and, for a professional, whether it also acts for a
space (the workspace's menu then links back to it): a person who is both a patient and a
professional reaches both, without a query per page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from espace_sante.acces import espaces_accessibles
from espace_sante.comptes.models import Utilisateur

from .context_processors import SESSION_COMPTE_PATIENT, SESSION_COMPTE_PRO
from .models import Professionnel


@receiver(user_logged_in)
def _compte_professionnel(
    sender: Any, request: HttpRequest | None, user: Utilisateur, **kwargs: Any
) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if Professionnel.objects.filter(utilisateur=user).exists():
        request.session[SESSION_COMPTE_PRO] = True
        request.session[SESSION_COMPTE_PATIENT] = bool(espaces_accessibles(utilisateur=user))
    else:
        request.session.pop(SESSION_COMPTE_PRO, None)
        request.session.pop(SESSION_COMPTE_PATIENT, None)
