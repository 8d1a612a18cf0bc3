"""The Résultats pages of a space, a namespace of their own inside ``dossier`` (the menu marks
them, and not the Documents pages, as the current section)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "resultats"

urlpatterns = [
    path("", views.resultats, name="liste"),
    path("<str:analyse>/", views.resultats_analyse, name="analyse"),
]
