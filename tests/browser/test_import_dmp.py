"""A DMP import followed in a real browser: the page's script polls the job's progress, moves the
bar, then shows the report when the job ends; axe-core and the CSP on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dossier.models import ImportDMP
from tests.factories import EspaceFactory

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_import_page_follows_the_job_then_shows_its_report(page: Page) -> None:
    espace = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    demande = ImportDMP.objects.create(espace=espace, etat="en_cours", traites=1, total=4)
    se_connecter(
        page,
        email=espace.titulaire.email,
        suivant=f"/espace/{espace.uuid}/documents/import-dmp/{demande.uuid}/",
    )
    barre = page.locator("#progression-import")
    expect(barre).to_have_attribute("value", "1")
    verifier_accessibilite(page)

    ImportDMP.objects.filter(pk=demande.pk).update(traites=3)  # the job moves on
    expect(barre).to_have_js_property("value", 3, timeout=10_000)
    expect(page.locator("label[for=progression-import]")).to_contain_text("3 document(s)")

    ImportDMP.objects.filter(pk=demande.pk).update(
        etat="termine",
        traites=4,
        rapport={
            "importes": ["1.2.3.1", "1.2.3.2", "1.2.3.3"],
            "deja_presents": [],
            "refuses": [["Document04", "Empreinte SHA-1 du document différente des métadonnées."]],
        },
    )
    rapport = page.locator("#rapport-import")
    expect(rapport).to_contain_text("3 documents importés", timeout=10_000)
    expect(rapport).to_contain_text("Document04 — Empreinte SHA-1")
    verifier_accessibilite(page)
