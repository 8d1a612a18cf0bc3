from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from . import views

handler500 = "espace_sante.views.erreur_serveur"

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("sante/", views.sante, name="sante"),
    path("comptes/", include("espace_sante.comptes.urls_allauth")),
    path("admin/", admin.site.urls),
    path("", include("profil.urls")),
    path("", include("dossier.urls")),
    path("", include("professionnels.urls")),
    path("", include("messagerie.urls")),
    path("", include("agenda.urls")),
    path("", include("proches.urls")),
    path("", include("ensemble.urls")),
    path("", include("interop.urls")),
    path("", include("aide.urls")),
    path("", include("espace_sante.comptes.urls")),
]
