"""The home of a space is a dashboard (issue 20, point 1): documents added since the previous
log-in, unread messages, next appointments, alerts (vaccinations, refused files, emergency
accesses) and the shortcuts; for a holder who represents children, the same per child; a fixed
number of SQL statements whatever the amount of data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda.models import RendezVous
from dossier.models import Source
from dossier.models import Statut as StatutDocument
from ensemble.tableau_de_bord import derniere_visite
from espace_sante.acces import acces_professionnel
from espace_sante.journal.models import Action, Evenement, TypeActeur
from espace_sante.journal.services import Acteur, evenement_enregistrer
from messagerie import services as messagerie
from professionnels.models import AccesProfessionnel, BrisDeGlace
from profil.models import Espace

from ..conftest import client_pour
from ..factories import EspaceFactory, ProfessionnelFactory, RepresentationFactory, document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_vide() -> None:
    cache.clear()


def _accueil(client: Client, espace: Espace) -> str:
    reponse = client.get(reverse("ensemble:espace", args=[espace.uuid]))
    assert reponse.status_code == 200
    return reponse.content.decode()


def _connexion(espace: Espace) -> Evenement:
    """A log-in, journaled as the sign-in signal does (profil/signals.py)."""
    return evenement_enregistrer(
        action=Action.CONNEXION,
        acteur=Acteur.pour_utilisateur(espace.titulaire, TypeActeur.TITULAIRE),
        espace_uuid=espace.uuid,
        objet_type="compte",
        objet_id=str(espace.titulaire.uuid),
    )


def test_the_previous_visit_is_the_log_in_before_this_one(titulaire: Espace) -> None:
    assert derniere_visite(utilisateur=titulaire.titulaire) is None
    premiere = _connexion(titulaire)
    assert derniere_visite(utilisateur=titulaire.titulaire) is None  # the current one
    _connexion(titulaire)
    assert derniere_visite(utilisateur=titulaire.titulaire) == premiere.horodatage


def test_it_lists_the_documents_added_since_the_previous_visit(titulaire: Espace) -> None:
    document(titulaire, titre="Ancienne ordonnance", cree_le=timezone.now() - timedelta(days=5))
    _connexion(titulaire)
    document(titulaire, titre="Compte rendu de scanner")
    page = _accueil(client_pour(titulaire.titulaire), titulaire)  # this log-in, journaled
    assert "Depuis votre dernière visite" in page
    assert "Compte rendu de scanner" in page
    assert "Ancienne ordonnance" not in page
    assert "Un document ajouté depuis le" in page


def test_it_counts_unread_messages_and_shows_the_next_appointments(
    titulaire: Espace, pro_autorise: object
) -> None:
    messagerie.fil_ouvrir_professionnel(
        acces=acces_professionnel(professionnel=pro_autorise, espace_uuid=titulaire.uuid),
        sujet="Vos résultats",
        corps="Bonjour, vos résultats sont normaux.",
    )
    RendezVous.objects.create(
        espace=titulaire, titre="Dentiste", debut=timezone.now() + timedelta(days=2)
    )
    RendezVous.objects.create(
        espace=titulaire, titre="Kiné passé", debut=timezone.now() - timedelta(days=2)
    )
    page = _accueil(client_pour(titulaire.titulaire), titulaire)
    assert "Un message non lu" in page
    assert "Dentiste" in page and "Kiné passé" not in page


def test_it_raises_alerts_for_late_vaccines_refused_files_and_emergencies(
    titulaire: Espace,
) -> None:
    bebe = EspaceFactory(titulaire=None, date_naissance=timezone.localdate() - timedelta(days=400))
    RepresentationFactory(espace=bebe, representant=titulaire)
    refuse = document(
        bebe, titre="Fichier illisible", statut=StatutDocument.EN_ERREUR, source=Source.PATIENT
    )
    BrisDeGlace.objects.create(
        espace=bebe,
        professionnel=ProfessionnelFactory(utilisateur__nom="URGENTISTE"),
        mode="bris_de_glace",
        motif="enfant inconscient aux urgences",
        fin=timezone.now() + timedelta(hours=1),
    )
    page = _accueil(client_pour(titulaire.titulaire), bebe)
    assert "Vaccinations en retard" in page or "Vaccination en retard" in page
    assert "Un fichier n’a pas pu être ajouté à vos documents." in page
    assert "Accès en urgence en cours" in page
    assert "enfant inconscient aux urgences" in page
    refuse.refus_vu_le = timezone.now()  # the notice dismissed on the documents page
    refuse.save(update_fields=["refus_vu_le"])
    page = _accueil(client_pour(titulaire.titulaire), bebe)
    assert "pas pu être ajouté" not in page


def test_a_quiet_space_says_there_is_nothing_to_report(titulaire: Espace) -> None:
    titulaire.date_naissance = date(1990, 1, 1)
    titulaire.save()
    page = _accueil(client_pour(titulaire.titulaire), titulaire)
    assert "Aucun message non lu." in page
    assert "Aucun rendez-vous à venir." in page
    for raccourci in ("Documents", "Messagerie", "Profil médical", "Paramètres"):
        assert raccourci in page


def test_a_representative_sees_a_section_per_represented_child(titulaire: Espace) -> None:
    enfants = [
        RepresentationFactory(representant=titulaire, espace__prenoms=prenom).espace
        for prenom in ("Lou", "Noé")
    ]
    document(enfants[1], titre="Carnet de santé numérisé")
    page = _accueil(client_pour(titulaire.titulaire), titulaire)
    for enfant in enfants:
        assert f'id="enfant-{enfant.uuid}"' in page
        assert enfant.nom_complet in page
    assert "Carnet de santé numérisé" in page


def test_another_person_gets_404(client_autre: Client, titulaire: Espace) -> None:
    reponse = client_autre.get(reverse("ensemble:espace", args=[titulaire.uuid]))
    assert reponse.status_code == 404


def _remplir(espace: Espace, n: int, pro: object) -> None:
    for i in range(n):
        document(espace, titre=f"Document {i}")
        document(
            espace, titre=f"Refusé {i}", statut=StatutDocument.EN_ERREUR, source=Source.PATIENT
        )
        RendezVous.objects.create(
            espace=espace, titre=f"RDV {i}", debut=timezone.now() + timedelta(days=i + 1)
        )
        BrisDeGlace.objects.create(
            espace=espace,
            professionnel=ProfessionnelFactory(),
            mode="bris_de_glace",
            motif=f"motif {i}",
            fin=timezone.now() + timedelta(hours=1),
        )
        messagerie.fil_ouvrir_professionnel(
            acces=acces_professionnel(professionnel=pro, espace_uuid=espace.uuid),
            sujet=f"Sujet {i}",
            corps="Bonjour",
        )


def _requetes(client: Client, espace: Espace) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as requetes:
        page = _accueil(client, espace)
    return len(requetes), page


def test_the_home_runs_a_fixed_number_of_statements_whatever_the_data(
    titulaire: Espace, django_assert_max_num_queries: object
) -> None:
    enfants = [RepresentationFactory(representant=titulaire).espace for _ in range(2)]
    pro = ProfessionnelFactory()
    for espace in [titulaire, *enfants]:
        AccesProfessionnel.objects.create(espace=espace, professionnel=pro, autorise=True)
        _remplir(espace, 1, pro)
    client = client_pour(titulaire.titulaire)
    _accueil(client, titulaire)  # the session's previous visit is read once
    avant, _page = _requetes(client, titulaire)
    for espace in [titulaire, *enfants]:
        _remplir(espace, 7, pro)
    with django_assert_max_num_queries(40):  # type: ignore[operator]
        apres, page = _requetes(client, titulaire)
    assert apres == avant
    assert "Document 6" in page and "documents ajoutés depuis le" in page
