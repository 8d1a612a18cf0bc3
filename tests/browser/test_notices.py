"""Refusals as notices, and the history in people's words, in a real browser (issue 20,
points 2 and 5), on a desktop window (1280 px) and a phone (390 px), axe-checked.

A refused file is told once on the documents page, with its reason and what to do, never as a
row of the list; the person puts the notice away. An upload of one good and one refused file
says which was refused and that the other is received, never "ajouté" beside a refusal. The
history names the document, says "Vous", and shows no IP address."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from dossier.models import Source, Statut
from ensemble import demo
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur, evenement_enregistrer
from tests.factories import EspaceFactory, document

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOTIF = "Ce fichier n'est ni un PDF, ni une image, ni un document de santé lisible."


@pytest.fixture(params=["bureau", "telephone"])
def ecran(request: pytest.FixtureRequest) -> Page:
    """A desktop window (1280×720), then a phone (390×844, touch)."""
    return request.getfixturevalue("page" if request.param == "bureau" else "page_mobile")


def _verifier(page: Page) -> None:
    verifier_accessibilite(page)
    contenu, fenetre = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert contenu <= fenetre, f"{page.url} défile en largeur : {contenu} px pour {fenetre} px"


def test_a_refused_file_is_a_notice_put_away_once_read(ecran: Page) -> None:
    espace = EspaceFactory()
    document(espace, titre="Bilan sanguin de mars")
    document(
        espace,
        titre="Ordonnance scannée",
        source=Source.PATIENT,
        statut=Statut.EN_ERREUR,
        motif_erreur=MOTIF,
        blob=None,
    )
    liste = reverse("dossier:documents", args=[espace.uuid])
    se_connecter(ecran, email=espace.titulaire.email, suivant=liste)
    _verifier(ecran)
    notices = ecran.locator("#fichiers-refuses")
    expect(notices).to_contain_text("Ordonnance scannée")
    expect(notices).to_contain_text(MOTIF)
    expect(notices).to_contain_text("Si vous avez besoin de ce document")
    expect(ecran.locator("#liste-documents")).to_contain_text("Bilan sanguin de mars")
    expect(ecran.locator("#liste-documents")).not_to_contain_text("Ordonnance scannée")
    expect(ecran.get_by_text("En erreur")).to_have_count(0)
    with ecran.expect_navigation():
        notices.get_by_role("button", name="J'ai compris").click()
    _verifier(ecran)
    expect(ecran.locator("#fichiers-refuses")).to_have_count(0)


def test_one_good_and_one_refused_file_are_told_apart(ecran: Page, tmp_path: Path) -> None:
    espace = EspaceFactory()
    bon, mauvais = tmp_path / "compte-rendu.pdf", tmp_path / "outil.exe"
    bon.write_bytes(demo.pdf(1))
    mauvais.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)
    se_connecter(
        ecran,
        email=espace.titulaire.email,
        suivant=reverse("dossier:deposer", args=[espace.uuid]),
    )
    _verifier(ecran)
    ecran.get_by_label("Fichiers").set_input_files([bon, mauvais])
    ecran.get_by_label("Titre").fill("Compte rendu")
    ecran.get_by_label("Date de l'acte ou du document").fill(date(2026, 1, 15).isoformat())
    ecran.get_by_label("Type de document").select_option("DOCPAT05")
    # Refused in part, the answer is the form again (the script writes it in place).
    ecran.get_by_role("button", name="Ajouter", exact=True).click()
    expect(ecran.get_by_text("Le fichier « outil.exe » n'a pas été ajouté")).to_be_visible()
    _verifier(ecran)
    expect(ecran.get_by_text("1 fichier reçu")).to_be_visible()
    expect(ecran.locator("body")).not_to_contain_text("ajouté(s)")
    expect(ecran.locator(".fr-alert--success")).to_have_count(0)


def test_the_history_names_the_document_and_says_you(ecran: Page) -> None:
    espace = EspaceFactory()
    doc = document(espace, titre="Compte rendu d'hospitalisation", date_acte=date(2025, 9, 1))
    evenement_enregistrer(
        action=Action.DOCUMENT_CONSULTE,
        acteur=Acteur.pour_utilisateur(espace.titulaire, "titulaire"),
        espace_uuid=espace.uuid,
        objet_type="document",
        objet_id=str(doc.uuid),
        ip="203.0.113.9",
    )
    se_connecter(
        ecran,
        email=espace.titulaire.email,
        suivant=reverse("ensemble:historique", args=[espace.uuid]),
    )
    _verifier(ecran)
    tableau = ecran.locator("#evenements")
    expect(tableau).to_contain_text(
        "Vous a consulté « Compte rendu d'hospitalisation » du 1er septembre 2025"
    )
    expect(tableau).not_to_contain_text("203.0.113.9")
    expect(ecran.get_by_label("Thème")).to_be_visible()
