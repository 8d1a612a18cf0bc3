"""Operators verify professionals and edit the habilitation matrix; every change is journaled.
Operators never see the patients' grants or emergency reasons here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from dossier.types import TYPES
from espace_sante.admin_site import LectureSeule, SansAjoutNiSuppression
from espace_sante.lib.formulations import compte
from espace_sante.lib.http import client_ip

from . import services
from .models import Habilitation, Professionnel, RevendicationRpps, StatutProfessionnel
from .nomenclature import SPECIALITES, Profession, Specialite

CHAMPS_PRO = (
    "uuid",
    "nom",
    "email",
    "rpps",
    "profession",
    "specialite",
    "lieu_nom",
    "lieu_code_postal",
    "lieu_ville",
    "statut",
    "regulation",
    "cree_le",
    "verifie_le",
    "verifie_par",
)


CHAMPS_REVENDICATION = (
    "cree_le",
    "prenom",
    "nom",
    "email",
    "profession",
    "specialite",
    "lieu_nom",
    "lieu_code_postal",
    "lieu_ville",
    "ip",
)


class RevendicationsInline(LectureSeule, admin.TabularInline[RevendicationRpps, Professionnel]):
    """Later sign-ups with the same RPPS, shown on the account that holds it: the operator
    compares them before verifying anyone (docs/PROFESSIONNELS.md)."""

    model = RevendicationRpps
    fields = CHAMPS_REVENDICATION
    readonly_fields = CHAMPS_REVENDICATION
    extra = 0
    verbose_name_plural = _("Autres demandes d'inscription avec ce numéro RPPS")


@admin.register(RevendicationRpps)
class RevendicationRppsAdmin(LectureSeule, admin.ModelAdmin[RevendicationRpps]):
    list_display = ["cree_le", "rpps", "nom", "prenom", "email", "lieu_ville", "titulaire"]
    search_fields = ["=professionnel__rpps", "nom", "email"]
    list_select_related = ["professionnel__utilisateur"]
    fields = ("professionnel", *CHAMPS_REVENDICATION)
    readonly_fields = fields

    @admin.display(description=_("Numéro RPPS"), ordering="professionnel__rpps")
    def rpps(self, obj: RevendicationRpps) -> str:
        return obj.professionnel.rpps

    @admin.display(description=_("Compte qui détient le numéro"))
    def titulaire(self, obj: RevendicationRpps) -> str:
        pro = obj.professionnel
        return f"{pro.nom_affiche} — {pro.utilisateur.email} ({pro.get_statut_display()})"


@admin.register(Professionnel)
class ProfessionnelAdmin(SansAjoutNiSuppression, admin.ModelAdmin[Professionnel]):
    inlines = [RevendicationsInline]
    list_display = [
        "nom",
        "rpps",
        "profession",
        "specialite",
        "lieu_ville",
        "statut",
        "cree_le",
        "autres_demandes",
    ]
    list_filter = ["statut", "profession", "regulation"]
    search_fields = ["=rpps", "utilisateur__nom", "utilisateur__prenom", "lieu_ville"]
    list_select_related = ["utilisateur"]
    fields = CHAMPS_PRO
    readonly_fields = tuple(c for c in CHAMPS_PRO if c != "regulation")
    actions = ["action_verifier", "action_suspendre", "action_refuser"]

    @admin.display(description=_("Nom"), ordering="utilisateur__nom")
    def nom(self, obj: Professionnel) -> str:
        return obj.nom_affiche

    @admin.display(description=_("E-mail"))
    def email(self, obj: Professionnel) -> str:
        return str(obj.utilisateur.email)

    @admin.display(description=_("Autres demandes pour ce RPPS"))
    def autres_demandes(self, obj: Professionnel) -> int:
        return int(getattr(obj, "nb_revendications", 0))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Professionnel]:
        return super().get_queryset(request).annotate(nb_revendications=Count("revendications"))

    def _statuer(
        self, request: HttpRequest, queryset: QuerySet[Professionnel], statut: StatutProfessionnel
    ) -> HttpResponse | None:
        titre = str(statut.label)
        if "confirmer" in request.POST:
            faits = 0
            for professionnel in queryset.select_related("utilisateur"):
                services.professionnel_statuer(
                    operateur=request.user,  # type: ignore[arg-type]
                    professionnel=professionnel,
                    statut=statut,
                    ip=client_ip(request),
                )
                faits += 1
            self.message_user(
                request,
                f"{titre} : {compte(faits, 'professionnel traité', 'professionnels traités')}.",
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/professionnels/confirmer.html",
            {
                **self.admin_site.each_context(request),
                "titre": titre,
                "professionnels": queryset.select_related("utilisateur"),
                "action": request.POST.get("action"),
                "selection": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Vérifier (RPPS et lieu d'exercice contrôlés)"))
    def action_verifier(self, request: HttpRequest, queryset: QuerySet[Professionnel]) -> Any:
        return self._statuer(request, queryset, StatutProfessionnel.VERIFIE)

    @admin.action(description=_("Suspendre"))
    def action_suspendre(self, request: HttpRequest, queryset: QuerySet[Professionnel]) -> Any:
        return self._statuer(request, queryset, StatutProfessionnel.SUSPENDU)

    @admin.action(description=_("Refuser l'inscription"))
    def action_refuser(self, request: HttpRequest, queryset: QuerySet[Professionnel]) -> Any:
        return self._statuer(request, queryset, StatutProfessionnel.REFUSE)


class HabilitationForm(forms.ModelForm[Habilitation]):
    """A new cell: the specialty is a médecin's RPPS code (JDV_J01) or ``*``."""

    class Meta:
        model = Habilitation
        fields = ["profession", "specialite", "type_code", "lecture"]

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        specialite = donnees.get("specialite") or Habilitation.TOUTES_SPECIALITES
        donnees["specialite"] = specialite
        if specialite != Habilitation.TOUTES_SPECIALITES and (
            donnees.get("profession") != Profession.MEDECIN or specialite not in Specialite.values
        ):
            self.add_error("specialite", _("Cette spécialité n'existe pas pour cette profession."))
        return donnees


