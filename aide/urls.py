from __future__ import annotations

from django.urls import path

from . import views

app_name = "aide"

urlpatterns = [
    path("aide/", views.index, name="index"),
    path("aide/contact/", views.contact, name="contact"),
    path("aide/contact/envoyee/", views.contact_envoyee, name="contact_envoyee"),
    path("accessibilite/", views.accessibilite, name="accessibilite"),
]
