"""The parents pages' addresses (included by proches/urls.py, namespace "proches")."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views_parents

urlpatterns: list[URLPattern] = [
    path(
        "espace/<uuid:espace_uuid>/proches/parents/inviter/",
        views_parents.inviter,
        name="parent_inviter",
    ),
    path(
        "espace/<uuid:espace_uuid>/proches/parents/annuler/",
        views_parents.annuler,
        name="parent_invitation_annuler",
    ),
    path(
        "proches/invitation-parent/<str:jeton>/",
        views_parents.invitation,
        name="invitation_parent",
    ),
]
