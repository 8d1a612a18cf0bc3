"""The professional's messagerie, in their workspace (``/pro/``)."""

from __future__ import annotations

from django.urls import path

from . import views_pro

M = "pro/messagerie/"
FIL = M + "<uuid:fil_uuid>/"
PIECE = FIL + "pieces/<uuid:piece_uuid>/"

urlpatterns = [
    path(M, views_pro.boite, name="pro_boite"),
    path("pro/patients/<uuid:espace_uuid>/messagerie/ecrire/", views_pro.ecrire, name="pro_ecrire"),
    path(FIL, views_pro.fil, name="pro_fil"),
    path(FIL + "nouveaux/", views_pro.nouveaux, name="pro_nouveaux"),
    path(FIL + "clore/", views_pro.clore, name="pro_clore"),
    path(FIL + "ranger/", views_pro.ranger, name="pro_ranger"),
    path(PIECE, views_pro.piece, name="pro_piece"),
    path(PIECE + "deposer/", views_pro.piece_deposer, name="pro_piece_deposer"),
]
