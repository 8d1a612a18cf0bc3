"""The agenda's pages (under /espace/<uuid>/agenda/, the feed under /agenda/flux/):
appointments and reminders (``urls_rdv``), the calendar feed and the recommended care
(``urls_prevention``)."""

from __future__ import annotations

from django.urls import include, path

app_name = "agenda"

urlpatterns = [
    path("", include("agenda.urls_rdv")),
    path("", include("agenda.urls_prevention")),
]
