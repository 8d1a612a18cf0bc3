"""The help centre: the questions (seeded, searchable without accents or case), the contact
tickets and their admin, the accessibility statement and the footer's links."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib import admin
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from aide.models import Categorie, DemandeContact, QuestionFrequente, Statut, Theme
from aide.recherche import normaliser
from aide.services import demandes_statut_changer, questions_publiees

from ..conftest import client_pour
from ..factories import ProfessionnelFactory, UtilisateurFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Je n'arrive pas à me connecter depuis mon nouveau téléphone."


def _poster(client: Client, **champs: str):  # type: ignore[no-untyped-def]
    donnees = {"categorie": Categorie.CONNEXION, "message": MESSAGE, "email": "lea@example.org"}
    donnees.update(champs)
    return client.post(reverse("aide:contact"), donnees)


def test_normaliser_drops_accents_case_and_extra_spaces() -> None:
    assert normaliser("  Éléments  d’ACCÈS\n") == "elements d'acces"


def test_the_migration_seeds_about_twenty_published_questions_in_every_theme() -> None:
    questions = QuestionFrequente.objects.filter(publiee=True)
    assert 18 <= questions.count() <= 30
    assert set(questions.values_list("theme", flat=True)) == set(Theme.values)
    assert all(q.texte_recherche for q in questions)


def test_search_ignores_accents_and_case(client: Client) -> None:
    reponse = client.get(reverse("aide:index"), {"q": "CODE D'ACTIVATION perdu"})
    assert reponse.status_code == 200
    assert "perdu mon code d'activation" in html.unescape(reponse.content.decode())
    reponse = client.get(reverse("aide:index"), {"q": "recuperation"})
    contenu = reponse.content.decode()
    assert "codes de récupération" in contenu
    assert "Comment bloquer un professionnel" not in contenu


def test_search_matches_answers_and_needs_every_word() -> None:
    assert questions_publiees(recherche="corbeille").filter(theme=Theme.DOCUMENTS).exists()
    assert not questions_publiees(recherche="corbeille zzzinconnu").exists()


def test_an_unpublished_question_is_never_shown(client: Client) -> None:
    QuestionFrequente.objects.create(
        theme=Theme.COMPTE, question="Brouillon caché", reponse="pas encore", publiee=False
    )
    assert "Brouillon caché" not in client.get(reverse("aide:index")).content.decode()
    assert not questions_publiees(recherche="brouillon").exists()


def test_a_question_edited_in_the_admin_is_found_by_its_new_words() -> None:
    question = QuestionFrequente.objects.create(theme=Theme.COMPTE, question="Q", reponse="R")
    question.reponse = "Une réponse sur la Vérification"
    question.save(update_fields=["reponse"])
    assert questions_publiees(recherche="verification").filter(pk=question.pk).exists()


def test_the_help_page_is_open_without_logging_in_and_lists_themes_as_anchors(
    client: Client,
) -> None:
    contenu = client.get(reverse("aide:index")).content.decode()
    for theme in Theme:
        assert f'href="#theme-{theme.value}"' in contenu
        assert f'id="theme-{theme.value}"' in contenu


def test_answers_are_shown_escaped(client: Client) -> None:
    QuestionFrequente.objects.create(
        theme=Theme.COMPTE, question="Piège", reponse="<script>alert(1)</script>"
    )
    contenu = client.get(reverse("aide:index")).content.decode()
    assert "<script>alert(1)</script>" not in contenu
    assert "&lt;script&gt;" in contenu


def test_an_anonymous_person_opens_a_ticket_and_gets_its_number_without_the_message(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _poster(client)
    assert reponse.status_code == 302
    demande = DemandeContact.objects.get()
    assert demande.email == "lea@example.org"
    assert demande.utilisateur is None
    assert demande.statut == Statut.NOUVELLE
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lea@example.org"]
    assert demande.numero in mail.outbox[0].subject
    assert "téléphone" not in mail.outbox[0].body
    page = client.get(reponse["Location"]).content.decode()
    assert demande.numero in page
    assert "téléphone" not in page


def test_the_form_warns_against_medical_information_and_asks_an_address_when_logged_out(
    client: Client,
) -> None:
    contenu = html.unescape(client.get(reverse("aide:contact")).content.decode())
    assert "N'écrivez pas d'information médicale ici." in contenu
    assert 'name="email"' in contenu
    assert 'name="csrfmiddlewaretoken"' in contenu


def test_an_anonymous_ticket_needs_an_address(client: Client) -> None:
    reponse = _poster(client, email="")
    assert reponse.status_code == 200
    assert not DemandeContact.objects.exists()


def test_a_logged_in_person_is_not_asked_an_address_and_the_ticket_is_theirs(titulaire) -> None:  # type: ignore[no-untyped-def]
    client = client_pour(titulaire.titulaire)
    assert 'name="email"' not in client.get(reverse("aide:contact")).content.decode()
    _poster(client, email="autre@example.org")
    demande = DemandeContact.objects.get()
    assert demande.utilisateur == titulaire.titulaire
    assert demande.email == titulaire.titulaire.email


def test_the_message_is_encrypted_at_rest(client: Client) -> None:
    _poster(client)
    with connection.cursor() as curseur:
        curseur.execute("SELECT message FROM aide_demandecontact")
        (brut,) = curseur.fetchone()
    assert "téléphone" not in brut
    assert DemandeContact.objects.get().message == MESSAGE


def test_the_sixth_ticket_within_an_hour_from_one_address_is_refused(client: Client) -> None:
    for _ in range(5):
        assert _poster(client).status_code == 302
    reponse = _poster(client)
    assert reponse.status_code == 200
    assert "plusieurs demandes en peu de temps" in reponse.content.decode()
    assert DemandeContact.objects.count() == 5


def test_an_account_is_limited_whatever_its_address(titulaire) -> None:  # type: ignore[no-untyped-def]
    client = client_pour(titulaire.titulaire)
    for rang in range(5):
        assert _poster(client, REMOTE_ADDR=f"10.0.0.{rang}").status_code == 302
    for rang in range(5):
        client.post(
            reverse("aide:contact"),
            {"categorie": Categorie.AUTRE, "message": "encore"},
            REMOTE_ADDR=f"10.0.1.{rang}",
        )
    assert DemandeContact.objects.count() == 5


def test_the_contact_form_requires_a_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    reponse = client.post(
        reverse("aide:contact"),
        {"categorie": Categorie.AUTRE, "message": "x", "email": "a@example.org"},
    )
    assert reponse.status_code == 403
    assert not DemandeContact.objects.exists()


def test_operators_filter_tickets_and_mark_them_in_progress_or_resolved(client: Client) -> None:
    _poster(client)
    _poster(client, categorie=Categorie.DOCUMENTS)
    modele_admin = admin.site._registry[DemandeContact]
    assert set(modele_admin.list_filter) == {"statut", "categorie"}
    assert "message" in modele_admin.readonly_fields
    assert {"marquer_en_cours", "marquer_resolue"} <= set(modele_admin.actions)
    demandes_statut_changer(
        demandes=DemandeContact.objects.filter(categorie=Categorie.DOCUMENTS),
        statut=Statut.RESOLUE,
    )
    resolue = DemandeContact.objects.get(categorie=Categorie.DOCUMENTS)
    assert resolue.statut == Statut.RESOLUE
    assert resolue.resolue_le is not None
    assert DemandeContact.objects.get(categorie=Categorie.CONNEXION).statut == Statut.NOUVELLE


def test_an_operator_reads_a_ticket_in_the_admin_and_lists_them_by_status(
    client: Client,
) -> None:
    _poster(client)
    demande = DemandeContact.objects.get()
    operateur = client_pour(UtilisateurFactory(is_staff=True, is_superuser=True))
    page = operateur.get(reverse("admin:aide_demandecontact_change", args=[demande.pk]))
    assert page.status_code == 200
    assert "depuis mon nouveau téléphone" in html.unescape(page.content.decode())
    liste = operateur.get(reverse("admin:aide_demandecontact_changelist"), {"statut": "nouvelle"})
    assert demande.numero in liste.content.decode()


def test_the_accessibility_statement_gives_the_rgaa_sections(client: Client) -> None:
    contenu = client.get(reverse("aide:accessibilite")).content.decode()
    for section in (
        "partiellement conforme",
        "Résultats des tests",
        "axe-core",
        "Contenus non accessibles",
        "Voies de recours",
        "Défenseur des droits",
        reverse("aide:contact") + "?sujet=accessibilite",
    ):
        assert section in contenu


def test_the_subject_can_be_chosen_by_the_link(client: Client) -> None:
    contenu = client.get(reverse("aide:contact"), {"sujet": "accessibilite"}).content.decode()
    assert re.search(r'<option value="accessibilite"\s+selected', contenu)
    contenu = client.get(reverse("aide:contact"), {"sujet": "<b>"}).content.decode()
    assert "selected" not in contenu


def test_the_footer_include_links_help_contact_and_accessibility() -> None:
    html = render_to_string("includes/pied_de_page_liens.html")
    for nom in ("aide:index", "aide:contact", "aide:accessibilite"):
        assert f'href="{reverse(nom)}"' in html


def test_a_search_without_answer_says_so_and_offers_the_contact_form(client: Client) -> None:
    contenu = client.get(reverse("aide:index"), {"q": "zzzinconnu"}).content.decode()
    assert "Aucune réponse pour « zzzinconnu »" in contenu
    assert f'href="{reverse("aide:contact")}"' in contenu


@pytest.mark.parametrize("statut", ["suspendu", "verifie"])
def test_a_professional_reaches_the_account_and_an_inactive_one_the_support(statut: str) -> None:
    pro = ProfessionnelFactory(statut=statut)
    page = client_pour(pro.utilisateur).get(reverse("professionnels:accueil")).content.decode()
    assert f'href="{reverse("comptes:compte")}"' in page  # "Mon compte" in the menu
    support = f'href="{reverse("aide:contact")}?sujet=professionnels"'
    assert (support in page) is (statut != "verifie")
    assert "Contactez le support" not in page
