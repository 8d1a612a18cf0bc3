from __future__ import annotations

from django.urls import include, path

from . import views, views_import

app_name = "dossier"

E = "espace/<uuid:espace_uuid>/documents/"
D = E + "<uuid:document_uuid>/"

urlpatterns = [
    path(E, views.documents, name="documents"),
    path(E + "chronologie/", views.chronologie, name="chronologie"),
    path(E + "ajouter/", views.deposer, name="deposer"),
    path(E + "selection/", views.selection, name="selection"),
    path(E + "reglages/", views.reglages, name="reglages"),
    path(E + "corbeille/", views.corbeille, name="corbeille"),
    path(E + "import-dmp/", views_import.import_dmp, name="import_dmp"),
    path(
        E + "import-dmp/<uuid:import_uuid>/", views_import.import_dmp_etat, name="import_dmp_etat"
    ),
    path(
        E + "import-dmp/conflits/<uuid:conflit_uuid>/",
        views_import.import_dmp_conflit,
        name="import_dmp_conflit",
    ),
    path(
        "espace/<uuid:espace_uuid>/remboursements/",
        views_import.remboursements,
        name="remboursements",
    ),
    path("espace/<uuid:espace_uuid>/resultats/", include("dossier.resultats.urls")),
    path(D, views.document, name="document"),
    path(D + "contenu/", views.contenu, name="contenu"),
    path(D + "statut/", views.statut, name="statut"),
    path(D + "apercu/<str:genre>/<int:rang>/", views.apercu, name="apercu"),
    path(D + "remplacer/", views.remplacer, name="remplacer"),
    path(D + "<str:action>/", views.document_action, name="action"),
]
