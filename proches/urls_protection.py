"""The protection pages' addresses (included by proches/urls.py, namespace "proches").

The measure is named by the form (``?mesure=`` on the confirmation page, a hidden field on the
decision), looked up among the space's own curatelles only."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views_protection

urlpatterns: list[URLPattern] = [
    path(
        "espace/<uuid:espace_uuid>/proches/protection/<str:choix>/",
        views_protection.decider,
        name="protection_decider",
    ),
]
