"""The patient's messagerie, under the space they act for (like its documents)."""

from __future__ import annotations

from django.urls import path

from . import views_patient as vues

E = "espace/<uuid:espace_uuid>/messagerie/"
F = E + "<uuid:fil_uuid>/"
P = F + "pieces/<uuid:piece_uuid>/"

urlpatterns = [
    path(E, vues.boite, name="boite"),
    path(E + "ecrire/", vues.ecrire, name="ecrire"),
    path(F, vues.fil, name="fil"),
    path(F + "nouveaux/", vues.nouveaux, name="nouveaux"),
    path(F + "repondre/", vues.repondre, name="repondre"),
    path(F + "ranger/", vues.ranger, name="ranger"),
    path(F + "supprimer/", vues.supprimer, name="supprimer"),
    path(P, vues.piece, name="piece"),
    path(P + "ajouter/", vues.piece_ajouter, name="piece_ajouter"),
]
