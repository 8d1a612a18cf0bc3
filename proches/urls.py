from __future__ import annotations

from django.urls import path

from . import views

app_name = "proches"

urlpatterns = [
    path("espace/<uuid:espace_uuid>/proches/", views.proches, name="proches"),
]
