"""Issue 17 in a real browser: a professional logs in and lands on their workspace (on a phone),
deposits a CDA about another person, and is told it is refused and why — never "ajouté"; the
patient's space does not list it. axe-core on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from dossier.models import Document, Statut
from professionnels.matrice import semer
from professionnels.models import AccesProfessionnel
from tests.dossier import fabrique
from tests.factories import EspaceFactory, ProfessionnelFactory, document

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITRE = "Compte rendu opératoire Zeta"


@pytest.fixture(autouse=True)
def _matrice() -> None:
    semer()  # transactional tests empty the matrix the migration seeded


def _aller(page: Page, action: Any) -> None:
    with page.expect_navigation():
        action()
    verifier_accessibilite(page)


def test_a_cda_about_another_person_is_shown_refused_and_the_patient_never_sees_it(
    page_mobile: Page, page: Page
) -> None:
    patient = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    autre = EspaceFactory(prenoms="Dominique", nom_naissance="DURAND")
    document(patient, titre="Bilan lipidique de mars")
    pro = ProfessionnelFactory(utilisateur__prenom="Paul", utilisateur__nom="LEFEVRE")
    AccesProfessionnel.objects.create(espace=patient, professionnel=pro, autorise=True)

    # On a phone: the professional logs in and lands on their workspace, not on "no space".
    pro_page = page_mobile
    se_connecter(pro_page, email=pro.utilisateur.email, suivant="/")
    expect(pro_page).to_have_url(re.compile(r"/pro/$"))
    verifier_accessibilite(pro_page)
    expect(pro_page.get_by_role("heading", level=1)).to_have_text("Mes patients")
    _aller(pro_page, pro_page.get_by_role("link", name="Camille MARTIN").click)
    _aller(pro_page, pro_page.get_by_role("link", name="Déposer un document").click)
    pro_page.get_by_label("Fichier").set_input_files(
        {"name": "cr.xml", "mimeType": "text/xml", "buffer": fabrique.cda(ins=autre.ins)}
    )
    pro_page.get_by_label("Titre").fill(TITRE)
    pro_page.get_by_label("Date de l'acte").fill("2026-03-03")
    pro_page.get_by_label("Type de document").select_option("11488-4")
    _aller(pro_page, pro_page.get_by_role("button", name="Déposer").click)

    # The deposit's page tells the truth: refused, with the reason in plain words.
    expect(pro_page.get_by_role("heading", level=1)).to_have_text(TITRE)
    etat = pro_page.locator("#etat-depot")
    expect(etat).to_contain_text("Refusé")
    expect(etat).to_contain_text("concerne une autre personne")
    expect(pro_page.locator("body")).not_to_contain_text("Document ajouté")
    _aller(pro_page, pro_page.get_by_role("link", name="Tous mes dépôts").click)
    expect(pro_page.locator("table")).to_contain_text(TITRE)
    expect(pro_page.locator("table")).to_contain_text("Refusé")

    depot = next(d for d in Document.objects.all() if d.titre == TITRE)
    assert depot.statut == Statut.EN_ERREUR and depot.blob is None

    # The patient's space does not list it, nor count it.
    se_connecter(page, email=patient.titulaire.email, suivant=f"/espace/{patient.uuid}/documents/")
    verifier_accessibilite(page)
    expect(page.get_by_role("link", name="Bilan lipidique de mars")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(TITRE)
    expect(page.locator("main")).not_to_contain_text("Refusé")
