from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Evenement


@admin.register(Evenement)
class EvenementAdmin(admin.ModelAdmin[Evenement]):
    """Read-only: events carry no health content; nobody may change or delete them."""

    list_display = ["horodatage", "action", "acteur_type", "acteur_nom", "espace_uuid", "chaine"]
    list_filter = ["action", "acteur_type"]
    search_fields = ["=espace_uuid", "=acteur_id", "=objet_id"]
    date_hierarchy = "horodatage"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
