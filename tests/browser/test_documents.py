"""Documents in a real browser: upload → processing → preview → hide → show → delete → undo.

The journey is made for a PDF, a DICOM series and a CDA document, one after the other in the
same space, on a desktop window and on a phone. Every page reached is checked with axe-core and
must fit the screen: no horizontal scrolling, no button whose label is cut off.

The ingestion job is held back. In tests Celery runs tasks in-process and the deposit queues
the job with ``transaction.on_commit``: left alone, the job finishes inside the upload request
and the "processing" state is never seen. Held, it runs when the page's script first asks for
the status (``static/js/dossier.js``), as a worker would finish while the person waits. That
status request waits in the browser meanwhile, so the live server is idle while the job writes
to the test database it shares with this thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, Route, expect

from dossier import services, tasks
from dossier.models import Document, Statut
from dossier.types import TYPES
from ensemble import demo
from espace_sante.lib.formulations import date_en_mots
from profil.models import Espace
from tests.factories import EspaceFactory

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UUID = r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}"
STATUT = "**/statut/"
DOSSIER = "Examens de l'année"

# Every visible button (or link styled as one) whose label overflows its box: a label cut off,
# as DSFR does to the icon buttons of a group not marked ``fr-btns-group--icon-left``. The
# header's menu and close buttons are icon-only by design (their label is for screen readers).
_BOUTONS_TRONQUES = """() => [...document.querySelectorAll(
        '.fr-btn:not(.fr-btn--menu):not(.fr-btn--close)')]
    .filter(b => b.getClientRects().length)
    .filter(b => b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1)
    .map(b => `« ${b.textContent.trim()} » : ${b.clientWidth}×${b.clientHeight} px`
        + ` pour ${b.scrollWidth}×${b.scrollHeight} px de contenu`)"""


# --- Screens -----------------------------------------------------------------------------------


@pytest.fixture(params=["bureau", "telephone"])
def ecran(request: pytest.FixtureRequest) -> Page:
    """A desktop window (1280×720), then a phone (390×844, touch)."""
    return request.getfixturevalue("page" if request.param == "bureau" else "page_mobile")


def _verifier(page: Page) -> None:
    """axe-core, then the layout: the page fits the screen's width, and so do button labels."""
    verifier_accessibilite(page)
    contenu, fenetre = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert contenu <= fenetre, f"{page.url} défile en largeur : {contenu} px pour {fenetre} px"
    tronques = page.evaluate(_BOUTONS_TRONQUES)
    assert not tronques, f"{page.url} — libellés de boutons tronqués : {tronques}"


def _suivre(page: Page, action: Callable[[], object]) -> None:
    """Do what leads to another page and wait until it has loaded (no polling)."""
    with page.expect_navigation():
        action()


def _message(page: Page, texte: str | re.Pattern[str]) -> None:
    expect(page.locator("#messages").get_by_role("status").filter(has_text=texte)).to_be_visible()


def _metadonnee(page: Page, terme: str) -> Locator:
    return page.locator(".metadonnees dt", has_text=terme).locator("xpath=following-sibling::dd[1]")


def _en_francais(jour: date) -> str:
    with translation.override("fr"):
        return date_en_mots(jour)


# --- The ingestion job, held back ----------------------------------------------------------------


@dataclass
class Ingestions:
    """Deposits' ingestion jobs, queued at commit as the application does, run on demand."""

    en_attente: list[int] = field(default_factory=list)
    statuts: list[Route] = field(default_factory=list)
    terminees: bool = True

    def programmer(self, document: Document) -> None:
        transaction.on_commit(partial(self.en_attente.append, document.pk))

    @contextmanager
    def retenues(self, page: Page) -> Iterator[None]:
        """Until ``terminer``, the page's status polls wait in the browser."""
        self.terminees = False
        page.route(STATUT, self._retenir)
        try:
            yield
        finally:
            # Routing disables the browser's cache (every page would fetch DSFR again).
            page.unroute(STATUT)

    def _retenir(self, route: Route) -> None:
        if self.terminees:
            route.continue_()
        else:
            self.statuts.append(route)

    def terminer(self) -> None:
        """The worker's turn: run the queued jobs (eagerly), then let the status polls go."""
        assert self.en_attente, "Le dépôt n'a programmé aucun traitement"
        while self.en_attente:
            assert tasks.document_ingerer.delay(self.en_attente.pop(0)).get() == "disponible"
        self.terminees = True
        while self.statuts:
            self.statuts.pop(0).continue_()


@pytest.fixture
def ingestions(monkeypatch: pytest.MonkeyPatch) -> Ingestions:
    retenues = Ingestions()
    monkeypatch.setattr(services, "_programmer_ingestion", retenues.programmer)
    return retenues


