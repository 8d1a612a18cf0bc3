"""The operator follows the outbox: what waits, since when, how many tries (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import TacheEnAttente


@admin.register(TacheEnAttente)
class TacheEnAttenteAdmin(admin.ModelAdmin[TacheEnAttente]):
    list_display = ("tache", "objet_type", "cree_le", "envoyee_le", "essais", "derniere_erreur")
    list_filter = ("tache", ("envoyee_le", admin.EmptyFieldListFilter))
    date_hierarchy = "cree_le"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
