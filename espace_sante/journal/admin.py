from __future__ import annotations

from django.contrib import admin

from espace_sante.admin_site import LectureSeule

from .models import Evenement


@admin.register(Evenement)
class EvenementAdmin(LectureSeule, admin.ModelAdmin[Evenement]):
    """Read-only: events carry no health content; nobody may change or delete them."""

    list_display = ["horodatage", "action", "acteur_type", "acteur_nom", "espace_uuid", "chaine"]
    list_filter = ["action", "acteur_type"]
    search_fields = ["=espace_uuid", "=acteur_id", "=objet_id"]
    date_hierarchy = "horodatage"
    show_full_result_count = False