# --- The three kinds of file ---------------------------------------------------------------------


def _apercu_pdf(page: Page) -> None:
    expect(_metadonnee(page, "Format")).to_contain_text("PDF · 2 pages")
    apercu = page.get_by_title("Aperçu du PDF")
    premiere = page.get_by_role("img", name="Première page du document")
    ouvrir = page.get_by_role("link", name="Ouvrir le PDF")
    if page.viewport_size and page.viewport_size["width"] < 768:
        # Phones have no PDF viewer in a frame: the first page, and a link to their reader.
        expect(apercu).to_be_hidden()
        expect(premiere).to_be_visible()
        expect(ouvrir).to_be_visible()
    else:
        expect(apercu).to_be_visible()
        expect(ouvrir).to_be_hidden()
    # What the frame is given: the original, inline.
    src = apercu.get_attribute("src")
    assert src is not None
    reponse = page.request.get(src)
    assert reponse.ok
    assert reponse.headers["content-type"] == "application/pdf"
    assert reponse.headers["content-disposition"].startswith("inline")
    assert reponse.body().startswith(b"%PDF-")


def _apercu_dicom(page: Page) -> None:
    expect(page.get_by_text("Modalité : CT")).to_be_visible()
    images = page.get_by_role("img", name=re.compile(r"^Image \d sur 3 du document$"))
    expect(images).to_have_count(3)
    premiere = images.first
    premiere.scroll_into_view_if_needed()
    expect(premiere).to_be_visible()
    premiere.evaluate(
        "image => image.decode()", timeout=5_000
    )  # rejects if the PNG preview did not load


def _apercu_cda(page: Page) -> None:
    contenu = page.get_by_role("region", name="Contenu du document CDA")
    expect(contenu).to_be_visible()
    expect(contenu.get_by_role("heading", name="Thyroïde")).to_be_visible()
    expect(contenu.get_by_text("TSH : 2,1 mUI/L (normal)")).to_be_visible()


@dataclass(frozen=True)
class Fichier:
    nom: str
    titre: str
    type_code: str
    contenu: Callable[[Espace], bytes]
    nature: str
    apercu: Callable[[Page], None]
    # The type once the job read the file: a structured document's own code wins over the
    # form's choice (docs/TYPES.md).
    type_lu: str = ""


FICHIERS = [
    Fichier(
        nom="compte-rendu-consultation.pdf",
        titre="Compte rendu de consultation",
        type_code="DOCPAT03",
        contenu=lambda _espace: demo.pdf(2, ("Consultation de cardiologie", "RAS")),
        nature="pdf",
        apercu=_apercu_pdf,
    ),
    Fichier(
        nom="scanner-thorax.dcm",
        titre="Scanner thoracique",
        type_code="DOCPAT04",
        contenu=lambda _espace: demo.dicom(images=3, taille=32),
        nature="dicom",
        apercu=_apercu_dicom,
    ),
    Fichier(
        nom="bilan-thyroidien.xml",
        titre="Bilan thyroïdien",
        type_code="DOCPAT05",
        # A CDA is kept only if it carries the INS of the space's holder.
        contenu=lambda espace: demo.cda(
            ins=espace.ins, titre="Thyroïde", paragraphes=("TSH : 2,1 mUI/L (normal)",)
        ),
        nature="cda",
        apercu=_apercu_cda,
        type_lu="11502-2",
    ),
]


# --- The journey -------------------------------------------------------------------------------


@pytest.fixture
def espace() -> Espace:
    return EspaceFactory(prenoms="Camille")


def test_a_holder_uploads_previews_hides_shows_deletes_and_restores_documents(
    ecran: Page, espace: Espace, ingestions: Ingestions, tmp_path: Path
) -> None:
    page = ecran
    liste = f"/espace/{espace.uuid}/documents/"
    se_connecter(page, email=espace.titulaire.email, suivant=liste)
    expect(page).to_have_url(re.compile(rf"{liste}$"))
    expect(page.get_by_text("Aucun document ne correspond.")).to_be_visible()
    _verifier(page)

    _suivre(page, page.get_by_role("link", name="Ajouter des documents").click)
    for rang, fichier in enumerate(FICHIERS):
        if rang:  # from the page of the previous document, restored
            page.goto(f"{liste}ajouter/")
        try:
            _parcourir(page, espace, fichier, FICHIERS[:rang], ingestions, tmp_path)
        except Exception as erreur:
            erreur.add_note(f"Parcours de {fichier.nom}, écran {page.viewport_size}")
            raise


