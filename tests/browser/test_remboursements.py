"""The reimbursement history in a real browser: synced from the simulator, filtered by kind,
its chart drawn; axe-core and the CSP on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dossier.assurance.connecteur import ConnecteurHTTP
from dossier.assurance.simulateur import Simulateur
from dossier.assurance.synchro import espace_synchroniser
from tests.factories import EspaceFactory

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_holder_reads_and_filters_their_reimbursements(page: Page) -> None:
    espace = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    with Simulateur() as simulateur:
        espace_synchroniser(espace_id=espace.pk, connecteur=ConnecteurHTTP(simulateur.url))
        lignes = simulateur.lignes(espace.ins)
    se_connecter(page, email=espace.titulaire.email, suivant=f"/espace/{espace.uuid}/")
    verifier_accessibilite(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Remboursements").first.click()
    verifier_accessibilite(page)
    annees = {ligne["date"][:4] for ligne in lignes}
    graphique = page.locator("#graphique-reste-a-charge svg.graphique__svg")
    expect(graphique).to_be_visible()
    expect(graphique.locator("rect.graphique-remboursements__barre")).to_have_count(len(annees))
    expect(page.locator("#totaux-annee tbody tr")).to_have_count(len(annees))

    dentaires = [ligne for ligne in lignes if ligne["nature"] == "dentaire"]
    page.get_by_label("Nature des soins").select_option("dentaire")
    with page.expect_navigation():
        page.get_by_role("button", name="Filtrer").click()
    verifier_accessibilite(page)
    expect(page.locator("#lignes-remboursements tbody tr")).to_have_count(min(len(dentaires), 50))
