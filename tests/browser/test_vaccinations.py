"""The carnet de vaccination with a vaccination note's vaccinations (issue 16, point 7), in a
real browser at 390 and 1280 px: as the holder (their own entry and the document's on one line,
the calendar's booster done) and as the representative of a child (the note's doses, the link
to the note, the vaccination it could not read, said on the note's page). axe-core on every
page; no page scrolls sideways. Then a professional the holder authorised reads the same carnet,
the note's link leading to the professional's page of the note."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from dossier.models import Document, Statut
from professionnels.matrice import semer
from professionnels.models import AccesProfessionnel
from profil.models import Espace
from tests.dossier.fabrique_vaccins import (
    HEXA_1,
    ROR_1,
    ROR_2,
    Injection,
    deposer_note,
    note_de_vaccination,
)
from tests.factories import EspaceFactory, ProfessionnelFactory, RepresentationFactory

from .conftest import se_connecter
from .test_documents import _verifier, ecran

__all__ = ["ecran"]  # the desktop and phone screens of the documents' journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVAXIS = Injection(le="20250601", atc=("J07CA01", "dTP"), nom="REVAXIS", lot="R45", rang=7)


def _aller(page: Page, action: object) -> None:
    with page.expect_navigation():
        action()  # type: ignore[operator]
    _verifier(page)


@pytest.fixture(autouse=True)
def _matrice() -> None:
    """Transactional tests empty every table, the matrix seeded by its migration included."""
    semer()


def _note(espace: Espace, *injections: Injection) -> Document:
    """A professional's vaccination note, ingested (in-process, at commit)."""
    document = deposer_note(espace, note_de_vaccination(ins=espace.ins, injections=injections))
    document.refresh_from_db()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    return document


def test_the_carnet_shows_the_documents_vaccinations_to_the_holder_and_a_representative(
    ecran: Page,
) -> None:
    page = ecran
    parent = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")  # born in 1980
    enfant = RepresentationFactory(representant=parent).espace  # born on 10 January 2015
    _note(parent, REVAXIS)
    _note(enfant, HEXA_1, ROR_1, ROR_2, Injection(le="", nom="BEXSERO", atc=None))

    # The holder: the booster at 45 is done, read from the note.
    se_connecter(page, email=parent.titulaire.email, suivant=f"/espace/{parent.uuid}/profil/")
    _verifier(page)
    carnet = page.locator("#vaccinations")
    ligne = carnet.locator("li", has_text="Diphtérie, tétanos, poliomyélite")
    expect(ligne).to_contain_text("1er juin 2025")
    expect(ligne).to_contain_text("REVAXIS")
    expect(ligne.get_by_role("link", name="document « Note de vaccination »")).to_be_visible()
    rappel = page.locator("#calendrier-vaccinal tr", has_text="45 ans").first
    expect(rappel).to_contain_text("Faite 01/06/2025")

    # The holder notes the same injection: one line, both sources.
    _aller(page, page.get_by_role("link", name="Ajouter — Vaccinations").click)
    page.get_by_label("Vaccin").select_option("DTP")
    page.get_by_label("Date de l'injection").fill("2025-06-01")
    _aller(page, page.get_by_role("button", name="Enregistrer").click)
    expect(carnet.locator("li")).to_have_count(1)
    expect(ligne).to_contain_text("notée dans l'espace santé")
    expect(ligne.get_by_role("link", name=re.compile(r"^Modifier"))).to_be_visible()
    expect(ligne.get_by_role("link", name="document « Note de vaccination »")).to_be_visible()

    # The representative of the child: the note's doses, the ROR done in the calendar.
    page.goto(f"/espace/{enfant.uuid}/profil/")
    _verifier(page)
    carnet = page.locator("#vaccinations")
    expect(carnet.locator("li")).to_have_count(3)
    expect(carnet.get_by_role("link", name="document « Note de vaccination »")).to_have_count(3)
    ror = carnet.locator("li", has_text="20 mai 2016")
    expect(ror).to_contain_text("Rougeole, oreillons, rubéole")
    expect(ror).to_contain_text("dose 2")
    expect(ror).to_contain_text("lot C34D")
    for dose in ("ROR (dose 2)", "DTCaP-Hib-HepB"):
        expect(page.locator("#calendrier-vaccinal tr", has_text=dose).first).to_contain_text(
            "Faite"
        )

    # The note's page says what went into the carnet and what could not.
    _aller(page, ror.get_by_role("link", name="document « Note de vaccination »").click)
    encadre = page.locator("#vaccinations-du-document")
    expect(encadre).to_contain_text("3 vaccinations de ce document figurent dans le carnet")
    expect(encadre).to_contain_text("« BEXSERO » : la date d'injection manque")
    _aller(page, encadre.get_by_role("link", name="Voir le carnet de vaccination").click)
    expect(page).to_have_url(re.compile(rf"/espace/{enfant.uuid}/profil/#vaccinations$"))


