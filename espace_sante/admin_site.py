"""The operators' admin: allauth login (second factor required), staff only."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class EspaceSanteAdminSite(admin.AdminSite):
    site_header = _("Espace Santé — opérateurs")
    site_title = _("Espace Santé — opérateurs")
    index_title = _("Gestion des espaces")
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        )

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        parent = super().login
        return secure_admin_login(parent)(request, extra_context)


class SansAjoutNiSuppression:
    """Rows that come from the portal's own processes: an operator neither creates nor deletes
    them in the admin (put before ``admin.ModelAdmin`` in the bases)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LectureSeule(SansAjoutNiSuppression):
    """Shown to operators, never changed by them."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
