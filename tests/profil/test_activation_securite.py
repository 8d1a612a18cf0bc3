"""Activation tells nobody whether an INS has a pending space (issue 13, finding 3).

Timing is not asserted on the wall clock: the tests pin the work instead (one hasher check and
the same statements in every failing case); bench-like measures belong to bench/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur
from profil import services
from profil.models import CodeActivation, Espace

from ..factories import nir

pytestmark = pytest.mark.django_db

NAISSANCE = date(1975, 2, 3)
MDP = "cheval-agrafe-1987"


@pytest.fixture(autouse=True)
def _compteurs_vides() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def a_activer() -> tuple[Espace, str]:
    return services.espace_precreer(
        acteur=Acteur.systeme(),
        identite=services.Identite(
            ins=nir("M", NAISSANCE, 42),
            nom_naissance="DUPONT",
            prenoms="Jean",
            date_naissance=NAISSANCE,
            sexe="M",
        ),
    )


def _poster(client: Client, ins: str, code: str, naissance: str = "1975-02-03") -> str:
    reponse = client.post(
        reverse("profil:activation"),
        {"ins": ins, "date_naissance": naissance, "code": code, "choix": "activer"},
    )
    assert reponse.status_code == 200
    return re.sub(r'value="[^"]*"', "", reponse.content.decode())  # what was typed, the token


def _forme(sql: str) -> str:
    """A statement without its values: what the database is asked to do, not with what."""
    sql = re.sub(r'"s\d+_x\d+"', "?", sql)  # savepoint names
    sql = re.sub(r"\s*(?:\bE)?'(?:[^'\\]|''|\\.)*'", " ?", sql)  # plain and escaped (E'…') strings
    sql = re.sub(r"\b(?:NULL|\d+(?:\.\d+)?)\b", "?", sql)
    # psycopg casts a parameter by its value's type (``?::uuid``), not a NULL: the same statement.
    return re.sub(r"\?::\w+", "?", sql)


def _travail(monkeypatch: pytest.MonkeyPatch, envoi: dict[str, str]) -> tuple[int, list[str], str]:
    verifications: list[str] = []
    verifier = MD5PasswordHasher.verify

    def compter(self: MD5PasswordHasher, password: str, encoded: str) -> bool:
        verifications.append(encoded)
        return verifier(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", compter)
    client = Client()
    with CaptureQueriesContext(connection) as requetes:
        page = _poster(client, **envoi)
    monkeypatch.setattr(MD5PasswordHasher, "verify", verifier)
    return len(verifications), [_forme(q["sql"]) for q in requetes.captured_queries], page


def test_unknown_ins_wrong_code_wrong_birth_date_and_blocked_code_get_one_answer_after_the_same_work(  # noqa: E501
    a_activer: tuple[Espace, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    espace, code = a_activer
    autre, _code_autre = services.espace_precreer(
        acteur=Acteur.systeme(),
        identite=services.Identite(
            ins=nir("M", NAISSANCE, 43),
            nom_naissance="DURAND",
            prenoms="Paul",
            date_naissance=NAISSANCE,
            sexe="M",
        ),
    )
    CodeActivation.objects.filter(espace=autre).update(verrouille_le=timezone.now())
    cas = {
        "INS inconnu": {"ins": nir("M", NAISSANCE, 77), "code": code},
        "mauvais code": {"ins": espace.ins, "code": "ZZZZ-ZZZZ-ZZZZ"},
        "mauvaise date": {"ins": espace.ins, "code": code, "naissance": "1975-02-04"},
        "code bloqué": {"ins": autre.ins, "code": "ZZZZ-ZZZZ-ZZZZ"},
    }
    travaux = {nom: _travail(monkeypatch, envoi) for nom, envoi in cas.items()}
    for nom, (verifications, requetes, page) in travaux.items():
        assert verifications == 1, nom
        assert requetes == travaux["INS inconnu"][1], nom
        assert page == travaux["INS inconnu"][2], nom
    assert "est incorrect" in travaux["INS inconnu"][2]
    assert "bloqué" not in travaux["code bloqué"][2]


def test_locking_the_code_needs_the_right_birth_date(a_activer: tuple[Espace, str]) -> None:
    espace, code = a_activer
    for _ in range(8):
        with pytest.raises(services.Refus):
            services.espace_activation_verifier(
                ins=espace.ins, date_naissance=date(1975, 2, 4), code="ZZZZ-ZZZZ-ZZZZ"
            )
    code_actif = CodeActivation.objects.get(espace=espace)
    assert code_actif.essais_echoues == 0 and code_actif.verrouille_le is None
    verifie, _code = services.espace_activation_verifier(
        ins=espace.ins, date_naissance=NAISSANCE, code=code
    )
    assert verifie == espace


def test_the_fifth_wrong_code_locks_silently_and_only_the_right_code_learns_it_is_blocked(
    a_activer: tuple[Espace, str],
) -> None:
    espace, code = a_activer
    for _ in range(6):
        with pytest.raises(services.Refus) as refus:
            services.espace_activation_verifier(ins=espace.ins, date_naissance=NAISSANCE, code="Z")
        assert refus.value.code == "refus"
    assert CodeActivation.objects.get(espace=espace).verrouille_le is not None
    with pytest.raises(services.Refus) as refus:
        services.espace_activation_verifier(ins=espace.ins, date_naissance=NAISSANCE, code=code)
    assert refus.value.code == "verrouille"


def test_activation_is_throttled_per_ins_whatever_the_address(
    a_activer: tuple[Espace, str], settings: object
) -> None:
    settings.ACTIVATION_RATE_LIMIT_INS = "3/h"  # type: ignore[attr-defined]
    espace, _code = a_activer
    statuts = [
        Client(REMOTE_ADDR=f"192.0.2.{rang}")
        .post(
            reverse("profil:activation"),
            {"ins": espace.ins, "date_naissance": "1975-02-03", "code": "Z", "choix": "activer"},
        )
        .status_code
        for rang in range(4)
    ]
    assert statuts == [200, 200, 200, 429]


def test_the_holder_learns_of_failed_tries_in_the_history_and_on_activating(
    a_activer: tuple[Espace, str],
) -> None:
    espace, code = a_activer
    _poster(Client(REMOTE_ADDR="192.0.2.9"), espace.ins, "ZZZZ-ZZZZ-ZZZZ")
    _poster(Client(REMOTE_ADDR="192.0.2.9"), espace.ins, "ZZZZ-ZZZZ-ZZZZ")
    echecs = Evenement.objects.filter(espace_uuid=espace.uuid, action=Action.ACTIVATION_ECHEC)
    assert echecs.count() == 2 and {e.ip for e in echecs} == {"192.0.2.9"}
    client = Client()
    client.post(
        reverse("profil:activation"),
        {"ins": espace.ins, "date_naissance": "1975-02-03", "code": code, "choix": "activer"},
    )
    fin = client.post(
        reverse("profil:activation_identifiants"),
        {"email": "jean@exemple.test", "password1": MDP, "password2": MDP},
        follow=True,
    )
    assert "2 essais d&#x27;activation ont échoué" in fin.content.decode()
    historique = client.get(reverse("ensemble:historique", args=[espace.uuid]), follow=True)
    assert historique.status_code == 200
