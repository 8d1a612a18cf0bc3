"""The history in people's words (issue 20, point 5): each line names the document or entry,
who (by name and role, or "Vous"), when, how (online, from their software), and an emergency
access's reason; the filter offers themes; the IP stays in the journal."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur, evenement_enregistrer
from professionnels.consultations import urgence_ouvrir
from profil.models import Espace

from ..factories import document

pytestmark = pytest.mark.django_db


def _page(client: Client, espace: Espace, **params: str) -> str:
    reponse = client.get(reverse("ensemble:historique", args=[espace.uuid]), params)
    texte = re.sub(r"<[^>]+>", " ", reponse.content.decode())
    return html.unescape(re.sub(r"\s+", " ", texte))


def test_a_document_is_named_by_its_title_and_the_holder_is_you(
    titulaire: Espace, client_titulaire: Client
) -> None:
    from datetime import date

    doc = document(titulaire, titre="Compte rendu d'hospitalisation", date_acte=date(2025, 9, 1))
    evenement_enregistrer(
        action=Action.DOCUMENT_TELECHARGE,
        acteur=Acteur.pour_utilisateur(titulaire.titulaire, "titulaire"),
        espace_uuid=titulaire.uuid,
        objet_type="document",
        objet_id=str(doc.uuid),
        ip="203.0.113.7",
    )
    texte = _page(client_titulaire, titulaire)
    assert "Vous a téléchargé « Compte rendu d'hospitalisation » du 1er septembre 2025" in texte
    assert "en ligne" in texte
    assert "203.0.113.7" not in texte  # the IP stays in the journal
    assert Evenement.objects.filter(ip="203.0.113.7").exists()
    # The title is never written into the journal.
    assert not Evenement.objects.filter(details__icontains="hospitalisation").exists()


def test_a_profile_entry_says_which_section(titulaire: Espace, client_titulaire: Client) -> None:
    evenement_enregistrer(
        action=Action.PROFIL_AJOUT,
        acteur=Acteur(type="professionnel", id="p1", nom="Dr Paul MARTIN, médecin généraliste"),
        espace_uuid=titulaire.uuid,
        objet_type="profil:allergies",
        objet_id="x",
        details={"section": "allergies"},
    )
    texte = _page(client_titulaire, titulaire, onglet="professionnels")
    assert "Dr Paul MARTIN, médecin généraliste, a ajouté une entrée à vos allergies" in texte
    assert "Profil médical : ajout" not in texte


def test_software_through_the_api_is_told_as_from_their_software(
    titulaire: Espace, client_titulaire: Client
) -> None:
    evenement_enregistrer(
        action=Action.DOSSIER_CONSULTE,
        acteur=Acteur(
            type="professionnel",
            id="p1",
            nom="Dr Paul MARTIN, médecin généraliste, via le logiciel MédiLogiciel",
        ),
        espace_uuid=titulaire.uuid,
    )
    texte = _page(client_titulaire, titulaire, onglet="professionnels")
    assert "Dr Paul MARTIN, médecin généraliste, a consulté la liste de vos documents" in texte
    assert "depuis son logiciel (MédiLogiciel)" in texte
    assert "depuis l'espace professionnel" not in texte


def test_a_professional_on_the_web_is_told_as_online(
    titulaire: Espace, client_titulaire: Client
) -> None:
    evenement_enregistrer(
        action=Action.DOSSIER_CONSULTE,
        acteur=Acteur(type="professionnel", id="p2", nom="Dr Lina GARNIER, pédiatre"),
        espace_uuid=titulaire.uuid,
    )
    texte = _page(client_titulaire, titulaire, onglet="professionnels")
    assert "Dr Lina GARNIER, pédiatre, a consulté la liste de vos documents" in texte
    assert "en ligne, depuis l'espace professionnel" in texte
    assert "depuis son logiciel" not in texte


def test_an_emergency_access_shows_its_reason_to_the_patient(
    titulaire: Espace, client_titulaire: Client, pro_non_autorise
) -> None:
    urgence_ouvrir(
        professionnel=pro_non_autorise,
        espace=titulaire,
        mode="bris_de_glace",
        motif="Patiente inconsciente aux urgences",
        ip="198.51.100.4",
    )
    texte = _page(client_titulaire, titulaire, onglet="professionnels")
    assert "a ouvert un accès en urgence" in texte
    assert "Motif donné : « Patiente inconsciente aux urgences »" in texte
    # The reason is read from the encrypted access, never from the journal.
    assert not Evenement.objects.filter(details__icontains="inconsciente").exists()


def test_the_filter_offers_person_level_themes(titulaire: Espace, client_titulaire: Client) -> None:
    page = client_titulaire.get(reverse("ensemble:historique", args=[titulaire.uuid]))
    options = re.findall(r"<option [^>]*>([^<]+)</option>", page.content.decode())
    assert len(options) <= 10
    for theme in ("Documents", "Profil médical", "Accès des professionnels", "Urgences"):
        assert theme in options
    assert "Code d'activation bloqué" not in page.content.decode()
