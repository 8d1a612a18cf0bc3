"""Help, contact and the account's settings in a real browser, on a computer (1280 px) and a
phone (390 px): search the help without logging in, open a ticket, read the accessibility
statement; logged in, from Paramètres, add a phone number and turn an e-mail off. axe-core on
every page, no CSP error."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from aide.donnees import QUESTIONS
from aide.models import DemandeContact, QuestionFrequente
from tests.factories import EspaceFactory

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LARGEURS = ["page", "page_mobile"]


@pytest.fixture(autouse=True)
def _questions() -> None:
    """The seeded questions, again: a transactional test empties the tables after it."""
    if not QuestionFrequente.objects.exists():
        for theme, question, reponse in QUESTIONS:
            QuestionFrequente.objects.create(theme=theme, question=question, reponse=reponse)


def _sans_defilement_horizontal(page: Page) -> None:
    largeur = page.evaluate("document.documentElement.scrollWidth")
    assert largeur <= page.viewport_size["width"], largeur  # type: ignore[index]


@pytest.mark.parametrize("ecran", LARGEURS)
def test_search_the_help_then_write_to_us_without_an_account(
    ecran: str, request: pytest.FixtureRequest
) -> None:
    page: Page = request.getfixturevalue(ecran)
    page.goto("/aide/")
    verifier_accessibilite(page)
    _sans_defilement_horizontal(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Aide")
    page.get_by_label("Rechercher dans l'aide").fill("code d’ACTIVATION perdu")
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher").click()
    verifier_accessibilite(page)
    expect(page.locator("#resultats-aide")).to_contain_text("Une réponse")
    expect(page.get_by_text("Le code d'activation vous est envoyé")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("link", name="Nous contacter").first.click()
    verifier_accessibilite(page)
    _sans_defilement_horizontal(page)
    expect(page.locator("#avertissement-contact")).to_contain_text(
        "N'écrivez pas d'information médicale ici."
    )
    page.get_by_label("Sujet").select_option("activation")
    page.get_by_label(re.compile("Votre message")).fill("Mon code ne fonctionne plus.")
    page.get_by_label(re.compile("Votre adresse e-mail")).fill("lea@exemple.test")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma demande").click()
    verifier_accessibilite(page)
    numero = DemandeContact.objects.get().numero
    expect(page.locator("main")).to_contain_text(numero)

    page.goto("/accessibilite/")
    verifier_accessibilite(page)
    _sans_defilement_horizontal(page)
    expect(page.locator("main")).to_contain_text("partiellement conforme")


@pytest.mark.parametrize("ecran", LARGEURS)
def test_from_parametres_add_a_phone_number_and_turn_an_e_mail_off(
    ecran: str, request: pytest.FixtureRequest
) -> None:
    page: Page = request.getfixturevalue(ecran)
    patient = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    se_connecter(page, email=patient.titulaire.email, suivant=f"/espace/{patient.uuid}/parametres/")
    verifier_accessibilite(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Adresse e-mail, téléphone et e-mails reçus").click()
    verifier_accessibilite(page)
    _sans_defilement_horizontal(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Ajouter un numéro").click()
    verifier_accessibilite(page)
    page.get_by_label(re.compile("Numéro de téléphone")).fill("06 12 34 56 78")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    verifier_accessibilite(page)
    expect(page.locator("main")).to_contain_text("+33612345678")

    page.get_by_label("Un nouveau document est disponible").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer mes choix").click()
    verifier_accessibilite(page)
    expect(page.get_by_label("Un nouveau document est disponible")).not_to_be_checked()
    patient.titulaire.refresh_from_db()
    assert patient.titulaire.notifications_refusees == ["nouveau_document"]
    assert patient.titulaire.telephone == "+33612345678"

    # a new address: the link goes to it, the switch happens once it is confirmed
    with page.expect_navigation():
        page.get_by_role("link", name="Changer d’adresse e-mail").click()
    verifier_accessibilite(page)
    page.get_by_label(re.compile("Nouvelle adresse e-mail")).fill("camille.neuve@exemple.test")
    mail.outbox = []
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le lien de confirmation").click()
    verifier_accessibilite(page)
    lien = re.search(r"/compte/email/confirmer/\S+/", mail.outbox[0].body)
    assert lien is not None
    page.goto(lien.group(0))
    verifier_accessibilite(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer ma nouvelle adresse").click()
    verifier_accessibilite(page)
    expect(page.locator("main")).to_contain_text("camille.neuve@exemple.test")
    patient.titulaire.refresh_from_db()
    assert patient.titulaire.email == "camille.neuve@exemple.test"


def test_the_answers_are_readable_without_javascript(page_sans_scripts: Page) -> None:
    page = page_sans_scripts
    page.goto("/aide/")
    verifier_accessibilite(page)
    reponse = page.get_by_text("Ce sont dix codes à usage unique")
    expect(reponse).to_be_hidden()
    page.get_by_text("À quoi servent les codes de récupération ?").click()
    expect(reponse).to_be_visible()
    page.goto("/aide/?q=corbeille")
    verifier_accessibilite(page)
    expect(page.get_by_text("Il reste 30 jours dans la corbeille")).to_be_visible()
