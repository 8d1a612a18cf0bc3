from __future__ import annotations

from django.urls import path

from . import views_parametres

app_name = "comptes"

urlpatterns = [
    path("compte/", views_parametres.compte, name="compte"),
    path("compte/email/", views_parametres.email_changer, name="email_changer"),
    path(
        "compte/email/confirmer/<str:jeton>/",
        views_parametres.email_confirmer,
        name="email_confirmer",
    ),
    path("compte/telephone/", views_parametres.telephone_changer, name="telephone_changer"),
    path(
        "compte/notifications/",
        views_parametres.notifications_choisir,
        name="notifications_choisir",
    ),
]
