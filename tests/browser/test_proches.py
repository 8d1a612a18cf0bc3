"""Issue 21, point 6, in a real browser: the holder invites a carer (desk, 1280 px) → the carer
accepts (phone, 390 px) → switches to the holder's space → opens a document (in her scope) →
"page introuvable" on the profile (outside it) → the holder revokes → the carer's next click on
that space is refused and the space is gone from her switcher. axe on every page, at both
widths."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from profil.models import Delegation
from tests.factories import EspaceFactory, UtilisateurFactory, document

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LARGEURS = ({"width": 1280, "height": 720}, {"width": 390, "height": 844})


def _verifier(page: Page) -> None:
    """axe on the page as it stands, at the desk's width and at the phone's."""
    avant = page.viewport_size
    for taille in LARGEURS:
        page.set_viewport_size(taille)
        verifier_accessibilite(page)
    if avant is not None:
        page.set_viewport_size(avant)


def _aller(page: Page, action: Any) -> None:
    with page.expect_navigation():
        action()
    _verifier(page)


def test_invite_accept_switch_act_refused_revoke_gone(page: Page, page_mobile: Page) -> None:
    camille = EspaceFactory(
        prenoms="Camille",
        nom_naissance="MARTIN",
        titulaire=UtilisateurFactory(prenom="Camille", nom="MARTIN"),
    )
    marie = EspaceFactory(
        prenoms="Marie",
        nom_naissance="DUPONT",
        sexe="F",
        titulaire=UtilisateurFactory(prenom="Marie", nom="DUPONT"),
    )
    bilan = document(camille, titre="Bilan sanguin de mars")
    proches = f"/espace/{camille.uuid}/proches/"

    # At a desk, Camille invites Marie: documents only, read only.
    se_connecter(page, email=camille.titulaire.email, suivant=proches)
    _verifier(page)
    page.get_by_label("Adresse électronique de votre proche").fill(marie.titulaire.email)
    page.get_by_label(re.compile("Les documents seulement")).check()
    page.get_by_label("Consulter seulement").check()
    _aller(page, page.get_by_role("button", name="Envoyer l'invitation").click)
    expect(page.locator("#invitations-aidants")).to_contain_text(marie.titulaire.email)
    (courriel,) = [m for m in mail.outbox if m.to == [marie.titulaire.email]]
    lien = re.search(r"/proches/invitation-aidant/[^/\s]+/", courriel.body)
    assert lien is not None

    # On her phone, Marie follows the link, logs in, reads the terms and accepts.
    telephone = page_mobile
    se_connecter(telephone, email=marie.titulaire.email, suivant=lien.group(0))
    _verifier(telephone)
    expect(telephone.locator("#invitant")).to_contain_text("Camille MARTIN vous invite")
    expect(telephone.locator("#conditions")).to_contain_text("Les documents seulement")
    expect(telephone.locator("#conditions")).to_contain_text("Consulter seulement")
    _aller(telephone, telephone.get_by_role("button", name="Accepter").click)
    expect(telephone.locator("#liste-aides")).to_contain_text("Camille MARTIN")
    assert Delegation.objects.get(espace=camille).aidant == marie

    # She switches to Camille's space with the header's switcher.
    telephone.get_by_label("Changer d’espace").select_option(
        label="Espace de Camille MARTIN (vous êtes son aidante)"
    )
    _aller(telephone, telephone.get_by_role("button", name="Basculer").click)
    expect(telephone.locator("#bandeau-espace")).to_contain_text(
        "Vous agissez pour Camille MARTIN, en tant qu’aidante."
    )

    # Within her scope: the documents, and one of them.
    _aller(telephone, lambda: telephone.goto(f"/espace/{camille.uuid}/documents/"))
    _aller(
        telephone,
        telephone.get_by_role("link", name=re.compile("Bilan sanguin de mars")).first.click,
    )
    expect(telephone).to_have_url(re.compile(str(bilan.uuid)))

    # Outside it: the profile is a page that does not exist, for her.
    reponse = telephone.goto(f"/espace/{camille.uuid}/profil/")
    assert reponse is not None and reponse.status == 404
    _verifier(telephone)
    expect(telephone.get_by_role("heading", level=1)).to_have_text("Page introuvable")

    # Back on the documents, Marie leaves the page open…
    _aller(telephone, lambda: telephone.goto(f"/espace/{camille.uuid}/documents/"))

    # …while Camille takes the access back.
    _aller(page, lambda: page.goto(proches))
    expect(page.locator("#liste-aidants")).to_contain_text("Marie DUPONT")
    _aller(page, page.get_by_role("button", name=re.compile("Retirer l'accès")).click)
    expect(page.locator("#liste-aidants")).to_have_count(0)

    # Marie's next click in Camille's space is refused; the space left her switcher.
    with telephone.expect_navigation() as navigation:
        telephone.get_by_role("link", name=re.compile("Bilan sanguin de mars")).first.click()
    assert navigation.value is not None and navigation.value.status == 404
    _verifier(telephone)
    expect(telephone.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    _aller(telephone, lambda: telephone.goto(f"/espace/{marie.uuid}/"))
    expect(telephone.locator("#bascule-espace")).to_have_count(0)
    expect(telephone.locator("body")).not_to_contain_text("Camille MARTIN")
