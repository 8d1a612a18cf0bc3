"""The same paths as when these pages lived in ``profil`` (issues 15 and 20 moved them, not
their URLs: the home of a space is ``ensemble:espace`` since its dashboard reads every app)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "ensemble"

urlpatterns = [
    path("espace/<uuid:espace_uuid>/", views.espace_accueil, name="espace"),
    path("espace/<uuid:espace_uuid>/profil/synthese/", views.synthese, name="synthese"),
    path(
        "espace/<uuid:espace_uuid>/profil/directives.pdf",
        views.directives_pdf,
        name="directives_pdf",
    ),
    path("espace/<uuid:espace_uuid>/historique/", views.historique, name="historique"),
    path(
        "espace/<uuid:espace_uuid>/historique/empreinte.json",
        views.historique_empreinte,
        name="historique_empreinte",
    ),
    path("espace/<uuid:espace_uuid>/parametres/export/", views.exports, name="exports"),
    path(
        "espace/<uuid:espace_uuid>/parametres/export/demander/",
        views.export_demander,
        name="export_demander",
    ),
    path(
        "espace/<uuid:espace_uuid>/parametres/export/<uuid:export_uuid>/",
        views.export_telecharger,
        name="export_telecharger",
    ),
]
