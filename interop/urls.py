"""The API's routes (docs/API.md): the FHIR endpoints under ``fhir/`` (their table is
``capacite.RESSOURCES``), the OAuth 2.0 endpoints under ``o/`` (django-oauth-toolkit's
authorization, token and revocation views only: none of its application-management pages),
and the professional's "Mes logiciels" pages under ``pro/logiciels/``."""

from __future__ import annotations

from django.urls import include, path
from oauth2_provider import views as oauth

from . import views, views_logiciels

app_name = "interop"

FHIR = "fhir/"

oauth_urlpatterns = (
    [
        path("authorize/", views_logiciels.Autorisation.as_view(), name="authorize"),
        path("token/", oauth.TokenView.as_view(), name="token"),
        path("revoke_token/", oauth.RevokeTokenView.as_view(), name="revoke-token"),
    ],
    "oauth2_provider",
)

urlpatterns = [
    path("fhir", views.transaction, name="transaction"),
    path(FHIR, views.transaction, name="transaction_base"),  # the base URL, as clients write it
    path(FHIR + "metadata", views.metadata, name="metadata"),
    path(FHIR + "Patient", views.patients, name="patients"),
    path(FHIR + "Patient/<uuid:espace_uuid>", views.patient_lire, name="patient"),
    path(FHIR + "DocumentReference", views.references, name="references"),
    path(FHIR + "DocumentReference/<uuid:document_uuid>", views.reference, name="reference"),
    path(FHIR + "Binary/<uuid:document_uuid>", views.binaire, name="binaire"),
    path("pro/logiciels/", views_logiciels.logiciels, name="logiciels"),
    path(
        "pro/logiciels/<uuid:logiciel_uuid>/revoquer/",
        views_logiciels.revoquer,
        name="logiciel_revoquer",
    ),
    path("o/", include(oauth_urlpatterns)),
]
