"""The operators' admin of protection measures (tutelle, curatelle).

An operator records a court's measure (the protected adult's space, the person in charge's own
space found by name or INS, the decision's reference, the dates) and may end it. Every change
goes through ``proches.protection``, which checks it and journals it with the operator as
actor. Operators read names and dates only: nothing of the space's health content.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_sante.journal.models import TypeActeur
from espace_sante.journal.services import Acteur
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.formulations import compte
from espace_sante.lib.http import client_ip
from profil.models import MesureProtection, TypeProtection

from . import protection

CHAMPS_SAISIS = ("espace", "type", "responsable", "decision_justice", "debut", "fin")
CHAMPS_LUS = (
    "espace",
    "type",
    "responsable",
    "decision_justice",
    "debut",
    "fin",
    "motif_fin",
    "acceptee_le",
    "refusee_le",
    "enregistree_le",
)


def _operateur(request: HttpRequest) -> Acteur:
    return Acteur.pour_utilisateur(request.user, TypeActeur.OPERATEUR)


class MesureProtectionForm(forms.ModelForm[MesureProtection]):
    """The measure as the court decided it: checked by ``proches.protection`` before saving."""

    class Meta:
        model = MesureProtection
        fields = CHAMPS_SAISIS
        widgets = {
            "debut": forms.DateInput(attrs={"type": "date"}),
            "fin": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "espace": _("L'espace de l'adulte protégé : cherchez par nom ou par INS."),
            "responsable": _(
                "L'espace du tuteur ou du curateur (activé) : cherchez par nom ou par INS."
            ),
            "decision_justice": _("La juridiction, la date et le numéro du jugement."),
            "fin": _("Laissez vide si le jugement ne fixe pas de terme."),
        }

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        espace, responsable, debut = (
            donnees.get("espace"),
            donnees.get("responsable"),
            donnees.get("debut"),
        )
        if espace is not None and responsable is not None and debut is not None:
            try:
                protection.protection_verifier(
                    espace=espace, responsable=responsable, debut=debut, fin=donnees.get("fin")
                )
            except Refus as refus:
                raise ValidationError(refus.message) from refus
        return donnees


class FinMesureForm(forms.Form):
    le = forms.DateField(
        label=_("La mesure prend fin le"),
        help_text=_("Dès ce jour, la personne chargée de la mesure n'a plus accès à l'espace."),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=timezone.localdate,
    )
    motif = forms.CharField(label=_("Motif (mainlevée, décision de justice…)"), max_length=200)


@admin.register(MesureProtection)
class MesureProtectionAdmin(admin.ModelAdmin[MesureProtection]):
    form = MesureProtectionForm
    list_display = ("personne_protegee", "type", "personne_chargee", "debut", "fin", "etat")
    list_filter = ("type",)
    search_fields = (
        "=espace__ins",
        "espace__nom_naissance",
        "espace__nom_utilise",
        "=responsable__ins",
        "responsable__nom_naissance",
        "responsable__nom_utilise",
    )
    autocomplete_fields = ("espace", "responsable")
    list_per_page = 50
    show_full_result_count = False
    actions = ["action_terminer"]

    @admin.display(description=_("personne protégée"), ordering="espace__nom_naissance")
    def personne_protegee(self, mesure: MesureProtection) -> str:
        return f"{mesure.espace.nom_naissance} {mesure.espace.prenoms}"

    @admin.display(description=_("personne chargée de la mesure"))
    def personne_chargee(self, mesure: MesureProtection) -> str:
        return f"{mesure.responsable.nom_naissance} {mesure.responsable.prenoms}"

    @admin.display(description=_("état"))
    def etat(self, mesure: MesureProtection) -> str:
        if mesure.motif_fin or not protection.en_cours_ou_a_venir(mesure):
            return str(_("terminée"))
        if mesure.type == TypeProtection.CURATELLE:
            if mesure.refusee_le is not None:
                return str(_("accès du curateur refusé"))
            if mesure.acceptee_le is None:
                return str(_("en attente de l'accord de la personne"))
            return str(_("accès du curateur accepté"))
        return str(_("en vigueur") if mesure.en_vigueur() else _("à venir"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[MesureProtection]:
        return super().get_queryset(request).select_related("espace", "responsable")

    def get_fields(self, request: HttpRequest, obj: MesureProtection | None = None) -> Any:
        return CHAMPS_SAISIS if obj is None else CHAMPS_LUS

    def get_readonly_fields(self, request: HttpRequest, obj: MesureProtection | None = None) -> Any:
        # A recorded measure changes only through its actions (ending it): read only.
        return () if obj is None else CHAMPS_LUS

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: MesureProtection, form: Any, change: bool
    ) -> None:
        if change:  # every field is read only once recorded: nothing to save
            return
        mesure = protection.protection_enregistrer(
            espace=obj.espace,
            type=obj.type,
            responsable=obj.responsable,
            decision_justice=obj.decision_justice,
            debut=obj.debut,
            fin=obj.fin,
            acteur=_operateur(request),
            ip=client_ip(request),
        )
        obj.pk, obj.enregistree_le = mesure.pk, mesure.enregistree_le

    @admin.action(description=_("Mettre fin à la mesure"), permissions=["change"])
    def action_terminer(
        self, request: HttpRequest, queryset: QuerySet[MesureProtection]
    ) -> HttpResponse | None:
        form = FinMesureForm(request.POST if "confirmer" in request.POST else None)
        if "confirmer" in request.POST and form.is_valid():
            acteur, ip = _operateur(request), client_ip(request)
            faites = 0
            for mesure in queryset:
                try:
                    protection.protection_terminer(
                        mesure=mesure,
                        le=form.cleaned_data["le"],
                        motif=form.cleaned_data["motif"],
                        acteur=acteur,
                        ip=ip,
                    )
                except Refus as refus:
                    self.message_user(
                        request,
                        f"Refusé — {self.personne_protegee(mesure)} : {refus.message}",
                        messages.ERROR,
                    )
                else:
                    faites += 1
            if faites:
                self.message_user(
                    request,
                    f"Fin de mesure : {compte(faites, 'mesure terminée', 'mesures terminées')}.",
                    messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/profil/mesureprotection/terminer.html",
            {
                **self.admin_site.each_context(request),
                "titre": _("Mettre fin à la mesure"),
                "mesures": queryset,
                "form": form,
                "action": request.POST.get("action"),
                "selection": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )
