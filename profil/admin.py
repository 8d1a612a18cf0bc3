"""The operators' pages: identity and life cycle of spaces, never health content.

Every change goes through a service, which journals it with the operator as actor. Actions
work on one or several selected spaces and always ask for confirmation first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from espace_sante.admin_site import LectureSeule
from espace_sante.coffre.televersement import (
    FichierChiffre,
    televersement_ouvrir,
    vue_de_televersement,
)
from espace_sante.journal.models import Action, TypeActeur
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.formulations import compte
from espace_sante.lib.http import client_ip
from espace_sante.lib.identifiants import OIDS_INS_NIR, masquer_nir, valider_nir

from . import csv_assures, representations, services
from .models import Espace, ExportDonnees, Representation, Sexe, Statut


def _operateur(request: HttpRequest) -> Acteur:
    return Acteur.pour_utilisateur(request.user, TypeActeur.OPERATEUR)


CHAMPS_ESPACE: tuple[str, ...] = (
    "uuid",
    "ins",
    "ins_oid",
    "nom_naissance",
    "prenoms",
    "nom_utilise",
    "date_naissance",
    "sexe",
    "statut",
    "cree_le",
    "active_le",
    "oppose_le",
    "cloture_le",
    "purge_apres",
    "suppression_demandee_le",
    "suppression_avant",
    "deces_le",
    "suspendu_le",
    "motif_suspension",
)


class MotifForm(forms.Form):
    motif = forms.CharField(label=_("Motif de la suspension"), max_length=200)


class DecesForm(forms.Form):
    date_deces = forms.DateField(
        label=_("Date du décès"), widget=forms.DateInput(attrs={"type": "date"})
    )


class PrecreationForm(forms.Form):
    ins = forms.CharField(label=_("Matricule INS (NIR, 15 caractères)"), max_length=25)
    ins_oid = forms.ChoiceField(
        label=_("Autorité INS"),
        choices=[(oid, f"{oid} ({nom})") for oid, nom in OIDS_INS_NIR.items()],
    )
    nom_naissance = forms.CharField(label=_("Nom de naissance"), max_length=100)
    prenoms = forms.CharField(label=_("Prénoms"), max_length=200)
    nom_utilise = forms.CharField(label=_("Nom utilisé"), max_length=100, required=False)
    date_naissance = forms.DateField(
        label=_("Date de naissance"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sexe = forms.ChoiceField(label=_("Sexe"), choices=Sexe.choices)
    ins_representant = forms.CharField(
        label=_("INS d'un représentant légal (pour un mineur)"), max_length=25, required=False
    )


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label=_("Fichier CSV des assurés"),
        help_text=_(
            "UTF-8, séparateur virgule ou point-virgule. Colonnes : ins, nom_naissance, prenoms, "
            "date_naissance, sexe ; facultatives : nom_utilise, ins_oid, ins_representant."
        ),
    )


def _lien_decision(representation: Representation) -> str:
    """The link to end a running representation on a court decision (nothing once ended)."""
    if representation.pk is None or representation.fin is not None:
        return ""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:profil_representation_decision", args=[representation.pk]),
        _("Mettre fin sur décision de justice"),
    )


class RepresentationInline(admin.TabularInline[Representation, Espace]):
    model = Representation
    fk_name = "espace"
    fields = ("representant", "lien", "debut", "fin", "motif_fin", "decision_justice", "fin_action")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("profil.view_espace")

    @admin.display(description=_("décision de justice"))
    def fin_action(self, obj: Representation) -> str:
        return _lien_decision(obj)


@admin.register(Espace)
class EspaceAdmin(LectureSeule, admin.ModelAdmin[Espace]):
    list_display = ["nom_complet", "ins_masque", "date_naissance", "statut", "cree_le"]
    list_filter = ["statut", "sexe"]
    search_fields = ["=ins", "nom_naissance", "nom_utilise", "prenoms"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [RepresentationInline]
    fields = CHAMPS_ESPACE
    readonly_fields = CHAMPS_ESPACE
    actions = [
        "action_opposer",
        "action_cloturer",
        "action_rouvrir",
        "action_suspendre",
        "action_lever_suspension",
        "action_deces",
        "action_nouveau_code",
        "action_lever_opposition",
    ]

    @admin.display(description=_("INS"), ordering="ins")
    def ins_masque(self, obj: Espace) -> str:
        return masquer_nir(obj.ins)

    @admin.display(description=_("Nom"), ordering="nom_naissance")
    def nom_complet(self, obj: Espace) -> str:
        return f"{obj.nom_naissance} {obj.prenoms}"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("profil.add_espace")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("profil.add_espace"):
            return {}
        return actions

    # --- Confirmed actions ---------------------------------------------------------------------

    def _executer(
        self,
        request: HttpRequest,
        queryset: QuerySet[Espace],
        *,
        titre: str,
        operation: Callable[[Espace, dict[str, Any]], object],
        formulaire: type[forms.Form] | None = None,
    ) -> HttpResponse | None:
        donnees_form = request.POST if "confirmer" in request.POST else None
        form = formulaire(donnees_form) if formulaire else None
        if "confirmer" in request.POST and (form is None or form.is_valid()):
            faits, refus, codes = 0, [], []
            donnees = form.cleaned_data if form is not None else {}
            for espace in queryset:
                try:
                    resultat = operation(espace, donnees)
                except services.Refus as erreur:
                    refus.append(f"{espace.nom_naissance} {espace.prenoms} : {erreur.message}")
                    continue
                faits += 1
                if isinstance(resultat, str):
                    codes.append((espace, resultat))
            if faits:
                self.message_user(
                    request,
                    f"{titre} : {compte(faits, 'espace traité', 'espaces traités')}.",
                    messages.SUCCESS,
                )
            for ligne in refus:
                self.message_user(request, f"Refusé — {ligne}", messages.ERROR)
            if codes:
                return TemplateResponse(
                    request,
                    "admin/profil/espace/codes.html",
                    {**self.admin_site.each_context(request), "titre": titre, "codes": codes},
                )
            return None
        return TemplateResponse(
            request,
            "admin/profil/espace/confirmer.html",
            {
                **self.admin_site.each_context(request),
                "titre": titre,
                "espaces": queryset,
                "form": form,
                "action": request.POST.get("action"),
                "selection": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Enregistrer une opposition"))
    def action_opposer(self, request: HttpRequest, queryset: QuerySet[Espace]) -> Any:
        acteur, ip = _operateur(request), client_ip(request)
        return self._executer(
            request,
            queryset,
            titre="Enregistrer une opposition",
            operation=lambda e, d: services.espace_opposer(
                espace=e, code=None, acteur=acteur, ip=ip
            ),
        )

    @admin.action(description=_("Clôturer l'espace"))
    def action_cloturer(self, request: HttpRequest, queryset: QuerySet[Espace]) -> Any:
        acteur, ip = _operateur(request), client_ip(request)
        return self._executer(
            request,
            queryset,
            titre="Clôturer",
            operation=lambda e, d: services.espace_cloturer(espace=e, acteur=acteur, ip=ip),
        )

    @admin.action(description=_("Rouvrir l'espace clôturé"))
    def action_rouvrir(self, request: HttpRequest, queryset: QuerySet[Espace]) -> Any:
        acteur, ip = _operateur(request), client_ip(request)
        return self._executer(
            request,
            queryset,
            titre="Rouvrir",
            operation=lambda e, d: services.espace_rouvrir(espace=e, acteur=acteur, ip=ip),
        )

    @admin.action(description=_("Suspendre"))
    def action_suspendre(self, request: HttpRequest, queryset: QuerySet[Espace]) -> Any:
        acteur, ip = _operateur(request), client_ip(request)
        return self._executer(
            request,
            queryset,
            titre="Suspendre",
            formulaire=MotifForm,
            operation=lambda e, d: services.espace_suspendre(
                espace=e, motif=d["motif"], acteur=acteur, ip=ip
            ),
        )

    @admin.action(description=_("Lever la suspension"))
    def action_lever_suspension(self, request: HttpRequest, queryset: QuerySet[Espace]) -> Any:
        acteur, ip = _operateur(request), client_ip(request)
        return self._executer(
            request,
            queryset,
            titre="Lever la suspension",
            operation=lambda e, d: services.espace_lever_suspension(espace=e, acteur=acteur, ip=ip),
        )

    @admin.action(description=_("Enregistrer un décès"))
    def action_deces(self, request: HttpRequest, queryset: QuerySet[Espace]) -> Any:
        acteur, ip = _operateur(request), client_ip(request)
        return self._executer(
            request,
            queryset,
            titre="Enregistrer un décès",
            formulaire=DecesForm,
            operation=lambda e, d: services.espace_enregistrer_deces(
                espace=e, date_deces=d["date_deces"], acteur=acteur, ip=ip
            ),
        )

    @admin.action(description=_("Émettre un nouveau code d'activation"))
    def action_nouveau_code(self, request: HttpRequest, queryset: QuerySet[Espace]) -> Any:
        acteur, ip = _operateur(request), client_ip(request)
        return self._executer(
            request,
            queryset,
            titre="Nouveau code d'activation",
            operation=lambda e, d: services.code_activation_renouveler(
                espace=e, acteur=acteur, ip=ip
            ),
        )

    @admin.action(description=_("Lever l'opposition (nouveau code)"))
    def action_lever_opposition(self, request: HttpRequest, queryset: QuerySet[Espace]) -> Any:
        acteur, ip = _operateur(request), client_ip(request)
        return self._executer(
            request,
            queryset,
            titre="Lever l'opposition",
            operation=lambda e, d: services.espace_lever_opposition(espace=e, acteur=acteur, ip=ip),
        )

    # --- Pre-creation, one by one or from the register -----------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "importer/",
                self.admin_site.admin_view(self.importer_view),
                name="profil_espace_importer",
            ),
            *super().get_urls(),
        ]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:profil_espace_changelist"))
        form = PrecreationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                representants = _representants(d["ins_representant"])
                espace, code = services.espace_precreer(
                    acteur=_operateur(request),
                    identite=services.Identite(
                        ins=d["ins"],
                        ins_oid=d["ins_oid"],
                        nom_naissance=d["nom_naissance"],
                        prenoms=d["prenoms"],
                        nom_utilise=d["nom_utilise"],
                        date_naissance=d["date_naissance"],
                        sexe=d["sexe"],
                    ),
                    representants=representants,
                    ip=client_ip(request),
                )
            except ValidationError as erreur:
                for message in csv_assures.messages_de(erreur):
                    form.add_error(None, message)
            except services.Refus as refus:
                form.add_error(None, refus.message)
            else:
                return TemplateResponse(
                    request,
                    "admin/profil/espace/codes.html",
                    {
                        **self.admin_site.each_context(request),
                        "titre": "Espace pré-créé",
                        "codes": [(espace, code)],
                    },
                )
        return TemplateResponse(
            request,
            "admin/profil/espace/precreer.html",
            {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta},
        )

    @vue_de_televersement
    def importer_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:profil_espace_changelist"))
        if request.method == "POST":
            televersement_ouvrir(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        rapport = None
        if request.method == "POST" and form.is_valid():
            fichier = form.cleaned_data["fichier"]
            try:
                rapport = _importer(request, fichier.read())
            except csv_assures.FichierInvalide as erreur:
                form.add_error("fichier", str(erreur))
            finally:
                if isinstance(fichier, FichierChiffre):
                    fichier.abandonner()  # the register extract is not kept once imported
        return TemplateResponse(
            request,
            "admin/profil/espace/importer.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "rapport": rapport,
                "opts": self.model._meta,
            },
        )


def _representants(ins: str) -> list[Espace]:
    if not ins:
        return []
    try:
        ins = valider_nir(ins)
    except ValidationError as erreur:
        raise services.Refus(f"INS du représentant : {erreur.messages[0]}") from erreur
    representant = Espace.objects.filter(ins=ins).first()
    if representant is None:
        raise services.Refus("Aucun espace pour l'INS du représentant légal.")
    return [representant]


def _importer(request: HttpRequest, contenu: bytes) -> dict[str, Any]:
    acteur, ip = _operateur(request), client_ip(request)
    crees: list[tuple[int, Espace, str]] = []
    rejets: list[tuple[int, list[str]]] = []
    for ligne in csv_assures.lire(contenu):
        if ligne.identite is None:
            rejets.append((ligne.numero, ligne.erreurs))
            continue
        try:
            representants = _representants(ligne.ins_representant)
            espace, code = services.espace_precreer(
                acteur=acteur, identite=ligne.identite, representants=representants, ip=ip
            )
        except ValidationError as erreur:
            rejets.append((ligne.numero, csv_assures.messages_de(erreur)))
        except services.Refus as refus:
            rejets.append((ligne.numero, [refus.message]))
        else:
            crees.append((ligne.numero, espace, code))
    evenement_enregistrer(
        action=Action.IMPORT_ASSURES,
        acteur=acteur,
        ip=ip,
        details={"crees": len(crees), "rejetes": len(rejets), "le": timezone.now().isoformat()},
    )
    return {"crees": crees, "rejets": rejets}


__all__ = ["EspaceAdmin", "Statut"]


@admin.register(ExportDonnees)
class ExportDonneesAdmin(LectureSeule, admin.ModelAdmin[ExportDonnees]):
    """Operators follow exports (state, size, dates) to help a person; they never download one:
    the archive is the person's alone (docs/EXPORT.md)."""

    list_display = ("uuid", "etat", "cree_le", "pret_le", "expire_le", "taille", "tentatives")
    list_filter = ("etat",)
    readonly_fields = (
        "uuid",
        "espace_uuid",
        "role",
        "etat",
        "taille",
        "nb_documents",
        "tentatives",
        "motif_echec",
        "cree_le",
        "commence_le",
        "pret_le",
        "expire_le",
        "telecharge_le",
    )
    fields = readonly_fields

    @admin.display(description=_("espace"))
    def espace_uuid(self, export: ExportDonnees) -> str:
        return str(export.espace.uuid)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExportDonnees]:
        return super().get_queryset(request).select_related("espace")


