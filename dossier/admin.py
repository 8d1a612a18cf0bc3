"""Operators follow the reimbursement sync here: each space's cursor and last failure, and the
lines put in quarantine (their reason and insurer id, never their content: it stays encrypted,
operators do not read health content — DESIGN.md §1)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from espace_sante.admin_site import SansAjoutNiSuppression
from espace_sante.taches.services import tache_programmer

from .models import LigneQuarantaine, SynchroRemboursements


@admin.register(SynchroRemboursements)
class SynchroRemboursementsAdmin(SansAjoutNiSuppression, admin.ModelAdmin[SynchroRemboursements]):
    list_display = (
        "espace_uuid",
        "derniere_reussite",
        "lignes_recues",
        "lignes_quarantaine",
        "echecs_consecutifs",
        "derniere_erreur",
    )
    list_filter = ("echecs_consecutifs",)
    search_fields = ("espace__uuid",)
    ordering = ("-echecs_consecutifs", "derniere_reussite")
    readonly_fields = (
        "espace_uuid",
        "curseur",
        "lignes_recues",
        "lignes_quarantaine",
        "programmee_le",
        "debut_derniere",
        "derniere_reussite",
        "echecs_consecutifs",
        "derniere_erreur",
    )
    fields = readonly_fields
    actions = ["relancer", "reprendre_depuis_le_debut"]

    @admin.display(description=_("espace"))
    def espace_uuid(self, synchro: SynchroRemboursements) -> str:
        return str(synchro.espace.uuid)

    def get_queryset(self, request: HttpRequest) -> QuerySet[SynchroRemboursements]:
        return super().get_queryset(request).select_related("espace")

    def _programmer(self, espaces: list[int]) -> None:
        with transaction.atomic():
            for pk in espaces:
                tache_programmer("dossier.tasks.remboursements_synchroniser", pk)

    @admin.action(description=_("Relancer la synchronisation"), permissions=["change"])
    def relancer(self, request: HttpRequest, queryset: QuerySet[SynchroRemboursements]) -> None:
        self._programmer(list(queryset.values_list("espace_id", flat=True)))
        messages.success(request, _("Synchronisation programmée."))

    @admin.action(description=_("Reprendre depuis le début (sans doublon)"), permissions=["change"])
    def reprendre_depuis_le_debut(
        self, request: HttpRequest, queryset: QuerySet[SynchroRemboursements]
    ) -> None:
        espaces = list(queryset.values_list("espace_id", flat=True))
        queryset.update(curseur="")
        self._programmer(espaces)
        messages.success(request, _("Synchronisation complète programmée."))


@admin.register(LigneQuarantaine)
class LigneQuarantaineAdmin(admin.ModelAdmin[LigneQuarantaine]):
    list_display = ("recue_le", "espace_uuid", "motif", "identifiant", "traitee")
    list_filter = ("traitee", "motif")
    search_fields = ("identifiant", "espace__uuid")
    date_hierarchy = "recue_le"
    readonly_fields = ("espace_uuid", "identifiant", "motif", "curseur", "empreinte", "recue_le")
    fields = (*readonly_fields, "traitee")
    actions = ["marquer_traitees"]

    @admin.display(description=_("espace"))
    def espace_uuid(self, ligne: LigneQuarantaine) -> str:
        return str(ligne.espace.uuid)

    def get_queryset(self, request: HttpRequest) -> QuerySet[LigneQuarantaine]:
        # ``contenu`` (encrypted, possibly health data) is never read here.
        return super().get_queryset(request).select_related("espace").defer("contenu")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Marquer comme traitées"), permissions=["change"])
    def marquer_traitees(self, request: HttpRequest, queryset: QuerySet[LigneQuarantaine]) -> None:
        n = queryset.update(traitee=True)
        messages.success(
            request,
            ngettext("%(n)s ligne marquée traitée.", "%(n)s lignes marquées traitées.", n)
            % {"n": n},
        )
