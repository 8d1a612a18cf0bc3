"""The medical profile in a real browser (issue 6): an allergy, a measure (its chart appears),
a vaccination (the calendar changes), then the printable summary; axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import EspaceFactory

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _aller(page: Page, action: object) -> None:
    with page.expect_navigation():
        action()  # type: ignore[operator]
    verifier_accessibilite(page)


def test_allergy_measure_vaccination_and_summary(page: Page) -> None:
    espace = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    se_connecter(page, email=espace.titulaire.email, suivant=f"/espace/{espace.uuid}/profil/")
    verifier_accessibilite(page)

    # An allergy.
    _aller(page, page.get_by_role("link", name="Ajouter — Allergies et intolérances").click)
    page.get_by_label("Substance ou aliment").fill("Pénicilline")
    page.get_by_label("Réaction").fill("Urticaire")
    page.get_by_label("Gravité").select_option("severe")
    _aller(page, page.get_by_role("button", name="Enregistrer").click)
    expect(page.locator("#allergies")).to_contain_text("Pénicilline — Sévère")

    # Two weights: the chart is drawn with two points.
    for jour, poids in [("2026-01-05", "70"), ("2026-02-05", "71.5")]:
        _aller(page, page.get_by_role("link", name="Ajouter — Mesures").click)
        page.get_by_label("Mesure").select_option("poids")
        page.get_by_label(re.compile(r"^\s*Valeur")).fill(poids)
        page.get_by_label("Date").fill(jour)
        _aller(page, page.get_by_role("button", name="Enregistrer").click)
    courbe = page.locator("#courbe-poids svg.graphique__svg")
    expect(courbe).to_be_visible()
    expect(courbe.locator("circle.graphique__point")).to_have_count(2)

    # A vaccination: the calendar marks it done.
    naissance = espace.date_naissance
    rappel = naissance.replace(year=naissance.year + 45)  # born in 1980: the booster at 45
    ligne = page.locator("#calendrier-vaccinal tr", has_text="45 ans").first
    expect(ligne).to_contain_text("En retard")
    _aller(page, page.get_by_role("link", name="Ajouter — Vaccinations").click)
    page.get_by_label("Vaccin").select_option("DTP")
    page.get_by_label("Date de l'injection").fill(rappel.isoformat())
    _aller(page, page.get_by_role("button", name="Enregistrer").click)
    expect(page.locator("#calendrier-vaccinal")).to_contain_text(f"Faite {rappel:%d/%m/%Y}")

    # The printable summary is a PDF.
    reponse = page.request.get(f"/espace/{espace.uuid}/profil/synthese/")
    assert reponse.ok and reponse.headers["content-type"] == "application/pdf"
    assert reponse.body().startswith(b"%PDF")
