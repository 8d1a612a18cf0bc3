"""A DMP import followed in a real browser: the page's script polls the job's progress, moves the
bar, then shows the report when the job ends; a conflict settled from the report, on a phone and
on a desktop; axe-core and the CSP on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dossier import import_dmp
from dossier.models import ConflitImport, Document, ImportDMP
from ensemble import demo
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
    expect(page.locator("label[for=progression-import]")).to_contain_text(
        "3 sur 4 documents traités"
    )

    ImportDMP.objects.filter(pk=demande.pk).update(
        etat="termine",
        traites=4,
        rapport={
            "importes": ["1.2.3.1", "1.2.3.2", "1.2.3.3"],
            "deja_presents": [],
            "refuses": [
                [
                    "Document n° 4 de l'archive",
                    "Le fichier est abîmé ou a été modifié : son empreinte (SHA-1) n'est pas "
                    "celle que l'archive annonce.",
                ]
            ],
        },
    )
    rapport = page.locator("#rapport-import")
    expect(rapport).to_contain_text("3 documents importés", timeout=10_000)
    expect(rapport).to_contain_text("Document n° 4 de l'archive — Le fichier est abîmé")
    verifier_accessibilite(page)


def _archive(ins: str, texte: str) -> bytes:
    return demo.archive_xdm(
        ins=ins,
        documents=[
            demo.DocumentXDM(
                contenu=demo.cda(ins=ins, titre=texte),
                identifiant_unique="1.2.250.1.999.5.7",
                titre="Compte rendu de biologie",
            )
        ],
    )


@pytest.mark.parametrize("ecran", ["page_mobile", "page"])
def test_the_holder_settles_a_conflict_from_the_import_s_report(ecran: str, request) -> None:  # type: ignore[no-untyped-def]
    page: Page = request.getfixturevalue(ecran)
    espace = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    import_dmp.archive_importer(espace=espace, contenu=_archive(espace.ins, "Version initiale"))
    rapport = import_dmp.archive_importer(
        espace=espace, contenu=_archive(espace.ins, "Version corrigée")
    )
    demande = ImportDMP.objects.create(
        espace=espace,
        etat="termine",
        rapport={"importes": [], "deja_presents": [], "conflits": rapport.conflits, "refuses": []},
    )
    se_connecter(
        page,
        email=espace.titulaire.email,
        suivant=f"/espace/{espace.uuid}/documents/import-dmp/{demande.uuid}/",
    )
    expect(page.locator("#rapport-import")).to_contain_text("1 à vérifier")
    expect(page.locator("#titre-conflits")).to_contain_text("1 document à vérifier")
    conflit = page.locator(".conflit-import")
    expect(conflit).to_contain_text("Déjà dans votre espace, avec un contenu différent")
    expect(conflit).not_to_contain_text("1.2.250.1.999.5.7")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    verifier_accessibilite(page)

    with page.expect_navigation():
        conflit.get_by_role("button", name="Importer comme nouvelle version").click()
    expect(page.locator("#messages")).to_contain_text("maintenant la version actuelle")
    expect(conflit).to_contain_text("Importé comme nouvelle version le")
    expect(conflit.get_by_role("button")).to_have_count(0)
    verifier_accessibilite(page)
    assert ConflitImport.objects.get().decision == "nouvelle_version"

    with page.expect_navigation():
        conflit.get_by_role("link", name="Voir le document", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Compte rendu de biologie")
    verifier_accessibilite(page)
    assert Document.objects.filter(espace=espace, statut="archive").count() == 1