class DecisionJusticeForm(forms.Form):
    reference = forms.CharField(
        label=_("Référence de la décision (juridiction, numéro RG)"), max_length=150
    )
    date_decision = forms.DateField(
        label=_("Date de la décision"), widget=forms.DateInput(attrs={"type": "date"})
    )


@admin.register(Representation)
class RepresentationAdmin(LectureSeule, admin.ModelAdmin[Representation]):
    """The legal representatives of minors. A representative is removed only here, by an
    operator, on a court decision (docs/PROCHES.md, "The second parent"); the portal has no
    page for one parent to remove the other."""

    list_display = ("espace", "representant", "lien", "debut", "fin", "motif_fin", "fin_action")
    list_filter = ("lien", ("fin", admin.EmptyFieldListFilter))
    search_fields = (
        "espace__nom_naissance",
        "espace__nom_utilise",
        "representant__nom_naissance",
        "representant__nom_utilise",
    )
    list_per_page = 50
    show_full_result_count = False
    fields = ("espace", "representant", "lien", "debut", "fin", "motif_fin", "decision_justice")
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("profil.view_espace")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("profil.view_espace")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Representation]:
        return super().get_queryset(request).select_related("espace", "representant")

    @admin.display(description=_("décision de justice"))
    def fin_action(self, obj: Representation) -> str:
        return _lien_decision(obj) or obj.decision_justice

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/decision-justice/",
                self.admin_site.admin_view(self.decision_view),
                name="profil_representation_decision",
            ),
            *super().get_urls(),
        ]

    def decision_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """End one running representation on a court decision: its reference and date are
        asked, kept and journaled with the operator as actor; the removed person is told."""
        liste = reverse("admin:profil_representation_changelist")
        if not request.user.has_perm("profil.add_espace"):
            return HttpResponseRedirect(liste)
        representation = (
            Representation.objects.select_related("espace", "representant")
            .filter(pk=pk, fin__isnull=True)
            .first()
        )
        if representation is None:
            self.message_user(request, "Cette représentation est déjà terminée.", messages.ERROR)
            return HttpResponseRedirect(liste)
        form = DecisionJusticeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                representations.representation_terminer_sur_decision(
                    representation=representation,
                    reference=form.cleaned_data["reference"],
                    date_decision=form.cleaned_data["date_decision"],
                    acteur=_operateur(request),
                    ip=client_ip(request),
                )
            except services.Refus as refus:
                form.add_error(None, refus.message)
            else:
                self.message_user(
                    request,
                    f"La représentation de {representation.espace} par "
                    f"{representation.representant} est terminée (décision de justice).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(liste)
        return TemplateResponse(
            request,
            "proches/parents/admin_decision.html",
            {
                **self.admin_site.each_context(request),
                "titre": "Mettre fin sur décision de justice",
                "representation": representation,
                "form": form,
                "opts": self.model._meta,
            },
        )