def test_a_professional_reads_the_carnet_with_the_note_s_vaccinations(ecran: Page) -> None:
    page = ecran
    patient = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    note = _note(patient, REVAXIS)
    pro = ProfessionnelFactory(utilisateur__prenom="Paul", utilisateur__nom="LEFEVRE")
    AccesProfessionnel.objects.create(espace=patient, professionnel=pro, autorise=True)

    se_connecter(page, email=pro.utilisateur.email, suivant=f"/pro/patients/{patient.uuid}/profil/")
    _verifier(page)
    ligne = page.locator("#vaccinations li", has_text="Diphtérie, tétanos, poliomyélite")
    expect(ligne).to_contain_text("REVAXIS")
    expect(ligne.get_by_role("link", name=re.compile("^Modifier"))).to_have_count(0)
    expect(page.locator("#calendrier-vaccinal tr", has_text="45 ans").first).to_contain_text(
        "Faite 01/06/2025"
    )
    _aller(page, ligne.get_by_role("link", name="document « Note de vaccination »").click)
    expect(page).to_have_url(re.compile(rf"/pro/patients/{patient.uuid}/documents/{note.uuid}/$"))


def test_a_note_not_read_one_by_one_turns_late_doses_into_doses_to_check(ecran: Page) -> None:
    """Issue 20, point 4: the child's vaccination note says nothing the carnet can read one by
    one; the calendar marks nothing "En retard" but "À vérifier dans vos documents" and leads to
    the note. The parent's own calendar stops at what is due within ten years (no booster
    list to 105)."""
    page = ecran
    parent = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")  # born in 1980
    enfant = RepresentationFactory(representant=parent).espace  # born on 10 January 2015
    note = _note(enfant)  # a note with no vaccination entry

    se_connecter(page, email=parent.titulaire.email, suivant=f"/espace/{parent.uuid}/profil/")
    _verifier(page)
    calendrier = page.locator("#calendrier-vaccinal")
    expect(calendrier).to_contain_text("45 ans")
    for lointain in ("75 ans", "95 ans", "105 ans"):
        expect(calendrier).not_to_contain_text(lointain)

    page.goto(f"/espace/{enfant.uuid}/profil/")
    _verifier(page)
    ror = page.locator("#calendrier-vaccinal tr", has_text="ROR (dose 2)").first
    expect(ror).to_contain_text("À vérifier dans vos documents")
    expect(page.locator("#calendrier-vaccinal")).not_to_contain_text("En retard")
    encadre = page.locator("#vaccinations-a-verifier")
    expect(encadre).to_contain_text("que nous ne savons pas lire une à une")
    _aller(page, encadre.get_by_role("link", name=str(note.titre)).click)
    expect(page).to_have_url(re.compile(rf"/espace/{enfant.uuid}/documents/{note.uuid}/$"))
