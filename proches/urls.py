from __future__ import annotations

from django.urls import path

from . import urls_aidants, urls_parents, urls_protection, views

app_name = "proches"

urlpatterns = [
    path("espace/<uuid:espace_uuid>/proches/", views.proches, name="proches"),
    *urls_parents.urlpatterns,
    *urls_aidants.urlpatterns,
    *urls_protection.urlpatterns,
]
