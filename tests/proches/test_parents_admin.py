"""A legal representative is removed only by an operator, on a court decision, in the admin
(issue 21, point 1; docs/PROCHES.md, "The second parent")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from espace_sante.comptes.models import Notification, TypeNotification
from espace_sante.journal.models import Action, Evenement, TypeActeur
from profil.models import Representation

from ..conftest import client_pour
from ..factories import RepresentationFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

LISTE = "admin:profil_representation_changelist"


@pytest.fixture(autouse=True)
def _apres_commit_tout_de_suite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transaction, "on_commit", lambda fonction, *a, **k: fonction())


@pytest.fixture
def deux_parents(enfant_represente, representant):  # type: ignore[no-untyped-def]
    """The conftest's child with a second parent, the one a decision will remove."""
    return RepresentationFactory(espace=enfant_represente)


def _url(representation: Representation) -> str:
    return reverse("admin:profil_representation_decision", args=[representation.pk])


def _decider(client: Client, representation: Representation, **donnees: str):  # type: ignore[no-untyped-def]
    valeurs = {"reference": "TJ Lyon, RG 26/01234", "date_decision": "2026-11-02"}
    valeurs.update(donnees)
    return client.post(_url(representation), valeurs)


def test_the_operator_sees_the_representations_and_the_link_to_end_one(
    client_operateur: Client, deux_parents: Representation
) -> None:
    page = client_operateur.get(reverse(LISTE)).content.decode()
    assert "Mettre fin sur décision de justice" in page and _url(deux_parents) in page
    espace = client_operateur.get(
        reverse("admin:profil_espace_change", args=[deux_parents.espace.pk])
    ).content.decode()
    assert _url(deux_parents) in espace


def test_the_operator_ends_a_representation_on_a_court_decision(
    client_operateur: Client, deux_parents: Representation, operateur
) -> None:  # type: ignore[no-untyped-def]
    formulaire = client_operateur.get(_url(deux_parents))
    assert formulaire.status_code == 200
    assert "Référence de la décision" in formulaire.content.decode()
    reponse = _decider(client_operateur, deux_parents)
    assert reponse.status_code == 302 and reponse["Location"] == reverse(LISTE)
    deux_parents.refresh_from_db()
    assert deux_parents.fin == timezone.localdate()
    assert deux_parents.motif_fin == "décision de justice"
    assert deux_parents.decision_justice == "TJ Lyon, RG 26/01234 (2026-11-02)"
    evenement = Evenement.objects.filter(
        espace_uuid=deux_parents.espace.uuid, action=Action.REPRESENTATION_TERMINEE
    ).get()
    assert evenement.acteur_type == TypeActeur.OPERATEUR
    assert evenement.acteur_nom == "Olivia OPÉRATRICE"
    assert evenement.details["decision_justice"] == "TJ Lyon, RG 26/01234 (2026-11-02)"
    assert evenement.details["motif"] == "décision de justice"
    assert Notification.objects.filter(
        destinataire=deux_parents.representant.titulaire,
        type=TypeNotification.REPRESENTATION_TERMINEE,
    ).exists()
    # The other parent keeps the child.
    assert Representation.objects.filter(espace=deux_parents.espace, fin__isnull=True).count() == 1


@pytest.mark.parametrize(
    "donnees",
    [
        {"reference": ""},
        {"reference": "   "},
        {"date_decision": ""},
        {"date_decision": (date.today() + timedelta(days=30)).isoformat()},
    ],
    ids=["sans_reference", "reference_vide", "sans_date", "date_future"],
)
def test_a_decision_without_reference_or_date_changes_nothing(
    client_operateur: Client, deux_parents: Representation, donnees: dict[str, str]
) -> None:
    reponse = _decider(client_operateur, deux_parents, **donnees)
    assert reponse.status_code == 200
    deux_parents.refresh_from_db()
    assert deux_parents.fin is None and not deux_parents.decision_justice
    assert not Evenement.objects.filter(action=Action.REPRESENTATION_TERMINEE).exists()


def test_an_ended_representation_cannot_be_ended_again(
    client_operateur: Client, deux_parents: Representation
) -> None:
    _decider(client_operateur, deux_parents)
    reponse = _decider(client_operateur, deux_parents, reference="autre")
    assert reponse.status_code == 302
    deux_parents.refresh_from_db()
    assert deux_parents.decision_justice.startswith("TJ Lyon")
    assert Evenement.objects.filter(action=Action.REPRESENTATION_TERMINEE).count() == 1


def test_a_staff_member_without_the_operators_permission_cannot_end_one(
    deux_parents: Representation,
) -> None:
    client = client_pour(UtilisateurFactory(is_staff=True))
    reponse = _decider(client, deux_parents)
    assert reponse.status_code in (302, 403)
    deux_parents.refresh_from_db()
    assert deux_parents.fin is None


def test_operators_never_add_change_or_delete_a_representation_directly(
    client_operateur: Client, deux_parents: Representation
) -> None:
    assert client_operateur.get(reverse("admin:profil_representation_add")).status_code == 403
    supprimer = reverse("admin:profil_representation_delete", args=[deux_parents.pk])
    assert client_operateur.post(supprimer, {"post": "yes"}).status_code == 403
    assert Representation.objects.filter(pk=deux_parents.pk).exists()
