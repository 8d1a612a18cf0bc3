"""Every chart in a real browser at 320, 390 and 1280 px (issue 20, point 7): the profile's
measures (weight; blood pressure with its two reference bands), a lab result's trend and the
yearly reimbursements. On each: no two text boxes of the SVG overlap, every label is drawn at
least 12 px high, the legend is HTML next to the SVG, the page does not scroll sideways, and
axe-core finds nothing serious (the CSP is checked by the page fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from dossier.assurance.connecteur import ConnecteurHTTP
from dossier.assurance.simulateur import Simulateur
from dossier.assurance.synchro import espace_synchroniser
from professionnels.matrice import semer
from profil.models import Espace, Mesure
from tests.factories import EspaceFactory

from .conftest import _ouvrir_page, se_connecter, verifier_accessibilite
from .test_resultats import _bilans

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each text box of each chart SVG, as drawn: its rectangle and its font size in CSS pixels.
_TEXTES = """(svg) => {
  const echelle = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect();
    return {texte: t.textContent, x: r.left, y: r.top, l: r.width, h: r.height,
            taille: parseFloat(getComputedStyle(t).fontSize) * echelle};
  });
}"""


@pytest.fixture(autouse=True)
def _matrice() -> None:
    """Transactional tests empty every table, the seeded matrix included: put it back."""
    semer()


@pytest.fixture(params=[320, 390, 1280], ids=lambda largeur: f"{largeur}px")
def ecran(request: pytest.FixtureRequest, navigateur: Browser, live_server: Any) -> Iterator[Page]:
    largeur: int = request.param
    yield from _ouvrir_page(
        navigateur,
        live_server.url,
        viewport={"width": largeur, "height": 900},
        is_mobile=largeur < 1000,
    )


def _se_chevauchent(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["l"] - 0.5
        and b["x"] < a["x"] + a["l"] - 0.5
        and a["y"] < b["y"] + b["h"] - 0.5
        and b["y"] < a["y"] + a["h"] - 0.5
    )


def _verifier_graphiques(page: Page, attendus: int) -> None:
    verifier_accessibilite(page)
    largeur = page.evaluate("document.documentElement.scrollWidth")
    assert largeur <= page.viewport_size["width"], largeur  # type: ignore[index]
    graphiques = page.locator("svg.graphique__svg")
    expect(graphiques).to_have_count(attendus)
    for rang in range(attendus):
        svg = graphiques.nth(rang)
        textes = svg.evaluate(_TEXTES)
        assert len(textes) >= 4, textes  # the unit, the axis, the dates or years
        petits = [(t["texte"], round(t["taille"], 1)) for t in textes if t["taille"] < 12]
        assert not petits, f"moins de 12 px : {petits} ({svg.bounding_box()})"
        chevauchements = [
            (a["texte"], b["texte"])
            for i, a in enumerate(textes)
            for b in textes[i + 1 :]
            if _se_chevauchent(a, b)
        ]
        assert not chevauchements, chevauchements
        # The legend: HTML next to the SVG, in the same figure.
        legende = svg.locator(
            "xpath=ancestor::figure[1]//ul[contains(@class,'graphique__legende')]"
        )
        expect(legende).to_be_visible()


def test_the_measures_charts_fit_and_show_each_series_band(ecran: Page) -> None:
    espace: Espace = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    for jour, poids in [(date(2025, 1, 10), "71.8"), (date(2025, 6, 2), "90.4"),
                        (date(2026, 2, 1), "109")]:  # fmt: skip
        Mesure.objects.create(espace=espace, type="poids", valeur=Decimal(poids), date=jour)
    for jour, haute, basse in [(date(2025, 3, 1), "150", "95"), (date(2026, 1, 5), "128", "82")]:
        Mesure.objects.create(
            espace=espace,
            type="tension",
            valeur=Decimal(haute),
            valeur_basse=Decimal(basse),
            date=jour,
        )
    se_connecter(ecran, email=espace.titulaire.email, suivant=f"/espace/{espace.uuid}/profil/")
    _verifier_graphiques(ecran, 2)
    poids = ecran.locator("#courbe-poids")
    expect(poids.locator("svg.graphique__svg text.graphique__unite")).to_have_text("kg")
    graduations = poids.locator("svg.graphique__svg text.graphique__texte").all_text_contents()
    assert "71.8" not in graduations and "80" in graduations and "100" in graduations
    tension = ecran.locator("#courbe-tension")
    expect(tension.locator("rect.graphique__bande")).to_have_count(2)
    expect(tension.locator(".graphique__legende li")).to_have_count(2)
    expect(tension.locator(".graphique__legende")).to_contain_text(
        "Pression diastolique (trait pointillé rouge) — zone de référence : 60 à 90"
    )


def test_a_lab_result_trend_and_the_reimbursements_fit(ecran: Page) -> None:
    espace: Espace = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    _bilans(espace)
    with Simulateur() as simulateur:
        espace_synchroniser(espace_id=espace.pk, connecteur=ConnecteurHTTP(simulateur.url))
    se_connecter(ecran, email=espace.titulaire.email, suivant=f"/espace/{espace.uuid}/")
    verifier_accessibilite(ecran)
    ecran.goto(f"/espace/{espace.uuid}/resultats/")
    verifier_accessibilite(ecran)
    with ecran.expect_navigation():
        ecran.locator("#liste-resultats").get_by_role("link", name="Glucose", exact=True).click()
    _verifier_graphiques(ecran, 1)
    expect(ecran.locator("svg.graphique__svg text.graphique__unite")).to_have_text("g/L")
    ecran.goto(f"/espace/{espace.uuid}/remboursements/")
    _verifier_graphiques(ecran, 1)
    expect(ecran.locator("svg.graphique__svg text.graphique__unite")).to_have_text("€")
