from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class EspaceSanteAdminConfig(AdminConfig):
    default_site = "espace_sante.admin_site.EspaceSanteAdminSite"
