"""Operators verify professionals and edit the habilitation matrix in the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from espace_sante.journal.models import Action, Evenement
from professionnels.models import Habilitation, Professionnel

from ..conftest import client_pour
from ..factories import ProfessionnelFactory

pytestmark = pytest.mark.django_db

LISTE = "admin:professionnels_professionnel_changelist"
MATRICE = "admin:professionnels_habilitation_changelist"


@pytest.fixture
def client_admin(operateur) -> Client:  # type: ignore[no-untyped-def]
    operateur.groups.get().permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_professionnel",
                "change_professionnel",
                "view_habilitation",
                "change_habilitation",
            ]
        )
    )
    return client_pour(operateur)


def test_an_operator_verifies_a_professional_after_confirming(
    client_admin: Client, django_capture_on_commit_callbacks
) -> None:
    pro = ProfessionnelFactory(statut="en_attente")
    donnees = {"action": "action_verifier", "_selected_action": [str(pro.pk)]}
    confirmation = client_admin.post(reverse(LISTE), donnees)
    assert confirmation.status_code == 200 and "confirmation" in confirmation.content.decode()
    pro.refresh_from_db()
    assert pro.statut == "en_attente"
    with django_capture_on_commit_callbacks(execute=True):
        client_admin.post(reverse(LISTE), {**donnees, "confirmer": "1"})
    pro.refresh_from_db()
    assert pro.statut == "verifie" and pro.verifie_le is not None
    assert Evenement.objects.filter(action=Action.PRO_VERIFIE, acteur_type="operateur").exists()
    assert mail.outbox[0].to == [pro.utilisateur.email]


def test_operators_search_professionals_by_rpps_and_name(client_admin: Client) -> None:
    cherche = ProfessionnelFactory(utilisateur__nom="GIRARD")
    ProfessionnelFactory(utilisateur__nom="BLANC")
    for q in [cherche.rpps, "girard"]:
        page = client_admin.get(reverse(LISTE), {"q": q}).content.decode()
        assert "GIRARD" in page and "BLANC" not in page


def test_a_matrix_change_in_the_admin_list_is_journaled(client_admin: Client) -> None:
    cellule = Habilitation.objects.get(profession="21", type_code="18748-4")
    assert not cellule.lecture
    liste = client_admin.get(reverse(MATRICE), {"profession__exact": "21", "q": "18748-4"})
    assert liste.status_code == 200
    formulaire = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(cellule.pk),
        "form-0-lecture": "on",
        "_save": "Enregistrer",
    }
    reponse = client_admin.post(reverse(MATRICE) + "?profession__exact=21&q=18748-4", formulaire)
    assert reponse.status_code == 302
    cellule.refresh_from_db()
    assert cellule.lecture
    evenement = Evenement.objects.get(action=Action.MATRICE_MODIFIEE)
    assert evenement.details["apres"] is True and evenement.acteur_type == "operateur"


def test_professionals_cannot_be_added_or_deleted_in_the_admin(client_admin: Client) -> None:
    pro = ProfessionnelFactory()
    assert client_admin.get(reverse("admin:professionnels_professionnel_add")).status_code == 403
    supprimer = reverse("admin:professionnels_professionnel_delete", args=[pro.pk])
    assert client_admin.get(supprimer).status_code == 403
    assert Professionnel.objects.filter(pk=pro.pk).exists()
