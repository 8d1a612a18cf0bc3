"""The API's personas: a professional's registered software and its tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken

from interop.models import Logiciel
from interop.services import logiciel_enregistrer

RETOUR = "http://127.0.0.1:8765/retour"


def logiciel_de(pro: Any, nom: str = "MédiLogiciel") -> Logiciel:
    return logiciel_enregistrer(professionnel=pro, nom=nom, adresse_retour=RETOUR)


def jeton(logiciel: Logiciel, *, scope: str = "read deposit", duree: int = 3600) -> str:
    """A token as the token endpoint would issue it (the OAuth dance itself is tested in
    test_oauth.py)."""
    valeur = secrets.token_urlsafe(30)
    assert logiciel.application is not None
    AccessToken.objects.create(
        user=logiciel.professionnel.utilisateur,
        application=logiciel.application,
        token=valeur,
        expires=timezone.now() + timedelta(seconds=duree),
        scope=scope,
    )
    return valeur


class ClientFhir:
    """Django's test client with a bearer token."""

    def __init__(self, valeur: str) -> None:
        self.client = Client()
        self.entete = {"HTTP_AUTHORIZATION": f"Bearer {valeur}"}

    def get(self, url: str, donnees: Any = None, **extra: Any) -> Any:
        return self.client.get(url, donnees, **self.entete, **extra)

    def post(self, url: str, corps: Any, **extra: Any) -> Any:
        import json

        texte = corps if isinstance(corps, (str, bytes)) else json.dumps(corps)
        return self.client.post(
            url, texte, content_type="application/fhir+json", **self.entete, **extra
        )


@pytest.fixture
def logiciel(pro_autorise: Any) -> Logiciel:
    return logiciel_de(pro_autorise)


@pytest.fixture
def api(logiciel: Logiciel) -> ClientFhir:
    return ClientFhir(jeton(logiciel))