def _parcourir(
    page: Page,
    espace: Espace,
    fichier: Fichier,
    precedents: list[Fichier],
    ingestions: Ingestions,
    tmp_path: Path,
) -> None:
    """From the upload form to the document's page, restored after its deletion."""
    liste = f"/espace/{espace.uuid}/documents/"
    le = timezone.localdate() - timedelta(days=3)

    # Upload: the form goes through the script's XHR (progress bar), then follows its redirect.
    expect(page).to_have_url(re.compile(rf"{liste}ajouter/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter des documents")
    _verifier(page)
    chemin = tmp_path / fichier.nom
    chemin.write_bytes(fichier.contenu(espace))
    page.get_by_label("Fichiers").set_input_files(chemin)
    page.get_by_label("Titre").fill(fichier.titre)
    page.get_by_label("Date de l'acte ou du document").fill(le.isoformat())
    page.get_by_label("Type de document").select_option(fichier.type_code)
    page.get_by_label("Ranger dans un dossier").fill(DOSSIER)

    with ingestions.retenues(page):
        with page.expect_request(lambda requete: requete.method == "POST") as envoi:
            _suivre(page, page.get_by_role("button", name="Ajouter", exact=True).click)
        assert envoi.value.resource_type == "xhr", "Le dépôt n'est pas passé par le script"

        # Processing: the page says so while the job has not run.
        expect(page).to_have_url(re.compile(rf"{liste}{UUID}/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(fichier.titre)
        expect(page.get_by_role("status").filter(has_text="Document en traitement")).to_be_visible()
        _verifier(page)
        document = Document.objects.get(espace=espace, uuid=page.url.rstrip("/").rsplit("/", 1)[1])
        assert document.statut == Statut.EN_TRAITEMENT
        assert (document.nom_fichier, document.type_code) == (fichier.nom, fichier.type_code)

        # Preview: the job runs; the script's status poll sees it and reloads the page.
        _suivre(page, ingestions.terminer)
    expect(page.locator("#statut-document")).to_have_attribute("data-statut", "disponible")
    expect(page.get_by_text("Document en traitement")).to_have_count(0)
    fichier.apercu(page)
    expect(_metadonnee(page, "Type")).to_have_text(
        TYPES[fichier.type_lu or fichier.type_code].libelle
    )
    expect(_metadonnee(page, "Date de l'acte")).to_have_text(_en_francais(le))
    expect(_metadonnee(page, "Dossier")).to_have_text(DOSSIER)
    expect(_metadonnee(page, "Visibilité")).to_have_text("Visible des professionnels autorisés")
    expect(page.get_by_role("link", name="Télécharger l'original")).to_be_visible()
    _verifier(page)
    document.refresh_from_db()
    assert (document.statut, document.nature) == (Statut.DISPONIBLE, fichier.nature)

    # Hide from professionals, then show again.
    _suivre(page, page.get_by_role("button", name="Masquer aux professionnels").click)
    _message(page, "Visibilité du document mise à jour.")
    expect(_metadonnee(page, "Visibilité")).to_have_text("Masqué aux professionnels")
    _verifier(page)
    document.refresh_from_db()
    assert document.masque_ps

    _suivre(page, page.get_by_role("button", name="Rendre visible des professionnels").click)
    expect(_metadonnee(page, "Visibilité")).to_have_text("Visible des professionnels autorisés")
    expect(page.get_by_role("button", name="Masquer aux professionnels")).to_be_visible()
    _verifier(page)
    document.refresh_from_db()
    assert not document.masque_ps

    # Delete: back to the list, which no longer shows it and points to the bin.
    _suivre(page, page.get_by_role("button", name="Supprimer", exact=True).click)
    expect(page).to_have_url(re.compile(rf"{liste}$"))
    _message(page, re.compile(r"corbeille"))
    expect(page.get_by_role("link", name=fichier.titre)).to_have_count(0)
    for precedent in precedents:  # deleted, then restored
        expect(page.get_by_role("link", name=precedent.titre)).to_be_visible()
    _verifier(page)
    document.refresh_from_db()
    assert document.supprime_le is not None

    # Undo: from the bin, restore it; its page and its preview are back.
    _suivre(page, page.get_by_role("link", name="Corbeille", exact=True).click)
    expect(page).to_have_url(re.compile(rf"{liste}corbeille/$"))
    ligne = page.locator("#corbeille li").filter(has_text=fichier.titre)
    expect(ligne).to_have_count(1)
    _verifier(page)
    _suivre(page, ligne.get_by_role("button", name="Restaurer").click)

    expect(page).to_have_url(re.compile(rf"{liste}{document.uuid}/$"))
    _message(page, "Document restauré.")
    fichier.apercu(page)
    _verifier(page)
    document.refresh_from_db()
    assert document.supprime_le is None
    assert document.statut == Statut.DISPONIBLE
