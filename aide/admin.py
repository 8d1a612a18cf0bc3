"""Operators edit the questions of the help centre and handle the contact tickets."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_sante.admin_site import SansAjoutNiSuppression

from . import services
from .models import DemandeContact, QuestionFrequente, Statut


@admin.register(QuestionFrequente)
class QuestionFrequenteAdmin(admin.ModelAdmin[QuestionFrequente]):
    list_display = ("question", "theme", "ordre", "publiee")
    list_editable = ("ordre", "publiee")
    list_filter = ("theme", "publiee")
    search_fields = ("question",)


@admin.register(DemandeContact)
class DemandeContactAdmin(SansAjoutNiSuppression, admin.ModelAdmin[DemandeContact]):
    list_display = ("numero", "categorie", "statut", "email", "cree_le", "resolue_le")
    list_filter = ("statut", "categorie")
    search_fields = ("email",)
    date_hierarchy = "cree_le"
    fields = (
        "categorie",
        "email",
        "utilisateur",
        "message",
        "statut",
        "notes_operateur",
        "cree_le",
        "modifiee_le",
        "resolue_le",
    )
    readonly_fields = (
        "categorie",
        "email",
        "utilisateur",
        "message",
        "cree_le",
        "modifiee_le",
        "resolue_le",
    )
    actions = ("marquer_en_cours", "marquer_resolue")

    @admin.display(description=_("numéro"), ordering="pk")
    def numero(self, obj: DemandeContact) -> str:
        return obj.numero

    def save_model(
        self, request: HttpRequest, obj: DemandeContact, form: object, change: bool
    ) -> None:
        if obj.statut == Statut.RESOLUE and obj.resolue_le is None:
            obj.resolue_le = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Marquer en cours"))
    def marquer_en_cours(self, request: HttpRequest, queryset: QuerySet[DemandeContact]) -> None:
        n = services.demandes_statut_changer(demandes=queryset, statut=Statut.EN_COURS)
        messages.success(request, _("Demandes passées en cours : %(n)d.") % {"n": n})

    @admin.action(description=_("Marquer résolue"))
    def marquer_resolue(self, request: HttpRequest, queryset: QuerySet[DemandeContact]) -> None:
        n = services.demandes_statut_changer(demandes=queryset, statut=Statut.RESOLUE)
        messages.success(request, _("Demandes résolues : %(n)d.") % {"n": n})
