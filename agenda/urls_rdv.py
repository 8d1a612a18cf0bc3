"""Appointments and reminders (issue 19): under the space the person acts for."""

from __future__ import annotations

from django.urls import path

from . import views_rdv

A = "espace/<uuid:espace_uuid>/agenda/"

urlpatterns = [
    path(A, views_rdv.liste, name="liste"),
    path(f"{A}mois/", views_rdv.mois, name="mois"),
    path(f"{A}ajouter/", views_rdv.ajouter, name="ajouter"),
    path(f"{A}rendez-vous/<uuid:rdv_uuid>/", views_rdv.modifier, name="modifier"),
    path(f"{A}rendez-vous/<uuid:rdv_uuid>/supprimer/", views_rdv.supprimer, name="supprimer"),
    path(f"{A}rappels/ajouter/", views_rdv.recurrent_ajouter, name="recurrent_ajouter"),
    path(
        f"{A}rappels/<uuid:recurrent_uuid>/supprimer/",
        views_rdv.recurrent_supprimer,
        name="recurrent_supprimer",
    ),
    path(f"{A}preferences/", views_rdv.preferences, name="preferences"),
]
