"""The categories of the Documents page in a real browser (docs/TYPES.md): a rapid diagnostic test
report is under Biologie whatever the form said, a type the national value set does not know is
under "Autres documents" with its own label; on a desktop window and on a phone, every page
checked with axe-core and fitting the screen."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from dossier import services
from dossier.models import Document, Source, Statut
from dossier.types import Categorie
from ensemble import demo
from espace_sante.journal.services import Acteur
from profil.models import Espace
from tests.factories import EspaceFactory

from .conftest import se_connecter
from .test_documents import _metadonnee, _suivre, _verifier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["bureau", "telephone"])
def ecran(request: pytest.FixtureRequest) -> Page:
    """A desktop window (1280×720), then a phone (390×844, touch)."""
    return request.getfixturevalue("page" if request.param == "bureau" else "page_mobile")


def _deposer(espace: Espace, contenu: bytes, titre: str) -> Document:
    """A professional's software sends a structured document, typed as a consultation report."""
    document = services.document_creer(
        espace=espace,
        contenu=contenu,
        nom_fichier="document.xml",
        titre=titre,
        date_acte=date(2026, 3, 3),
        type_code="11488-4",
        auteur=Acteur(type="professionnel", id="810000336601", nom="Dr Paul DURAND"),
        source=Source.PROFESSIONNEL,
        media_type="text/xml",
    )
    document.refresh_from_db()  # the job ran at commit (tasks are eager in tests)
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    return document


def test_a_rapid_test_is_under_biology_and_an_unknown_type_under_other_documents(
    ecran: Page,
) -> None:
    page = ecran
    espace = EspaceFactory(prenoms="Camille")
    trod = _deposer(espace, demo.cda(ins=espace.ins, code="96173-0", titre="TROD angine"), "TROD")
    inconnu = demo.cda(ins=espace.ins, code="94500-6", titre="Dépistage grippe A et B")
    autre = _deposer(espace, inconnu, "Dépistage grippe")
    assert (trod.categorie, autre.categorie) == (Categorie.BIOLOGIE, Categorie.AUTRES)

    liste = f"/espace/{espace.uuid}/documents/"
    se_connecter(page, email=espace.titulaire.email, suivant=liste)
    categories = page.get_by_role("navigation", name="Catégories")
    expect(categories.get_by_role("link", name="Biologie (1)")).to_be_visible()
    expect(categories.get_by_role("link", name="Autres documents (1)")).to_be_visible()
    expect(
        categories.get_by_role("link", name="Comptes rendus & hospitalisation (0)")
    ).to_be_visible()
    _verifier(page)

    # "Autres documents": only the document whose type the nomenclature does not know.
    _suivre(page, categories.get_by_role("link", name="Autres documents (1)").click)
    expect(page).to_have_url(re.compile(r"\?categorie=autres_documents$"))
    expect(categories.get_by_role("link", name="Autres documents (1)")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("link", name="Dépistage grippe")).to_be_visible()
    expect(page.get_by_role("link", name="TROD")).to_have_count(0)
    _verifier(page)
    _suivre(page, page.get_by_role("link", name="Dépistage grippe").click)
    expect(_metadonnee(page, "Type")).to_have_text(
        "Dépistage grippe A et B code 94500-6, hors nomenclature nationale"
    )
    expect(_metadonnee(page, "Catégorie")).to_have_text("Autres documents")
    _verifier(page)

    # Biologie: the rapid test, with its national label, though the form said "consultation".
    page.goto(f"{liste}?categorie=biologie")
    expect(page.get_by_role("link", name="Dépistage grippe")).to_have_count(0)
    _verifier(page)
    _suivre(page, page.get_by_role("link", name="TROD").click)
    expect(_metadonnee(page, "Type")).to_have_text("Test rapide d'orientation diagnostique")
    expect(_metadonnee(page, "Catégorie")).to_have_text("Biologie")
    _verifier(page)
