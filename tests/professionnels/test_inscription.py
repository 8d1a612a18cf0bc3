"""The professional sign-up tells nobody which addresses have an account, is throttled, and
does not let a first comer squat a real professional's RPPS (issue 13, finding 4)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from espace_sante.comptes.models import Utilisateur
from professionnels.models import Professionnel

from ..conftest import client_pour
from ..factories import UtilisateurFactory, rpps

pytestmark = pytest.mark.django_db

URL = "professionnels:inscription"
MDP = "un-mot-de-passe-solide-42"


@pytest.fixture(autouse=True)
def _compteurs_vides() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _donnees(**changes: str) -> dict[str, str]:
    donnees = {
        "prenom": "Ana",
        "nom": "Lopez",
        "rpps": rpps(77),
        "profession": "60",
        "lieu_nom": "Cabinet infirmier",
        "lieu_code_postal": "13001",
        "lieu_ville": "Marseille",
        "email": "ana@exemple.test",
        "password1": MDP,
        "password2": MDP,
    }
    donnees.update(changes)
    return donnees


def _page(reponse: object) -> str:
    contenu = reponse.content.decode()  # type: ignore[attr-defined]
    return re.sub(r'value="[^"]*"', "", contenu)


def test_the_page_answers_the_same_for_a_taken_and_a_free_address_and_the_owner_gets_an_email(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    proprietaire = UtilisateurFactory(email="prise@exemple.test")
    with django_capture_on_commit_callbacks(execute=True):
        prise = Client().post(reverse(URL), _donnees(email="Prise@exemple.test", rpps=rpps(78)))
        libre = Client().post(reverse(URL), _donnees())
    assert prise.status_code == libre.status_code == 200
    assert _page(prise) == _page(libre)
    assert "déjà" not in _page(prise)
    assert not Professionnel.objects.filter(utilisateur=proprietaire).exists()
    courriels = {m.to[0]: m.body for m in mail.outbox}
    assert set(courriels) == {"prise@exemple.test", "ana@exemple.test"}
    assert "avec votre adresse e-mail" in courriels["prise@exemple.test"]
    assert "aucune donnée de santé" in courriels["prise@exemple.test"]
    assert "Votre compte professionnel est créé" in courriels["ana@exemple.test"]


def test_sign_up_is_throttled_per_email_address_whatever_the_client_address(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRO_INSCRIPTION_RATE_LIMIT_EMAIL = "2/h"
    statuts = [
        Client(REMOTE_ADDR=f"192.0.2.{rang}")
        .post(reverse(URL), _donnees(rpps=rpps(80 + rang)))
        .status_code
        for rang in range(3)
    ]
    assert statuts == [200, 200, 429]


def test_sign_up_is_throttled_per_client_address(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PRO_INSCRIPTION_RATE_LIMIT = "2/h"
    client = Client(REMOTE_ADDR="192.0.2.50")
    statuts = [
        client.post(
            reverse(URL), _donnees(email=f"sonde{rang}@exemple.test", rpps=rpps(90 + rang))
        ).status_code
        for rang in range(3)
    ]
    assert statuts == [200, 200, 429]


def test_an_rpps_already_claimed_is_kept_for_the_operator_and_its_claimant_told_to_contact_support(
    operateur,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        premier = Client().post(reverse(URL), _donnees(email="squat@exemple.test"))
        second = Client().post(
            reverse(URL), _donnees(email="vraie@exemple.test", prenom="Véra", nom="Vraie")
        )
    from professionnels.models import RevendicationRpps  # the claims did not exist before

    assert _page(premier) == _page(second)
    pro = Professionnel.objects.get()
    assert pro.utilisateur.email == "squat@exemple.test" and pro.statut == "en_attente"
    assert not Utilisateur.objects.filter(email="vraie@exemple.test").exists()
    revendication = RevendicationRpps.objects.get()
    assert revendication.professionnel == pro and revendication.nom == "VRAIE"
    (courriel,) = [m for m in mail.outbox if m.to == ["vraie@exemple.test"]]
    assert "déjà associé à un autre compte" in courriel.body and "support" in courriel.body
    operateur.is_superuser = True
    operateur.save()
    fiche = client_pour(operateur).get(
        reverse("admin:professionnels_professionnel_change", args=[pro.pk])
    )
    assert "VRAIE" in fiche.content.decode() and "vraie@exemple.test" in fiche.content.decode()
