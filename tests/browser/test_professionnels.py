"""Professionals in a real browser (issue 5): the patient authorises a professional (with a
fresh password check), the professional reads and deposits, the patient sees the new document
and the history entry, revokes, and the professional's next request answers 404; then an
emergency access with its banner and the patient's notification. axe-core on every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from dossier.models import Document
from professionnels.matrice import semer
from professionnels.models import BrisDeGlace
from tests.dossier import fabrique
from tests.factories import MOT_DE_PASSE, EspaceFactory, ProfessionnelFactory, document

from .conftest import _ouvrir_page, se_connecter, verifier_accessibilite, vieillir_connexion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _matrice() -> None:
    """Transactional tests empty every table after them, the matrix seeded by its migration
    included: put it back for these journeys."""
    semer()


@pytest.fixture
def page_pro(navigateur: Browser, live_server: Any) -> Iterator[Page]:
    """A second browser, the professional's, with its own cookies."""
    yield from _ouvrir_page(navigateur, live_server.url)


def _aller(page: Page, action: Any) -> None:
    with page.expect_navigation():
        action()
    verifier_accessibilite(page)


def test_grant_read_deposit_history_revoke(page: Page, page_pro: Page) -> None:
    patient = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    document(patient, titre="Bilan lipidique de mars", type_code="11502-2")
    pro = ProfessionnelFactory(utilisateur__prenom="Paul", utilisateur__nom="LEFEVRE")

    # The patient finds the professional and authorises them; an hour after the log-in, she
    # types the password again.
    se_connecter(
        page, email=patient.titulaire.email, suivant=f"/espace/{patient.uuid}/professionnels/"
    )
    verifier_accessibilite(page)
    page.get_by_label(re.compile("Rechercher un professionnel")).fill("lefevre")
    _aller(page, page.get_by_role("button", name="Rechercher").click)
    _aller(page, page.locator("#resultats").get_by_role("link", name="Autoriser").click)
    vieillir_connexion(page)
    _aller(page, page.get_by_role("button", name="Autoriser").click)
    expect(page).to_have_url(re.compile(r"/comptes/reauthenticate/"))
    page.get_by_label(re.compile(r"Mot de passe")).fill(MOT_DE_PASSE)
    # allauth replays the suspended request once the password is checked.
    _aller(page, page.get_by_role("button", name=re.compile("Confirmer|Valider")).click)
    expect(page.locator("#professionnels")).to_contain_text("Autorisé par vous")

    # The professional reads the dossier and deposits a report, invisible to other professionals.
    se_connecter(page_pro, email=pro.utilisateur.email, suivant="/pro/")
    verifier_accessibilite(page_pro)
    _aller(page_pro, page_pro.get_by_role("link", name="Camille MARTIN").click)
    _aller(page_pro, page_pro.get_by_role("link", name="Bilan lipidique de mars").click)
    expect(page_pro.locator(".metadonnees")).to_contain_text("Dr Paul DURAND")
    page_pro.go_back()
    verifier_accessibilite(page_pro)
    _aller(page_pro, page_pro.get_by_role("link", name="Déposer un document").click)
    page_pro.get_by_label("Fichier").set_input_files(
        {"name": "compte-rendu.pdf", "mimeType": "application/pdf", "buffer": fabrique.pdf(1)}
    )
    page_pro.get_by_label("Titre").fill("Compte rendu de consultation cardiologique")
    page_pro.get_by_label("Date de l'acte").fill("2026-03-03")
    page_pro.get_by_label("Type de document").select_option("11488-4")
    _aller(page_pro, page_pro.get_by_role("button", name="Déposer").click)
    expect(page_pro.get_by_role("heading", level=1)).to_have_text(
        "Compte rendu de consultation cardiologique"
    )
    depose = next(  # titles are encrypted: read, then compare
        d for d in Document.objects.all() if d.titre == "Compte rendu de consultation cardiologique"
    )
    assert depose.auteur_id == str(pro.utilisateur.uuid)
    assert depose.statut == "disponible", depose.motif_erreur

    # The patient sees the new document and the history in plain language.
    page.goto(f"/espace/{patient.uuid}/documents/")
    verifier_accessibilite(page)
    expect(
        page.get_by_role("link", name="Compte rendu de consultation cardiologique")
    ).to_be_visible()
    page.goto(f"/espace/{patient.uuid}/historique/?onglet=professionnels")
    verifier_accessibilite(page)
    historique = page.locator("#evenements")
    expect(historique).to_contain_text(
        "médecin généraliste, a consulté « Bilan lipidique de mars »"
    )
    expect(historique).to_contain_text(
        "médecin généraliste, a ajouté « Compte rendu de consultation cardiologique » "
        "du 3 mars 2026"
    )

    # The patient withdraws the access: the professional's next click answers 404.
    page.goto(f"/espace/{patient.uuid}/professionnels/")
    verifier_accessibilite(page)
    _aller(page, page.get_by_role("button", name="Retirer l'accès").click)
    expect(page.locator("#professionnels")).to_contain_text("Accès retiré")
    reponse = page_pro.reload()
    verifier_accessibilite(page_pro)
    assert reponse is not None and reponse.status == 404


def test_an_emergency_access_shows_its_banner_and_tells_the_patient(page_pro: Page) -> None:
    patient = EspaceFactory(prenoms="Jean", nom_naissance="DUPONT")
    document(patient, titre="Synthèse médicale", type_code="60591-5")
    urgentiste = ProfessionnelFactory(utilisateur__prenom="Lina", utilisateur__nom="GARNIER")

    se_connecter(page_pro, email=urgentiste.utilisateur.email, suivant="/pro/")
    verifier_accessibilite(page_pro)
    _aller(page_pro, page_pro.get_by_role("link", name="Accès en urgence").first.click)
    page_pro.get_by_label("INS du patient").fill(patient.ins)
    page_pro.get_by_label("Date de naissance du patient").fill(patient.date_naissance.isoformat())
    page_pro.get_by_label(re.compile("bris de glace")).check()
    page_pro.get_by_label("Raison de l'accès en urgence").fill(
        "Patient inconscient, admis aux urgences"
    )
    _aller(page_pro, page_pro.get_by_role("button", name="Ouvrir l'accès en urgence").click)
    expect(page_pro.locator(".bandeau-urgence")).to_contain_text("Accès en urgence en cours")
    expect(page_pro.get_by_role("link", name="Synthèse médicale")).to_be_visible()
    _aller(page_pro, page_pro.get_by_role("link", name="Mes patients").click)
    expect(page_pro.locator(".bandeau-urgence")).to_contain_text("Jean DUPONT")

    assert BrisDeGlace.objects.filter(espace=patient, professionnel=urgentiste).exists()
    # Two e-mails to the patient: the emergency access, and a professional's first read.
    assert {tuple(m.to) for m in mail.outbox} == {(patient.titulaire.email,)}
    assert sum("accès en urgence" in m.body for m in mail.outbox) == 1
