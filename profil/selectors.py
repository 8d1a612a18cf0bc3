"""Reads about spaces. Which spaces a person may act for, and as what, is an access rule:
``espace_sante.acces`` (``espace_pour_acteur``)."""

from __future__ import annotations

from espace_sante.comptes.models import Utilisateur

from .models import Espace


def espace_du_titulaire(*, utilisateur: Utilisateur) -> Espace | None:
    return Espace.objects.filter(titulaire=utilisateur).first()
