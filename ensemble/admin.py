"""The operators' page to import a DMP archive into one space: the space's admin (``profil``)
with what needs ``dossier`` added here, above both (the same URLs and page as before)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from dossier.import_conflits import conflits_en_attente
from dossier.import_dmp import ETATS_ACCUEILLANTS, import_demander
from espace_sante.coffre.televersement import (
    TeleversementRefuse,
    fichier_televerse,
    televersement_ouvrir,
    vue_de_televersement,
)
from espace_sante.journal.models import TypeActeur
from espace_sante.journal.services import Acteur
from profil import admin as profil_admin
from profil.models import Espace


class EspaceAdmin(profil_admin.EspaceAdmin):
    """``profil``'s admin of spaces, and a link and a page to import a DMP archive."""

    fields = (*profil_admin.CHAMPS_ESPACE, "import_dmp")
    readonly_fields = (*profil_admin.CHAMPS_ESPACE, "import_dmp")

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:espace_id>/import-dmp/",
                self.admin_site.admin_view(self.import_dmp_view),
                name="profil_espace_import_dmp",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("Import du DMP"))
    def import_dmp(self, obj: Espace) -> str:
        url = reverse("admin:profil_espace_import_dmp", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Importer une archive du DMP"))

    @vue_de_televersement
    def import_dmp_view(self, request: HttpRequest, espace_id: int) -> HttpResponse:
        """An operator imports a DMP archive (IHE XDM) into one space, through the same job as
        the holder's; the page lists the space's imports by state and counts (conflicts
        included, which only the holder decides), never content."""
        espace = Espace.objects.filter(pk=espace_id).first()
        if espace is None or not request.user.has_perm("profil.add_espace"):
            return HttpResponseRedirect(reverse("admin:profil_espace_changelist"))
        erreur = ""
        if request.method == "POST":
            televersement_ouvrir(request)
            try:
                fichier = fichier_televerse(request, "archive")
            except TeleversementRefuse as refus:
                erreur = refus.message
            else:
                if espace.statut in ETATS_ACCUEILLANTS:
                    import_demander(
                        espace=espace,
                        attente=fichier.attente,
                        acteur=Acteur.pour_utilisateur(request.user, TypeActeur.OPERATEUR),
                        par_operateur=True,
                        demande_par=request.user,
                    )
                    self.message_user(
                        request, _("L'archive est importée par une tâche."), messages.SUCCESS
                    )
                    return HttpResponseRedirect(request.path)
                fichier.abandonner()
                erreur = _("Cet espace ne peut pas recevoir d'import : il est « %(s)s ».") % {
                    "s": espace.get_statut_display()
                }
        return TemplateResponse(
            request,
            "admin/profil/espace/import_dmp.html",
            {
                **self.admin_site.each_context(request),
                "espace": espace,
                "imports": espace.imports_dmp.all()[:20],
                "conflits_en_attente": conflits_en_attente(espace=espace),
                "erreur": erreur,
                "opts": self.model._meta,
            },
            status=400 if erreur else 200,
        )


# profil registers its admin of spaces first (INSTALLED_APPS order): this one takes its place.
admin.site.unregister(Espace)
admin.site.register(Espace, EspaceAdmin)
