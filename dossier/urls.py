from __future__ import annotations

from django.urls import path

from . import views

app_name = "dossier"

urlpatterns = [
    path("espace/<uuid:espace_uuid>/documents/", views.documents, name="documents"),
]
