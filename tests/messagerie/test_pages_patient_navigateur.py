"""The patient's messagerie in a real browser: the inbox and a thread at desktop and phone
widths (axe-clean, no horizontal scroll, no CSP error), and a new message appearing in the open
thread without a reload (the htmx poller)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from espace_sante.acces import acces_professionnel
from espace_sante.acces.messagerie import acces_fil
from messagerie import services
from professionnels.models import AccesProfessionnel
from tests.browser.conftest import (  # noqa: F401 (the browser fixtures, used by name)
    _playwright,
    navigateur,
    page,
    page_mobile,
    se_connecter,
    verifier_accessibilite,
)
from tests.factories import EspaceFactory, ProfessionnelFactory

from .outils import fichier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUJET_LONG = "Résultats" + "x" * 120  # one long word: it must wrap at 390 px


def _sans_defilement_horizontal(onglet: Page) -> None:
    largeurs = onglet.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert largeurs[0] <= largeurs[1], largeurs


def _monde():  # type: ignore[no-untyped-def]
    patient = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    pro = ProfessionnelFactory(utilisateur__prenom="Paul", utilisateur__nom="LEFEVRE")
    AccesProfessionnel.objects.create(espace=patient, professionnel=pro, autorise=True)
    fil = services.fil_ouvrir_professionnel(
        acces=acces_professionnel(professionnel=pro, espace_uuid=patient.uuid),
        sujet=SUJET_LONG,
        corps="Bonjour,\n<b>vos résultats</b> sont joints.",
        fichiers=[fichier(nom="bilan-" + "y" * 80 + ".pdf")],
    )
    return patient, pro, fil


@pytest.mark.parametrize("largeur", ["bureau", "telephone"])
def test_inbox_and_thread_at_both_widths(largeur: str, request: pytest.FixtureRequest) -> None:
    page_ = request.getfixturevalue("page" if largeur == "bureau" else "page_mobile")
    patient, _pro, fil = _monde()
    se_connecter(page_, email=patient.titulaire.email, suivant=f"/espace/{patient.uuid}/")
    verifier_accessibilite(page_)
    with page_.expect_navigation():
        page_.goto(f"/espace/{patient.uuid}/messagerie/")
    verifier_accessibilite(page_)
    _sans_defilement_horizontal(page_)
    expect(page_.locator("#liste-fils")).to_contain_text("1 non lu")
    with page_.expect_navigation():
        page_.locator("#liste-fils a").first.click()
    verifier_accessibilite(page_)
    _sans_defilement_horizontal(page_)
    expect(page_.locator("#messages-fil")).to_contain_text("<b>vos résultats</b>")
    with page_.expect_navigation():
        page_.goto(f"/espace/{patient.uuid}/messagerie/ecrire/")
    verifier_accessibilite(page_)
    _sans_defilement_horizontal(page_)
    assert fil.uuid


def test_a_new_message_appears_without_reload(page: Page) -> None:  # noqa: F811
    patient, pro, fil = _monde()
    se_connecter(
        page,
        email=patient.titulaire.email,
        suivant=f"/espace/{patient.uuid}/messagerie/{fil.uuid}/",
    )
    verifier_accessibilite(page)
    page.evaluate("window.__meme_page = true")
    services.message_repondre(
        acces=acces_fil(utilisateur=pro.utilisateur, fil_uuid=fil.uuid), corps="Un complément."
    )
    expect(page.locator("#messages-fil")).to_contain_text("Un complément.", timeout=15_000)
    assert page.evaluate("window.__meme_page") is True  # no reload
    expect(page.locator("#messages-fil article")).to_have_count(2)
    assert re.search(r"/messagerie/", page.url)
