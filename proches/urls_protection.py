"""The protection pages' addresses (included by proches/urls.py, namespace "proches")."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views_protection

urlpatterns: list[URLPattern] = [
    path(
        "espace/<uuid:espace_uuid>/proches/protection/<int:mesure_id>/accepter/",
        views_protection.accepter,
        name="protection_accepter",
    ),
    path(
        "espace/<uuid:espace_uuid>/proches/protection/<int:mesure_id>/refuser/",
        views_protection.refuser,
        name="protection_refuser",
    ),
]