@admin.register(Habilitation)
class HabilitationAdmin(admin.ModelAdmin[Habilitation]):
    """The matrix, one cell per row: operators tick or untick "peut lire" in the list. They add
    a specialty's cells where it reads otherwise than its profession, and remove them; the
    professions' own cells are never added to nor removed from here but by the seed."""

    list_display = ["profession", "specialite_affichee", "type_code", "libelle", "lecture"]
    list_display_links = ["type_code"]
    list_editable = ["lecture"]
    list_filter = ["profession", "specialite", "lecture"]
    search_fields = ["type_code", "specialite"]
    list_per_page = 100
    form = HabilitationForm
    actions: list[Any] = []  # no bulk deletion: each removal is journaled by the service

    def get_fields(self, request: HttpRequest, obj: Habilitation | None = None) -> Any:
        if obj is None:
            return ["profession", "specialite", "type_code", "lecture"]
        return ["profession", "specialite", "type_code", "lecture", "modifie_le"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Habilitation | None = None
    ) -> list[str]:
        return [] if obj is None else ["profession", "specialite", "type_code", "modifie_le"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (
            isinstance(obj, Habilitation)
            and obj.specialite != Habilitation.TOUTES_SPECIALITES
            and super().has_delete_permission(request, obj)
        )

    @admin.display(description=_("Spécialité"), ordering="specialite")
    def specialite_affichee(self, obj: Habilitation) -> str:
        if obj.specialite == Habilitation.TOUTES_SPECIALITES:
            return str(_("Toute la profession"))
        return f"{SPECIALITES.get(obj.specialite, obj.specialite)} ({obj.specialite})"

    @admin.display(description=_("Type de document"))
    def libelle(self, obj: Habilitation) -> str:
        if obj.type_code == Habilitation.TOUS_LES_AUTRES:
            return str(_("Tout type absent de la matrice"))
        connu = TYPES.get(obj.type_code)
        return connu.libelle if connu else obj.type_code

    def save_model(self, request: HttpRequest, obj: Habilitation, form: Any, change: bool) -> None:
        if change:
            services.habilitation_modifier(
                operateur=request.user,  # type: ignore[arg-type]
                habilitation=obj,
                lecture=obj.lecture,
                ip=client_ip(request),
            )
            return
        cree = services.habilitation_ajouter(
            operateur=request.user,  # type: ignore[arg-type]
            profession=obj.profession,
            specialite=obj.specialite,
            type_code=obj.type_code,
            lecture=obj.lecture,
            ip=client_ip(request),
        )
        obj.pk = cree.pk

    def delete_model(self, request: HttpRequest, obj: Habilitation) -> None:
        services.habilitation_supprimer(
            operateur=request.user,  # type: ignore[arg-type]
            habilitation=obj,
            ip=client_ip(request),
        )
