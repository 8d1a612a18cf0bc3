"""The aidants pages' addresses (included by proches/urls.py, namespace "proches")."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views_aidants

urlpatterns: list[URLPattern] = [
    path(
        "espace/<uuid:espace_uuid>/proches/aidants/inviter/",
        views_aidants.inviter,
        name="aidant_inviter",
    ),
    path(
        "espace/<uuid:espace_uuid>/proches/aidants/<uuid:delegation_uuid>/renvoyer/",
        views_aidants.renvoyer,
        name="aidant_renvoyer",
    ),
    path(
        "espace/<uuid:espace_uuid>/proches/aidants/<uuid:delegation_uuid>/terminer/",
        views_aidants.terminer,
        name="aidant_terminer",
    ),
    path(
        "espace/<uuid:espace_uuid>/proches/aidants/<uuid:delegation_uuid>/attestation.pdf",
        views_aidants.attestation,
        name="aidant_attestation",
    ),
    path(
        "proches/invitation-aidant/<str:jeton>/",
        views_aidants.invitation,
        name="invitation_aidant",
    ),
]
