"""The messagerie's pages: the patient's under their space (``urls_patient``), the
professional's under /pro/ (``urls_pro``)."""

from __future__ import annotations

from django.urls import include, path

from . import views

app_name = "messagerie"

urlpatterns = [
    path("messagerie/", views.aller, name="aller"),
    path("", include("messagerie.urls_patient")),
    path("", include("messagerie.urls_pro")),
]
