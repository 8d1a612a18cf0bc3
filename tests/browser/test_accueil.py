"""The home dashboard and a closed space in a real browser (issue 20, points 1 and 3), on a
desktop window (1280 px) and a phone (390 px): what is new, the alerts, a section per
represented child; a closed space read in read-only mode with its banner and re-opening. Every
page is checked with axe-core and must fit the screen."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from dossier.models import Source, Statut
from espace_sante.journal.services import Acteur
from professionnels.models import BrisDeGlace
from profil import services
from profil.models import Espace
from tests.factories import EspaceFactory, ProfessionnelFactory, RepresentationFactory, document

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LARGEUR_JS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture(params=["bureau", "telephone"])
def ecran(request: pytest.FixtureRequest) -> Page:
    nom = "page" if request.param == "bureau" else "page_mobile"
    return request.getfixturevalue(nom)


def _verifier(page: Page) -> None:
    verifier_accessibilite(page)
    assert page.evaluate(LARGEUR_JS), f"{page.url} est plus large que l'écran"


def test_the_home_shows_what_is_new_and_what_to_watch_for_each_child(ecran: Page) -> None:
    camille = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    lea = RepresentationFactory(
        representant=camille,
        espace__prenoms="Léa",
        espace__nom_naissance="MARTIN",
        espace__date_naissance=timezone.localdate() - timedelta(days=400),
    ).espace
    document(camille, titre="Compte rendu de cardiologie")
    document(lea, titre="Fichier illisible", statut=Statut.EN_ERREUR, source=Source.PATIENT)
    BrisDeGlace.objects.create(
        espace=lea,
        professionnel=ProfessionnelFactory(utilisateur__nom="URGENTISTE"),
        mode="bris_de_glace",
        motif="chute, enfant inconscient",
        fin=timezone.now() + timedelta(hours=1),
    )
    se_connecter(ecran, email=camille.titulaire.email)
    expect(ecran.get_by_role("heading", name="Ces 30 derniers jours")).to_be_visible()
    expect(ecran.get_by_role("link", name="Compte rendu de cardiologie")).to_be_visible()
    enfant = ecran.locator(f"#enfant-{lea.uuid}")
    expect(enfant.get_by_role("heading", name=re.compile("Léa MARTIN"))).to_be_visible()
    expect(enfant.locator(".alerte-urgence")).to_contain_text("chute, enfant inconscient")
    expect(enfant.locator(".alerte-refus")).to_be_visible()
    expect(enfant.locator(".alerte-vaccins").first).to_be_visible()
    _verifier(ecran)


def _clore(espace: Espace) -> None:
    services.espace_cloturer(espace=espace, acteur=Acteur.systeme())


def test_a_closed_space_is_read_in_read_only_mode_and_can_be_reopened(ecran: Page) -> None:
    camille = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    document(camille, titre="Ordonnance de kinésithérapie")
    _clore(camille)
    se_connecter(ecran, email=camille.titulaire.email)
    expect(ecran.get_by_role("heading", name="Votre espace santé est clôturé")).to_be_visible()
    _verifier(ecran)
    ecran.get_by_role("link", name="Consulter mes documents").click()
    expect(ecran.locator("#espace-clos")).to_contain_text("Votre espace est clos depuis le")
    expect(ecran.get_by_role("link", name="Ordonnance de kinésithérapie")).to_be_visible()
    expect(ecran.get_by_role("link", name="Ajouter un document")).to_be_hidden()
    _verifier(ecran)
    ecran.get_by_role("link", name="Ordonnance de kinésithérapie").click()
    expect(ecran.get_by_role("heading", name="Ordonnance de kinésithérapie")).to_be_visible()
    _verifier(ecran)
    ecran.locator("#espace-clos").get_by_role("link", name="Rouvrir mon espace").click()
    expect(ecran).to_have_url(re.compile(r"#rouvrir$"))
    _verifier(ecran)
    with ecran.expect_navigation():
        ecran.get_by_role("button", name="Rouvrir mon espace santé").click()
    expect(ecran.locator("#espace-clos")).to_have_count(0)
    _verifier(ecran)
