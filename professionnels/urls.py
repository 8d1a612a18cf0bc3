from __future__ import annotations

from django.urls import path

from . import (
    views,
    views_accueil,
    views_depots,
    views_documents,
    views_recherche,
    views_resultats,
)

app_name = "professionnels"

E = "espace/<uuid:espace_uuid>/professionnels/"
P = E + "<uuid:professionnel_uuid>/"
PRO = "pro/"
PATIENT = PRO + "patients/<uuid:espace_uuid>/"
DOC = PATIENT + "documents/<uuid:document_uuid>/"
DEPOT = PRO + "depots/<uuid:document_uuid>/"

urlpatterns = [
    # The patient's side.
    path(E, views.professionnels, name="liste"),
    path(E + "reglages/", views.reglages, name="reglages"),
    path(P + "accorder/", views.accorder, name="accorder"),
    path(P + "retirer/", views.revoquer, name="revoquer"),
    path(P + "bloquer/", views.bloquer, name="bloquer"),
    path(P + "debloquer/", views.debloquer, name="debloquer"),
    path(P + "medecin-traitant/", views.medecin_traitant, name="medecin_traitant"),
    path(
        P + "medecin-traitant/retirer/",
        views.medecin_traitant_retirer,
        name="medecin_traitant_retirer",
    ),
    # The professional's side.
    path(PRO + "inscription/", views.inscription, name="inscription"),
    path(PRO, views_accueil.accueil, name="accueil"),
    path(PRO + "urgence/", views.urgence, name="urgence"),
    path(PRO + "patients/", views_recherche.recherche, name="recherche"),
    path(PRO + "depots/", views_depots.depots, name="depots"),
    path(DEPOT, views_depots.depot, name="depot"),
    path(DEPOT + "etat/", views_depots.depot_etat, name="depot_etat"),
    path(PATIENT, views.patient, name="patient"),
    path(PATIENT + "deposer/", views.deposer, name="deposer"),
    path(PATIENT + "profil/", views.profil, name="profil"),
    path(PATIENT + "resultats/", views_resultats.resultats, name="resultats"),
    path(
        PATIENT + "resultats/<str:analyse>/",
        views_resultats.resultats_analyse,
        name="resultats_analyse",
    ),
    path(PATIENT + "profil/<str:section>/ajouter/", views.profil_ajouter, name="profil_ajouter"),
    path(DOC + "liberer/", views.liberer, name="liberer"),
    path(DOC + "remplacer/", views.remplacer, name="remplacer"),
    path(DOC, views_documents.document, name="document"),
    path(DOC + "contenu/", views_documents.contenu, name="contenu"),
    path(DOC + "apercu/<str:genre>/<int:rang>/", views_documents.apercu, name="apercu"),
]
