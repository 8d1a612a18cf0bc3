from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.models import Action, Evenement, TypeActeur
from profil.models import Espace

from .factories import MOT_DE_PASSE

pytestmark = pytest.mark.django_db


def test_login_asks_for_the_second_factor_and_is_journaled(titulaire: Espace) -> None:
    client = Client()
    reponse = client.post(
        reverse("account_login"), {"login": titulaire.titulaire.email, "password": MOT_DE_PASSE}
    )
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("mfa_authenticate")
    assert not Evenement.objects.filter(action=Action.CONNEXION).exists()
    client.force_login(titulaire.titulaire)
    evenement = Evenement.objects.get(action=Action.CONNEXION)
    assert evenement.espace_uuid == titulaire.uuid
    assert evenement.acteur_type == TypeActeur.TITULAIRE


def test_repeated_failed_logins_are_rate_limited(titulaire: Espace) -> None:
    cache.clear()
    client = Client()
    for _ in range(5):
        client.post(
            reverse("account_login"), {"login": titulaire.titulaire.email, "password": "faux"}
        )
    bloque = client.post(
        reverse("account_login"), {"login": titulaire.titulaire.email, "password": MOT_DE_PASSE}
    )
    assert "Trop d&#x27;essais depuis votre connexion" in bloque.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()


def test_nobody_can_sign_up_without_an_activation_code() -> None:
    reponse = Client().post(
        reverse("account_signup"),
        {
            "email": "intrus@exemple.test",
            "password1": "x-solide-9876",
            "password2": "x-solide-9876",
        },
    )
    assert reponse.status_code == 200
    assert not Utilisateur.objects.filter(email="intrus@exemple.test").exists()


def test_logging_out_requires_post_and_csrf(client_titulaire: Client) -> None:
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(Espace.objects.get().titulaire)
    assert csrf.post(reverse("account_logout")).status_code == 403


def test_the_password_reset_pages_lead_to_the_contact_form_in_french(client: Client) -> None:
    contact = f'href="{reverse("aide:contact")}?sujet=connexion"'
    page = client.get(reverse("account_reset_password")).content.decode()
    assert contact in page and "Please contact us" not in page
    reponse = client.post(reverse("account_reset_password"), {"email": "personne@exemple.test"})
    assert reponse.status_code == 302
    page = client.get(reponse["Location"]).content.decode()
    assert contact in page and "contact us" not in page
    assert "Si un compte existe avec cette adresse" in page
