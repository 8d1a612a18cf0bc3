from __future__ import annotations

from django.urls import path

from . import views, views_activation

app_name = "profil"

urlpatterns = [
    path("espaces/", views.espaces, name="espaces"),
    path("espaces/basculer/", views.espace_basculer, name="basculer"),
    path("espace/<uuid:espace_uuid>/profil/", views.profil_medical, name="profil_medical"),
    path(
        "espace/<uuid:espace_uuid>/profil/volontes/<str:cle>/",
        views.profil_unique,
        name="profil_unique",
    ),
    path(
        "espace/<uuid:espace_uuid>/profil/volontes/<str:cle>/supprimer/",
        views.profil_unique_supprimer,
        name="profil_unique_supprimer",
    ),
    path(
        "espace/<uuid:espace_uuid>/profil/<str:section>/ajouter/",
        views.profil_ajouter,
        name="profil_ajouter",
    ),
    path(
        "espace/<uuid:espace_uuid>/profil/<str:section>/<uuid:element_uuid>/",
        views.profil_modifier,
        name="profil_modifier",
    ),
    path(
        "espace/<uuid:espace_uuid>/profil/<str:section>/<uuid:element_uuid>/supprimer/",
        views.profil_supprimer,
        name="profil_supprimer",
    ),
    path("espace/<uuid:espace_uuid>/parametres/", views.parametres, name="parametres"),
    path("espace/<uuid:espace_uuid>/cloturer/", views.cloturer, name="cloturer"),
    path("espace/<uuid:espace_uuid>/rouvrir/", views.rouvrir, name="rouvrir"),
    path("espace/<uuid:espace_uuid>/activer/", views.activer_pour_mineur, name="activer_mineur"),
    path("activation/", views_activation.activation, name="activation"),
    path(
        "activation/identifiants/",
        views_activation.activation_identifiants,
        name="activation_identifiants",
    ),
    path(
        "activation/opposition/",
        views_activation.activation_opposition,
        name="activation_opposition",
    ),
]
