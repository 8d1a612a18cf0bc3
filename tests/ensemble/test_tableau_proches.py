"""The home of a space for a proche (issue 21): a carer's dashboard and shortcuts show only the
parts of their perimeter — a documents-only carer is told of no message, appointment or
vaccination and gets no shortcut to the profile — while the holder and a tutor see it all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agenda.models import RendezVous
from espace_sante.acces import acces_professionnel
from messagerie import services as messagerie
from professionnels.models import AccesProfessionnel, BrisDeGlace
from profil.models import Espace, Perimetre, TypeProtection

from ..conftest import client_pour
from ..factories import (
    DelegationFactory,
    EspaceFactory,
    MesureProtectionFactory,
    ProfessionnelFactory,
    document,
)

pytestmark = pytest.mark.django_db

# What each part of the home says when it has something to tell (the space below has it all).
MARQUES = {
    "documents": ["Compte rendu de scanner", 'id="nouveaux-documents-'],
    "messagerie": ["Un message non lu", 'id="messages-'],
    "agenda": ["Dentiste", 'id="rendez-vous-'],
    "profil": ["accination"],  # "Vaccination(s) en retard", "… à faire"
    "historique": ["patient inconscient"],
}
# Shortcuts and links of the home, by the part of the space they open.
RACCOURCIS = {
    "documents": ["dossier:documents", "dossier:remboursements"],
    "messagerie": ["messagerie:boite"],
    "agenda": ["agenda:liste"],
    "profil": ["profil:profil_medical"],
    "historique": ["ensemble:historique"],
    "gestion": ["professionnels:liste", "profil:parametres"],
}
VOIT = {
    # who: the parts whose news and shortcuts the home shows
    "titulaire": set(RACCOURCIS),
    "tuteur": set(RACCOURCIS),
    "aidant_tout": set(RACCOURCIS) - {"gestion"},
    "aidant_documents": {"documents"},
    "aidant_profil": {"profil"},
    "aidant_agenda": {"agenda"},
    "curateur": set(RACCOURCIS) - {"gestion"},
}


@pytest.fixture(autouse=True)
def _cache_vide() -> None:
    cache.clear()


def _espace_plein() -> Espace:
    """An adult's space with news in every part: a new document, an unread message, an
    appointment, late vaccinations (born in 1980), an emergency access running."""
    espace = EspaceFactory()
    document(espace, titre="Compte rendu de scanner")
    pro = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=espace, professionnel=pro, autorise=True)
    messagerie.fil_ouvrir_professionnel(
        acces=acces_professionnel(professionnel=pro, espace_uuid=espace.uuid),
        sujet="Vos résultats",
        corps="Bonjour, vos résultats sont normaux.",
    )
    RendezVous.objects.create(espace=espace, titre="Dentiste", debut=timezone.now() + timedelta(2))
    BrisDeGlace.objects.create(
        espace=espace,
        professionnel=ProfessionnelFactory(utilisateur__nom="URGENTISTE"),
        mode="bris_de_glace",
        motif="patient inconscient",
        fin=timezone.now() + timedelta(hours=1),
    )
    return espace


def _personne(qui: str, espace: Espace):  # type: ignore[no-untyped-def]
    if qui == "titulaire":
        return espace.titulaire
    if qui == "tuteur":
        return MesureProtectionFactory(espace=espace).responsable.titulaire
    if qui == "curateur":
        return MesureProtectionFactory(
            espace=espace, type=TypeProtection.CURATELLE, acceptee_le=timezone.now()
        ).responsable.titulaire
    perimetre = qui.removeprefix("aidant_")
    return DelegationFactory(
        espace=espace, perimetre=Perimetre(perimetre), ecriture=True
    ).aidant.titulaire


@pytest.mark.parametrize("qui", VOIT)
def test_the_home_shows_a_proche_only_the_parts_they_reach(qui: str) -> None:
    espace = _espace_plein()
    reponse = client_pour(_personne(qui, espace)).get(
        reverse("ensemble:espace", args=[espace.uuid])
    )
    assert reponse.status_code == 200
    page = reponse.content.decode()
    for partie, marques in MARQUES.items():
        for marque in marques:
            assert (marque in page) is (partie in VOIT[qui]), (partie, marque)
    for partie, noms in RACCOURCIS.items():
        for nom in noms:
            lien = f'href="{reverse(nom, args=[espace.uuid])}'
            assert (lien in page) is (partie in VOIT[qui]), (partie, nom)


def test_a_full_carer_told_of_an_emergency_is_sent_to_the_history_not_the_management() -> None:
    espace = _espace_plein()
    carer = _personne("aidant_tout", espace)
    page = client_pour(carer).get(reverse("ensemble:espace", args=[espace.uuid])).content.decode()
    assert "Accès en urgence en cours" in page
    assert "Gérer les accès" not in page and "Voir l’historique" in page


def test_a_read_only_carer_s_appointment_is_no_link_to_its_form() -> None:
    espace = _espace_plein()
    for ecriture in (False, True):
        carer = DelegationFactory(
            espace=espace, aidant=EspaceFactory(), perimetre=Perimetre.AGENDA, ecriture=ecriture
        ).aidant.titulaire
        page = client_pour(carer).get(reverse("ensemble:espace", args=[espace.uuid]))
        assert "Dentiste" in page.content.decode()
        assert ("/rendez-vous/" in page.content.decode()) is ecriture
