"""The activity history (DESIGN.md §5): pagination, filters, tabs, one space only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur, evenement_enregistrer
from profil.models import Espace

from ..factories import EspaceFactory

pytestmark = pytest.mark.django_db


def _evenements(espace: Espace, nombre: int, action: Action = Action.CONNEXION) -> None:
    acteur = Acteur(type="titulaire", id="x", nom="Camille")
    for _ in range(nombre):
        evenement_enregistrer(action=action, acteur=acteur, espace_uuid=espace.uuid)


def test_history_is_paginated_with_a_constant_number_of_queries(
    client_titulaire: Client, titulaire: Espace, django_assert_max_num_queries
) -> None:
    url = reverse("ensemble:historique", args=[titulaire.uuid])
    _evenements(titulaire, 5)
    client_titulaire.get(url)  # the first page of a session also checks the second factor
    with django_assert_max_num_queries(12) as peu:
        client_titulaire.get(url)
    _evenements(titulaire, 80)
    with django_assert_max_num_queries(12) as beaucoup:
        reponse = client_titulaire.get(url)
    assert len(peu.captured_queries) == len(beaucoup.captured_queries)
    assert reponse.content.decode().count('class="evenement ') == 25
    total = Evenement.objects.filter(espace_uuid=titulaire.uuid).count()
    page4 = client_titulaire.get(url, {"page": 4}).content.decode()
    assert total > 75 and page4.count('class="evenement ') == total - 75


def test_history_filters_by_theme_and_date(client_titulaire: Client, titulaire: Espace) -> None:
    _evenements(titulaire, 3, Action.CONNEXION)
    _evenements(titulaire, 2, Action.DOSSIER_CONSULTE)
    url = reverse("ensemble:historique", args=[titulaire.uuid])
    filtre = client_titulaire.get(url, {"action": "documents"}).content.decode()
    assert filtre.count('class="evenement evenement--dossier_consulte"') == 2
    assert 'evenement--connexion"' not in filtre
    compte = client_titulaire.get(url, {"action": "compte"}).content.decode()
    connexions = Evenement.objects.filter(espace_uuid=titulaire.uuid, action=Action.CONNEXION)
    assert compte.count('class="evenement evenement--connexion"') == connexions.count() >= 3
    assert "evenement--dossier_consulte" not in compte
    demain = (timezone.localdate() + timedelta(days=1)).isoformat()
    vide = client_titulaire.get(url, {"du": demain}).content.decode()
    assert 'class="evenement ' not in vide and "Aucune action" in vide
    inverse = client_titulaire.get(url, {"du": demain, "au": "2000-01-01"}).content.decode()
    assert "La date de fin précède la date de début." in inverse


def test_professionals_tab_is_empty_until_professionals_exist(
    client_titulaire: Client, titulaire: Espace
) -> None:
    _evenements(titulaire, 3)
    reponse = client_titulaire.get(
        reverse("ensemble:historique", args=[titulaire.uuid]), {"onglet": "professionnels"}
    )
    contenu = reponse.content.decode()
    assert 'class="evenement ' not in contenu
    assert "Aucun professionnel" in contenu


def test_history_shows_only_this_space(client_titulaire: Client, titulaire: Espace) -> None:
    autre = EspaceFactory()
    _evenements(autre, 4, Action.BASCULE_ESPACE)
    contenu = client_titulaire.get(
        reverse("ensemble:historique", args=[titulaire.uuid]), {"action": "compte"}
    ).content.decode()
    assert "evenement--bascule_espace" not in contenu
