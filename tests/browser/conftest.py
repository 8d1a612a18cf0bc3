"""Browser journeys: the system Chromium driven by Playwright against pytest-django's live server.

Every page a journey reaches is checked with axe-core (no "serious" or "critical" violation) and
must log no Content Security Policy error. The ``page`` fixture keeps count: a test fails if a
page it navigated to was never checked by ``verifier_accessibilite``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils.module_loading import import_string
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from tests.conftest import en_ci
from tests.factories import MOT_DE_PASSE, SECRET_TOTP

CHROMIUM = Path("/usr/bin/chromium")
ARGUMENTS_CHROMIUM = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
]
IMPACTS_BLOQUANTS = {"serious", "critical"}
PERIODE_TOTP = 30
DELAI = 10_000  # ms: generous for a loaded CI machine, never reached when all goes well

_AXE = Axe()


@dataclass
class _Suivi:
    """What one page went through: documents loaded, documents checked, console errors."""

    navigations: list[str] = field(default_factory=list)
    verifiees: set[int] = field(default_factory=set)
    erreurs_console: list[str] = field(default_factory=list)


_SUIVIS: WeakKeyDictionary[Page, _Suivi] = WeakKeyDictionary()


# --- Browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def _playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        raison = f"{CHROMIUM} est absent : les tests navigateur ont besoin du Chromium du système."
        if en_ci():
            pytest.fail(f"{raison} (CI=true : l'absence est une erreur, pas un saut)")
        pytest.skip(raison)
    # Playwright's sync API keeps an event loop running in the test thread, and Django refuses
    # ORM calls from a thread with a running loop unless told it is safe: it is, the test thread
    # only waits on the browser. Package scope: the loop and this variable end with the browser
    # tests instead of leaking into the rest of the session.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as p:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield p


@pytest.fixture(scope="package")
def navigateur(_playwright: Playwright) -> Iterator[Browser]:
    browser = _playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=ARGUMENTS_CHROMIUM
    )
    yield browser
    browser.close()


def _ouvrir_page(navigateur: Browser, base_url: str, **options: Any) -> Iterator[Page]:
    """A fresh context (no cookies) on the live server; CSP errors and unchecked pages fail."""
    # No bypass_csp: axe-core is injected through the DevTools protocol (page.evaluate), which
    # the page's Content-Security-Policy does not restrict, so the pages are tested as served.
    contexte = navigateur.new_context(base_url=base_url, locale="fr-FR", **options)
    contexte.set_default_timeout(DELAI)
    page = contexte.new_page()
    suivi = _Suivi()
    _SUIVIS[page] = suivi

    def sur_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            suivi.erreurs_console.append(f"{page.url}: {message.text}")

    def sur_navigation(frame: Any) -> None:
        if frame == page.main_frame and frame.url.startswith("http"):
            suivi.navigations.append(frame.url)

    page.on("console", sur_console)
    page.on("framenavigated", sur_navigation)
    yield page
    contexte.close()

    csp = [e for e in suivi.erreurs_console if "Content Security Policy" in e]
    assert not csp, "Violations de la CSP dans la console :\n" + "\n".join(csp)
    non_verifiees = [url for i, url in enumerate(suivi.navigations) if i not in suivi.verifiees]
    assert not non_verifiees, (
        "Pages visitées sans contrôle d'accessibilité (appeler verifier_accessibilite) :\n"
        + "\n".join(non_verifiees)
    )


@pytest.fixture
def page(navigateur: Browser, live_server: Any) -> Iterator[Page]:
    """A desktop-sized page (Playwright's default 1280×720)."""
    yield from _ouvrir_page(navigateur, live_server.url)


@pytest.fixture
def page_sans_scripts(navigateur: Browser, live_server: Any) -> Iterator[Page]:
    """A desktop-sized page whose scripts are not loaded: the markup as served, as it stands
    before any script runs (JavaScript itself stays on: axe-core runs in the page)."""
    for page in _ouvrir_page(navigateur, live_server.url):
        page.route("**/*.js", lambda route: route.abort())
        yield page


@pytest.fixture
def page_mobile(navigateur: Browser, live_server: Any) -> Iterator[Page]:
    """A phone-sized page: 390×844 CSS pixels, touch, the mobile viewport meta honoured."""
    yield from _ouvrir_page(
        navigateur,
        live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
    )


# --- Accessibility -----------------------------------------------------------------------------


def _noeuds(violation: dict[str, Any]) -> str:
    lignes = []
    for noeud in violation["nodes"]:
        cible = " ".join(str(t) for t in noeud["target"])
        html = " ".join(str(noeud.get("html", "")).split())[:160]
        lignes.append(f"      - {cible} — {html}")
    return "\n".join(lignes)


def verifier_accessibilite(page: Page, *, regles_ignorees: frozenset[str] = frozenset()) -> None:
    """Run axe-core on the page as it stands; fail on any serious or critical violation.

    ``regles_ignorees`` is for a rule broken by third-party markup we cannot override; each
    use must say why where it is passed.
    """
    page.wait_for_load_state("load")
    resultats = _AXE.run(page)
    bloquantes = [
        v
        for v in resultats.response["violations"]
        if v["impact"] in IMPACTS_BLOQUANTS and v["id"] not in regles_ignorees
    ]
    suivi = _SUIVIS.get(page)
    if suivi is not None and suivi.navigations:
        suivi.verifiees.add(len(suivi.navigations) - 1)
    assert not bloquantes, f"Accessibilité de {page.url} — violations bloquantes :\n" + "\n".join(
        f"  * {v['id']} ({v['impact']}) : {v['help']}\n{_noeuds(v)}" for v in bloquantes
    )


# --- Second factor -----------------------------------------------------------------------------


def code_totp(secret: str) -> str:
    """The current TOTP code, never one about to expire (the server allows no clock tolerance)."""
    restant = PERIODE_TOTP - time.time() % PERIODE_TOTP
    if restant < 3:
        time.sleep(restant + 0.1)
    compteur = int(time.time()) // PERIODE_TOTP
    return format_hotp_value(hotp_value(secret, compteur))


# --- Logging in --------------------------------------------------------------------------------


def mot_de_passe_saisir(page: Page, *, email: str) -> None:
    """On the login page: the e-mail and password, up to the second factor's page."""
    verifier_accessibilite(page)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label(re.compile(r"^\s*Mot de passe")).fill(MOT_DE_PASSE)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter", exact=True).click()
    expect(page).to_have_url(re.compile(r"/comptes/2fa/authenticate/"))
    verifier_accessibilite(page)


def se_connecter(page: Page, *, email: str, suivant: str = "/") -> None:
    """Log in through allauth (e-mail + password, then the TOTP code), checking each page.

    The account is one of ``tests.factories``: password ``MOT_DE_PASSE``, TOTP ``SECRET_TOTP``.
    """
    page.goto(suivant)
    expect(page).to_have_url(re.compile(r"/comptes/login/"))
    mot_de_passe_saisir(page, email=email)
    page.get_by_label("Code", exact=True).fill(code_totp(SECRET_TOTP))
    with page.expect_navigation():
        page.get_by_role("button", name="Connexion").click()
    expect(page).not_to_have_url(re.compile(r"/comptes/"))


def vieillir_connexion(page: Page, *, secondes: int = 3600) -> None:
    """Move the session's record of the log-in ``secondes`` into the past, as if the person had
    logged in long ago: the next sensitive action asks for the password again (a fresh log-in
    does not, issue 20 point 8)."""
    nom = settings.SESSION_COOKIE_NAME
    (cle,) = [c["value"] for c in page.context.cookies() if c["name"] == nom]
    magasin: SessionBase = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(cle)
    enregistrements = magasin["account_authentication_methods"]
    for enregistrement in enregistrements:
        enregistrement["at"] -= secondes
    magasin["account_authentication_methods"] = enregistrements
    magasin.save()
