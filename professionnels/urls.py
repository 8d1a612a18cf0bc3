from __future__ import annotations

from django.urls import path

from . import views

app_name = "professionnels"

urlpatterns = [
    path("espace/<uuid:espace_uuid>/professionnels/", views.professionnels, name="liste"),
]
