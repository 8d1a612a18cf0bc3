"""Issue 18, point 8, in a real browser: a professional writes with an attachment → the patient
is told by e-mail (no content), reads, files the attachment among her documents, replies → the
professional sees the reply; the patient starts a conversation with her médecin traitant, who
reads it. Each side at desktop and phone widths, axe on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from dossier.models import Document, Source
from messagerie.models import Fil
from professionnels.models import AccesProfessionnel
from tests.dossier.test_fichiers import pdf
from tests.factories import EspaceFactory, ProfessionnelFactory

from .conftest import se_connecter, verifier_accessibilite

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _aller(page: Page, action: Any) -> None:
    with page.expect_navigation():
        action()
    verifier_accessibilite(page)


def _sans_defilement_horizontal(page: Page) -> None:
    largeurs = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert largeurs[0] <= largeurs[1], largeurs


def _monde(**lien: bool):  # type: ignore[no-untyped-def]
    patient = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    pro = ProfessionnelFactory(utilisateur__prenom="Paul", utilisateur__nom="LEFEVRE")
    AccesProfessionnel.objects.create(espace=patient, professionnel=pro, **lien)
    return patient, pro


def test_le_professionnel_ecrit_la_patiente_lit_classe_et_repond(
    page: Page, page_mobile: Page
) -> None:
    patient, pro = _monde(autorise=True)

    # The professional, at a desk, writes from the patient's page with a letter attached.
    se_connecter(page, email=pro.utilisateur.email, suivant="/pro/")
    verifier_accessibilite(page)
    _aller(page, page.get_by_role("link", name="Camille MARTIN").click)
    _aller(page, page.get_by_role("link", name="Écrire au patient").click)
    page.get_by_label("Objet").fill("Vos résultats de bilan")
    page.get_by_label("Message").fill("Bonjour, voici mon courrier.\nÀ bientôt.")
    page.get_by_label("Fichiers joints").set_input_files(
        {"name": "courrier-bilan.pdf", "mimeType": "application/pdf", "buffer": pdf(1)}
    )
    _aller(page, page.get_by_role("button", name="Envoyer").click)
    expect(page.get_by_text("Message envoyé à")).to_be_visible()
    fil = Fil.objects.get()

    # The patient is told, without content, and where to go.
    (courriel,) = [
        m for m in mail.outbox if m.to == [patient.titulaire.email] and "vous a écrit" in m.subject
    ]
    assert "Un professionnel de santé vous a écrit" in courriel.subject
    assert "bilan" not in courriel.body and "/messagerie/" in courriel.body

    # On her phone: the menu's count, the thread, the attachment filed, a reply.
    telephone = page_mobile
    se_connecter(telephone, email=patient.titulaire.email, suivant="/messagerie/")
    expect(telephone).to_have_url(re.compile(rf"/espace/{patient.uuid}/messagerie/$"))
    verifier_accessibilite(telephone)
    _sans_defilement_horizontal(telephone)
    expect(telephone.locator("#liste-fils")).to_contain_text("1 non lu")
    _aller(telephone, telephone.get_by_role("link", name="Vos résultats de bilan").click)
    _sans_defilement_horizontal(telephone)
    expect(telephone.locator("#messages-fil")).to_contain_text("voici mon courrier")
    _aller(
        telephone, telephone.get_by_role("button", name=re.compile("Ajouter à mes documents")).click
    )
    expect(telephone.get_by_text("est ajouté à vos documents")).to_be_visible()
    document = Document.objects.get(espace=patient)
    assert document.source == Source.PATIENT and document.titre == "courrier-bilan"
    telephone.get_by_role("textbox", name=re.compile("^Message")).fill("Merci docteur, bien reçu.")
    _aller(telephone, telephone.get_by_role("button", name="Envoyer").click)
    expect(telephone.locator("#messages-fil")).to_contain_text("Merci docteur, bien reçu.")
    _sans_defilement_horizontal(telephone)

    # The professional sees the reply, and that she read his message.
    _aller(page, page.get_by_role("link", name=re.compile("^Messagerie")).first.click)
    expect(page.get_by_text("1 non lu").first).to_be_visible()
    _aller(page, page.get_by_role("link", name="Vos résultats de bilan").click)
    expect(page.get_by_text("Merci docteur, bien reçu.")).to_be_visible()
    expect(page.get_by_text(re.compile("^Lu par "))).to_be_visible()
    assert fil.messages.count() == 2


def test_la_patiente_ecrit_a_son_medecin_traitant(page: Page, page_mobile: Page) -> None:
    patient, pro = _monde(medecin_traitant=True)

    se_connecter(page, email=patient.titulaire.email, suivant=f"/espace/{patient.uuid}/messagerie/")
    verifier_accessibilite(page)
    _aller(page, page.get_by_role("link", name="Écrire à un professionnel").click)
    page.get_by_label("Professionnel").select_option(str(pro.uuid))
    page.get_by_label("Objet").fill("Renouvellement d'ordonnance")
    page.get_by_label("Message").fill("Bonjour docteur, pouvez-vous renouveler mon traitement ?")
    _aller(page, page.get_by_role("button", name="Envoyer").click)
    expect(page.get_by_text("Message envoyé à Dr Paul LEFEVRE")).to_be_visible()

    telephone = page_mobile
    se_connecter(telephone, email=pro.utilisateur.email, suivant="/pro/messagerie/")
    verifier_accessibilite(telephone)
    _sans_defilement_horizontal(telephone)
    _aller(telephone, telephone.get_by_role("link", name="Renouvellement d'ordonnance").click)
    _sans_defilement_horizontal(telephone)
    expect(telephone.get_by_text("pouvez-vous renouveler mon traitement")).to_be_visible()
    telephone.get_by_role("textbox", name=re.compile("^Message")).fill(
        "C'est fait, passez à la pharmacie."
    )
    _aller(telephone, telephone.get_by_role("button", name="Envoyer").click)
    _aller(page, page.reload)
    expect(page.get_by_text("C'est fait, passez à la pharmacie.")).to_be_visible()
