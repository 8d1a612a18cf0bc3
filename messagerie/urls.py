"""The messagerie's pages: the patient's under their space (``urls_patient``), the
professional's under /pro/ (``urls_pro``)."""

from __future__ import annotations

from django.urls import include, path

app_name = "messagerie"

urlpatterns = [
    path("", include("messagerie.urls_patient")),
    path("", include("messagerie.urls_pro")),
]
