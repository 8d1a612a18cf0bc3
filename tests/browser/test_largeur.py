"""Phone widths and no JavaScript (issue 20, point 6): no page of the walk scrolls sideways at
320 or 390 px, and without JavaScript the menu and "Se déconnecter" stay reachable on a phone.

The walk: the demo's accounts (``manage.py demo``) — the holder Camille, Camille acting for her
son Léo (a representative), and Dr Lefèvre (a professional) — each from their home, following
the internal links of every page reached (GET only, no query string, no download), at most
``PAGES_PAR_PERSONNE`` pages each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from ensemble.management.commands.demo import MOT_DE_PASSE, SECRET_TOTP
from profil.models import Espace

from .conftest import code_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LARGEURS = (320, 390)
PAGES_PAR_PERSONNE = 30
CAMILLE = "camille.martin@demo.espace-sante.test"
DR_LEFEVRE = "dr.lefevre@demo.espace-sante.test"
# Not followed: leaving, the admin, files and downloads (not pages), and the writes behind GET
# confirmations are POST anyway.
EXCLUS = re.compile(
    r"^/(comptes/logout|admin/|static/|media/)|/(contenu|apercu|telecharger|pieces)/|"
    r"\.(pdf|json|ics|zip)$|/parametres/export/[0-9a-f-]{36}/"
)
LARGEUR_JS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
# The widest element of the page, to say what overflows.
FAUTIF_JS = """(limite) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limite + 1)
    .slice(-3)
    .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`
        + ` (${Math.round(e.getBoundingClientRect().right)} px)`)"""


@pytest.fixture
def demo(transactional_db: Any) -> None:
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _contexte(navigateur: Browser, base: str, **options: Any) -> BrowserContext:
    contexte = navigateur.new_context(base_url=base, locale="fr-FR", **options)
    contexte.set_default_timeout(15_000)
    return contexte


def _connecter(page: Page, email: str) -> None:
    page.goto("/comptes/login/")
    page.get_by_label("Courriel").fill(email)
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(MOT_DE_PASSE)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/"))
    page.get_by_label("Code", exact=True).fill(code_totp(SECRET_TOTP))
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()
    expect(page).not_to_have_url(re.compile(r"/comptes/"))


def _liens(page: Page) -> Iterator[str]:
    for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))"):
        chemin = (href or "").split("#")[0]
        if chemin.startswith("/") and "?" not in chemin and not EXCLUS.search(chemin):
            yield chemin


def _parcourir(page: Page, depart: str) -> tuple[list[str], list[str]]:
    """Every page reached from ``depart`` and, for each width, those wider than the screen."""
    vues: list[str] = []
    a_voir = [depart]
    trop_larges: list[str] = []
    while a_voir and len(vues) < PAGES_PAR_PERSONNE:
        chemin = a_voir.pop(0)
        if chemin in vues:
            continue
        vues.append(chemin)
        try:
            reponse = page.goto(chemin)
        except PlaywrightError as erreur:  # a file served as a download: not a page
            assert "Download is starting" in str(erreur), erreur
            continue
        if reponse is None or "text/html" not in reponse.headers.get("content-type", ""):
            continue
        for largeur in LARGEURS:
            page.set_viewport_size({"width": largeur, "height": 800})
            defile, visible = page.evaluate(LARGEUR_JS)
            if defile > visible:
                fautifs = page.evaluate(FAUTIF_JS, visible)
                trop_larges.append(f"{chemin} à {largeur} px : {defile} px ({fautifs})")
        a_voir.extend(c for c in _liens(page) if c not in vues)
    return vues, trop_larges


@pytest.mark.usefixtures("demo")
def test_no_page_of_the_walk_scrolls_sideways_at_320_and_390_px(
    navigateur: Browser, live_server: Any
) -> None:
    leo = Espace.objects.get(prenoms__startswith="Léo")
    # One log-in each (a TOTP code serves once): Camille walks her space, then Léo's.
    marches = [(CAMILLE, ["/", f"/espace/{leo.uuid}/"]), (DR_LEFEVRE, ["/"])]
    trop_larges: list[str] = []
    for email, departs in marches:
        contexte = _contexte(navigateur, live_server.url)
        page = contexte.new_page()
        _connecter(page, email)
        for depart in departs:
            vues, fautes = _parcourir(page, depart)
            assert len(vues) >= 5, (email, vues)  # the walk did walk
            trop_larges += fautes
        contexte.close()
    assert not trop_larges, "Pages plus larges que l'écran :\n" + "\n".join(trop_larges)


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("largeur", LARGEURS)
def test_without_javascript_the_menu_and_logout_are_reachable_on_a_phone(
    navigateur: Browser, live_server: Any, largeur: int
) -> None:
    contexte = _contexte(
        navigateur,
        live_server.url,
        java_script_enabled=False,
        viewport={"width": largeur, "height": 800},
    )
    page = contexte.new_page()
    _connecter(page, CAMILLE)
    menu = page.get_by_role("navigation", name="Menu de l’espace")
    expect(menu.get_by_role("link", name="Documents")).to_be_visible()
    menu.get_by_role("link", name="Documents").click()
    expect(page).to_have_url(re.compile(r"/documents/$"))
    deconnexion = page.get_by_role("link", name="Se déconnecter")
    expect(deconnexion).to_be_visible()
    deconnexion.click()
    expect(page).to_have_url(re.compile(r"/comptes/logout/"))
    for chemin in ("/", "/comptes/logout/"):
        page.goto(chemin)
        defile, visible = page.evaluate(LARGEUR_JS)
        assert defile <= visible, (chemin, defile, page.evaluate(FAUTIF_JS, visible))
    contexte.close()
