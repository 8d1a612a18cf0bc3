"""A curatelle in a real browser (issue 21, point 3): the protected person accepts their
curator from the Proches page on a phone, then the curator finds the space in their switcher
on a desktop; the withdrawal takes it out again. axe-core on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from profil.models import TypeProtection
from tests.factories import EspaceFactory, MesureProtectionFactory

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _aller(page: Page, action: object) -> None:
    with page.expect_navigation():
        action()  # type: ignore[operator]
    verifier_accessibilite(page)


def test_the_protected_person_accepts_and_the_curator_switches_to_the_space(
    page_mobile: Page, page: Page
) -> None:
    mesure = MesureProtectionFactory(
        type=TypeProtection.CURATELLE,
        espace=EspaceFactory(prenoms="Paul", nom_naissance="LEFÈVRE", sexe="M"),
        responsable=EspaceFactory(prenoms="Jeanne", nom_naissance="ROCHE"),
    )
    protege, curateur = mesure.espace, mesure.responsable

    # The protected person, on a phone: their Proches page shows the curatelle to answer.
    mobile = page_mobile
    se_connecter(mobile, email=protege.titulaire.email, suivant=f"/espace/{protege.uuid}/proches/")
    verifier_accessibilite(mobile)
    section = mobile.get_by_role("region", name="Mesures de protection")
    expect(section).to_contain_text("Curatelle")
    expect(section).to_contain_text("Jeanne ROCHE")
    _aller(mobile, section.get_by_role("link", name="Accepter").click)
    expect(mobile.get_by_role("heading", level=1)).to_contain_text("Jeanne ROCHE")
    _aller(mobile, mobile.get_by_role("button", name="Accepter").click)
    expect(
        mobile.locator(".fr-alert, .messages, [role=status], [role=alert]").first
    ).to_contain_text("C'est accepté")
    expect(mobile.get_by_role("link", name="Retirer mon accord")).to_be_visible()

    # The curator, on a desktop: the protected person's space is in the switcher.
    se_connecter(page, email=curateur.titulaire.email, suivant=f"/espace/{curateur.uuid}/")
    verifier_accessibilite(page)
    bascule = page.get_by_label("Changer d’espace")
    expect(bascule.locator("option", has_text="Paul LEFÈVRE")).to_have_count(1)
    bascule.select_option(str(protege.uuid))
    _aller(page, page.get_by_role("button", name="Basculer").click)
    expect(page).to_have_url(re.compile(rf"/espace/{protege.uuid}/$"))
    expect(page.locator("#bandeau-espace")).to_contain_text("Paul LEFÈVRE")

    # The protected person withdraws their agreement: the space leaves the curator's switcher.
    _aller(mobile, mobile.get_by_role("link", name="Retirer mon accord").click)
    _aller(mobile, mobile.get_by_role("button", name="Retirer mon accord").click)
    expect(mobile.get_by_role("link", name="Accepter")).to_be_visible()
    page.goto(f"/espace/{curateur.uuid}/")
    verifier_accessibilite(page)
    expect(page.locator("option", has_text="Paul LEFÈVRE")).to_have_count(0)
