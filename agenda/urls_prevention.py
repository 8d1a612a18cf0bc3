"""The calendar feed, the recommended care and the prevention messages (issue 19, points 3–5)."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views_prevention as vues

_AGENDA = "espace/<uuid:espace_uuid>/agenda"

urlpatterns: list[URLPattern] = [
    path("agenda/flux/<str:jeton>.ics", vues.flux, name="flux"),
    path(f"{_AGENDA}/abonnement/", vues.abonnement, name="abonnement"),
    path(f"{_AGENDA}/abonnement/creer/", vues.abonnement_creer, name="abonnement_creer"),
    path(f"{_AGENDA}/abonnement/regler/", vues.abonnement_regler, name="abonnement_regler"),
    path(f"{_AGENDA}/abonnement/revoquer/", vues.abonnement_revoquer, name="abonnement_revoquer"),
    path(f"{_AGENDA}/rdv/<uuid:rdv_uuid>/ics/", vues.rdv_ics, name="rdv_ics"),
    path(f"{_AGENDA}/a-prevoir/", vues.a_prevoir, name="a_prevoir"),
    path(f"{_AGENDA}/a-prevoir/<slug:cle>/fait/", vues.soin_fait, name="soin_fait"),
    path(f"{_AGENDA}/a-prevoir/<slug:cle>/ecarter/", vues.soin_ecarter, name="soin_ecarter"),
    path(f"{_AGENDA}/a-prevoir/<slug:cle>/retablir/", vues.soin_retablir, name="soin_retablir"),
    path(f"{_AGENDA}/prevention/", vues.prevention_messages, name="prevention"),
    path(
        f"{_AGENDA}/prevention/<slug:theme>/<str:choix>/",
        vues.prevention_theme,
        name="prevention_theme",
    ),
]
