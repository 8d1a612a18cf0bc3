"""The domain's one error type: every app's services refuse with it, so a view or a task catches
a refusal the same way whichever service it called."""

from __future__ import annotations

from dossier import services as dossier
from espace_sante.lib.erreurs import Refus
from professionnels import services as professionnels
from profil import services as profil


def test_every_app_refuses_with_the_same_error() -> None:
    assert dossier.Refus is profil.Refus is professionnels.Refus is Refus


def test_a_refusal_carries_its_message_and_a_default_code() -> None:
    refus = Refus("Cet espace est fermé.")

    assert (str(refus), refus.message, refus.code) == (
        "Cet espace est fermé.",
        "Cet espace est fermé.",
        "refus",
    )
    assert Refus("Code bloqué.", code="verrouille").code == "verrouille"
