"""The second parent's journey in a real browser (issue 21, point 1): a child's representative
invites the other parent on a desktop; the other parent, on a phone, accepts with the child's
birth date and finds the child in their space switcher. Every page axe-checked at 1280 and 390
pixels."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from profil.models import Representation
from tests.factories import EspaceFactory, RepresentationFactory, UtilisateurFactory

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIEN = re.compile(r"(/proches/invitation-parent/[^/\s]+/)")


def _verifier_aux_deux_largeurs(page: Page) -> None:
    """axe at the page's own width, then at the other one, then back."""
    largeur = page.viewport_size["width"] if page.viewport_size else 1280
    verifier_accessibilite(page)
    page.set_viewport_size({"width": 390 if largeur > 390 else 1280, "height": 844})
    verifier_accessibilite(page)
    page.set_viewport_size({"width": largeur, "height": 844})


def test_a_parent_invites_the_other_who_accepts_on_a_phone_and_finds_the_child(
    page: Page, page_mobile: Page
) -> None:
    camille = EspaceFactory(
        prenoms="Camille",
        nom_naissance="MARTIN",
        titulaire=UtilisateurFactory(prenom="Camille", nom="MARTIN"),
    )
    enfant = RepresentationFactory(representant=camille).espace
    dominique = EspaceFactory(
        prenoms="Dominique",
        nom_naissance="DURAND",
        sexe="M",
        titulaire=UtilisateurFactory(prenom="Dominique", nom="DURAND"),
    )

    # The representative, on a desktop: a refusal first (their own address), then the invitation.
    se_connecter(page, email=camille.titulaire.email, suivant=f"/espace/{enfant.uuid}/proches/")
    _verifier_aux_deux_largeurs(page)
    champ = page.get_by_label(re.compile("Adresse électronique de l.autre représentant légal"))
    champ.fill(camille.titulaire.email)
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("adresse de votre propre compte")).to_be_visible()
    _verifier_aux_deux_largeurs(page)
    champ = page.get_by_label(re.compile("Adresse électronique de l.autre représentant légal"))
    champ.fill(dominique.titulaire.email)
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page).to_have_url(re.compile(rf"/espace/{enfant.uuid}/proches/$"))
    expect(page.locator("#invitations-parents")).to_contain_text(dominique.titulaire.email)
    _verifier_aux_deux_largeurs(page)

    trouve = LIEN.search(mail.outbox[-1].body)
    assert trouve is not None
    lien = trouve.group(1)

    # The other parent, on a phone: logs in through the link, proves the birth date, accepts.
    se_connecter(page_mobile, email=dominique.titulaire.email, suivant=lien)
    expect(page_mobile.locator("#invitant")).to_contain_text("Camille MARTIN")
    _verifier_aux_deux_largeurs(page_mobile)
    page_mobile.get_by_label(re.compile("Date de naissance de l.enfant")).fill(
        date(2015, 1, 10).isoformat()
    )
    with page_mobile.expect_navigation():
        page_mobile.get_by_role("button", name="Accepter").click()
    expect(page_mobile).to_have_url(re.compile(r"/espaces/$"))
    bouton = page_mobile.get_by_role(
        "button", name=re.compile(rf"{enfant.nom_complet}.*représentation légale")
    )
    expect(bouton).to_be_visible()
    _verifier_aux_deux_largeurs(page_mobile)
    with page_mobile.expect_navigation():
        bouton.click()
    expect(page_mobile.locator("#bascule-espace")).to_contain_text(enfant.nom_complet)
    _verifier_aux_deux_largeurs(page_mobile)

    assert Representation.objects.filter(espace=enfant, fin__isnull=True).count() == 2
