"""“Télécharger toutes mes données” in a real browser: from Paramètres, the holder asks for an
export, sees it ready, and downloads a zip holding their document. axe-core on every page, no
CSP error."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from profil.models import ExportDonnees
from tests.factories import MOT_DE_PASSE, EspaceFactory, document

from .conftest import se_connecter, verifier_accessibilite, vieillir_connexion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ask_for_an_export_from_parametres_and_download_it(page: Page) -> None:
    patient = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    contenu = b"%PDF-1.4\n% compte rendu pour l'export\n"
    document(patient, contenu=contenu, titre="Compte rendu de consultation")

    se_connecter(page, email=patient.titulaire.email, suivant=f"/espace/{patient.uuid}/parametres/")
    verifier_accessibilite(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Demander un export de mes données").click()
    verifier_accessibilite(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Télécharger toutes mes données")
    # The job ran when the request committed (tasks run in-process without a broker).
    expect(page.locator("#exports")).to_contain_text("Prêt à télécharger")

    # An hour after the log-in, downloading asks for the password again; allauth then replays
    # the download.
    vieillir_connexion(page)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Télécharger")).click()
    expect(page).to_have_url(re.compile(r"/comptes/reauthenticate/"))
    verifier_accessibilite(page)
    page.get_by_label(re.compile(r"Mot de passe")).fill(MOT_DE_PASSE)
    with page.expect_download() as telechargement:
        page.get_by_role("button", name=re.compile("Confirmer|Valider")).click()
    archive = zipfile.ZipFile(io.BytesIO(open(telechargement.value.path(), "rb").read()))  # noqa: SIM115
    assert archive.testzip() is None
    originaux = [n for n in archive.namelist() if n.startswith("documents/")]
    assert [archive.read(n) for n in originaux] == [contenu]
    assert ExportDonnees.objects.get().telecharge_le is not None
