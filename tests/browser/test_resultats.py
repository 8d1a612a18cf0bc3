"""Lab results in a real browser (issue 16): three lab reports ingested, the holder finds the
Résultats page in the menu and follows an analysis' trend (chart, marks, table, a point to its
document), on a phone (390 px) and a desktop (1280 px); the médecin traitant does the same from
the patient's page. axe-core and the CSP on every page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from dossier.models import Resultat, Source
from dossier.services import document_creer
from espace_sante.journal.services import Acteur
from professionnels.matrice import semer
from professionnels.models import AccesProfessionnel
from profil.models import Espace
from tests.dossier.resultats_cda import Obs, cr_bio
from tests.factories import EspaceFactory, ProfessionnelFactory

from .conftest import _ouvrir_page, se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CAPTURES = os.environ.get("CAPTURES_RESULTATS", "")  # a folder: screenshots of the walk


@pytest.fixture(autouse=True)
def _matrice() -> None:
    """Transactional tests empty every table, the seeded matrix included: put it back."""
    semer()


@pytest.fixture
def page_mobile_pro(navigateur: Browser, live_server: Any) -> Iterator[Page]:
    yield from _ouvrir_page(
        navigateur, live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True
    )


def _bilans(espace: Espace) -> None:
    """Three lab reports through the real pipeline: glucose in mg/dL then g/L (a unit change),
    TSH, and a bad observation in the last one."""
    comptes_rendus = [
        (date(2024, 1, 10), [Obs(code="2345-7", libelle="Glucose", valeur="98", unite="mg/dL",
                                 bas="70", haut="110", le="20240110"), Obs(le="20240110")]),
        (date(2024, 6, 12), [Obs(code="2345-7", libelle="Glucose", valeur="1.04", unite="g/L",
                                 bas="0.7", haut="1.1", le="20240612", methode="Hexokinase"),
                             Obs(valeur="3.1", le="20240612")]),
        (date(2025, 1, 20), [Obs(code="2345-7", libelle="Glucose", valeur="1.21", unite="g/L",
                                 bas="0.7", haut="1.1", le="20250120", interpretation="H",
                                 methode="Hexokinase"),
                             Obs(valeur="4.8", le="20250120", interpretation="H"),
                             Obs(code="2823-3", libelle="Potassium", valeur=None)]),
    ]  # fmt: skip
    for rang, (le, observations) in enumerate(comptes_rendus):
        document_creer(
            espace=espace,
            contenu=cr_bio(ins=espace.ins, observations=observations, le=le, identifiant=str(rang)),
            nom_fichier=f"bilan-{rang}.xml",
            titre=f"Bilan du {le:%d/%m/%Y}",
            date_acte=le,
            type_code="11502-2",
            auteur=Acteur(type="professionnel", id="810000336601", nom="Laboratoire de test"),
            source=Source.PROFESSIONNEL,
            media_type="text/xml",
        )
    assert Resultat.objects.filter(espace=espace).count() == 6


def _capture(page: Page, nom: str) -> None:
    if CAPTURES:
        page.screenshot(path=os.path.join(CAPTURES, f"{nom}.png"), full_page=True)


def _sans_debordement(page: Page) -> None:
    """Nothing wider than the screen: wide tables scroll inside their own box."""
    largeur = page.evaluate("document.documentElement.scrollWidth")
    assert largeur <= page.viewport_size["width"], largeur  # type: ignore[index]


def _parcourir(page: Page, nom: str) -> None:
    """From the Résultats list to the glucose trend and its source document."""
    verifier_accessibilite(page)
    _sans_debordement(page)
    _capture(page, f"{nom}-liste")
    lignes = page.locator("#liste-resultats tbody tr")
    expect(lignes).to_have_count(2)
    glucose = lignes.filter(has_text="Glucose")
    expect(glucose).to_contain_text("1,21 g/L")
    expect(glucose).to_contain_text("Hors normes : élevé")
    with page.expect_navigation():
        glucose.get_by_role("link", name="Glucose", exact=True).click()
    verifier_accessibilite(page)
    _sans_debordement(page)
    _capture(page, f"{nom}-glucose")
    graphique = page.locator("figure.courbe-resultats svg.graphique__svg")
    expect(graphique).to_have_count(1)
    expect(graphique.locator("a.courbe-resultats__lien")).to_have_count(3)
    expect(graphique.locator("rect.graphique__bande")).to_have_count(1)
    expect(graphique.locator("line.graphique__marque")).to_have_count(1)
    valeurs = page.locator("#valeurs-resultats tbody tr")
    expect(valeurs).to_have_count(3)
    expect(valeurs.nth(2)).to_contain_text("= 0,98 g/L")
    expect(valeurs.nth(1)).to_contain_text("unité : mg/dL → g/L")
    with page.expect_navigation():
        graphique.locator("a.courbe-resultats__lien").first.click()
    verifier_accessibilite(page)
    expect(page.locator("h1")).to_contain_text("Bilan du 10/01/2024")


@pytest.mark.parametrize("ecran", ["mobile", "bureau"])
def test_the_holder_follows_a_value_over_time(ecran: str, page: Page, page_mobile: Page) -> None:  # type: ignore[no-untyped-def]
    onglet = page_mobile if ecran == "mobile" else page
    espace = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    _bilans(espace)
    se_connecter(onglet, email=espace.titulaire.email, suivant=f"/espace/{espace.uuid}/")
    verifier_accessibilite(onglet)
    if ecran == "mobile":  # the space's menu is behind the skip link's target on a phone
        onglet.goto(f"/espace/{espace.uuid}/resultats/")
    else:
        with onglet.expect_navigation():
            onglet.get_by_role("link", name="Résultats", exact=True).first.click()
    _parcourir(onglet, f"patient-{ecran}")
    # The document's page says what was read, and what was not.
    expect(onglet.locator("#lecture-resultats")).to_contain_text("2 résultats de biologie lus")
    onglet.goto(f"/espace/{espace.uuid}/documents/")
    verifier_accessibilite(onglet)
    with onglet.expect_navigation():
        onglet.get_by_role("link", name="Bilan du 20/01/2025").first.click()
    verifier_accessibilite(onglet)
    expect(onglet.locator("#lecture-resultats")).to_contain_text(
        "2 résultats de biologie lus, 1 ignoré : valeur absente (Potassium)"
    )


@pytest.mark.parametrize("ecran", ["mobile", "bureau"])
def test_the_médecin_traitant_follows_the_same_value(
    ecran: str, page: Page, page_mobile_pro: Page
) -> None:  # type: ignore[no-untyped-def]
    onglet = page_mobile_pro if ecran == "mobile" else page
    espace = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    _bilans(espace)
    pro = ProfessionnelFactory(utilisateur__prenom="Paul", utilisateur__nom="LEFEVRE")
    AccesProfessionnel.objects.create(espace=espace, professionnel=pro, medecin_traitant=True)
    se_connecter(onglet, email=pro.utilisateur.email, suivant=f"/pro/patients/{espace.uuid}/")
    verifier_accessibilite(onglet)
    with onglet.expect_navigation():
        onglet.get_by_role("link", name="Résultats de biologie").click()
    _parcourir(onglet, f"medecin-{ecran}")
