"""Recommended care "à prévoir" and the prevention messages (issue 19, points 4–6): the
pages for each persona, marking done (linked to the space's own document or appointment
only), dismissing, the messages with their "Pourquoi ce message ?", the per-theme opt-out
honoured at once, a child's items on the representative's side, bad keys 404."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agenda.models import RefusPrevention, RendezVous, SuiviSoin
from agenda.prevention import (
    messages_prevention,
    nombre_messages_prevention,
    soins_a_prevoir,
)
from espace_sante.acces import espace_pour_acteur
from profil.models import Vaccination
from tests.conftest import client_pour
from tests.factories import EspaceFactory, RepresentationFactory, document

AUJOURD_HUI = timezone.localdate()


def _il_y_a(annees: int, jours: int = 0) -> date:
    """Born ``annees`` years and ``jours`` days ago (a 29 February falls back on the 28th)."""
    try:
        jour = AUJOURD_HUI.replace(year=AUJOURD_HUI.year - annees)
    except ValueError:
        jour = AUJOURD_HUI.replace(year=AUJOURD_HUI.year - annees, day=28)
    return jour - timedelta(days=jours)


@pytest.fixture
def quinquagenaire(db):  # type: ignore[no-untyped-def]
    """A woman of 50 years and 10 days: breast, colorectal and cervical (HPV) windows open."""
    return EspaceFactory(date_naissance=_il_y_a(50, 10), sexe="F", prenoms="Hélène")


@pytest.fixture
def client_q(quinquagenaire) -> Client:  # type: ignore[no-untyped-def]
    return client_pour(quinquagenaire.titulaire)


def _acces(espace, utilisateur=None):  # type: ignore[no-untyped-def]
    return espace_pour_acteur(utilisateur=utilisateur or espace.titulaire, espace_uuid=espace.uuid)


def _url(nom: str, espace, *args: str) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"agenda:{nom}", args=[espace.uuid, *args])


# --- The page "à prévoir" ------------------------------------------------------------------------


def test_the_holder_sees_her_screenings_to_plan_with_their_window(
    client_q: Client, quinquagenaire
) -> None:
    reponse = client_q.get(_url("a_prevoir", quinquagenaire))
    assert reponse.status_code == 200
    texte = reponse.content.decode()
    for cle in ("depistage-sein-50-ans", "depistage-colorectal-50-ans", "depistage-col-hpv-50-ans"):
        assert f'id="soin-{cle}"' in texte
    assert "Marquer comme fait" in texte and "Écarter" in texte
    assert "examen-enfant-8-jours" not in texte  # a window long passed is not listed


@pytest.mark.parametrize("nom", ["a_prevoir", "prevention", "abonnement"])
def test_an_outsider_and_a_professional_get_404(
    nom: str, client_autre: Client, quinquagenaire, pro_autorise
) -> None:
    assert client_autre.get(_url(nom, quinquagenaire)).status_code == 404
    assert client_pour(pro_autorise.utilisateur).get(_url(nom, quinquagenaire)).status_code == 404


def test_soins_a_prevoir_gives_the_items_whose_window_meets_the_range(quinquagenaire) -> None:
    acces = _acces(quinquagenaire)
    debut = AUJOURD_HUI.replace(day=1)
    soins = soins_a_prevoir(acces, du=debut, au=debut + timedelta(days=30))
    cles = {s.cle for s in soins}
    assert {"depistage-sein-50-ans", "depistage-colorectal-50-ans"} <= cles
    assert all(s.du <= debut + timedelta(days=30) and s.au >= debut for s in soins)
    assert not [s for s in soins if s.theme == "enfant"]


def test_marking_done_links_a_document_of_the_space(client_q: Client, quinquagenaire) -> None:
    piece = document(quinquagenaire, titre="Mammographie")
    url = _url("soin_fait", quinquagenaire, "depistage-sein-50-ans")
    assert client_q.get(url).status_code == 200
    reponse = client_q.post(url, {"document": str(piece.uuid)})
    assert reponse.status_code == 302
    suivi = SuiviSoin.objects.get(espace=quinquagenaire, cle="depistage-sein-50-ans")
    assert (suivi.etat, suivi.document_id) == ("fait", piece.pk)
    assert "depistage-sein-50-ans" not in {
        s.cle for s in messages_prevention(_acces(quinquagenaire))
    }


def test_marking_done_links_an_appointment_of_the_space(client_q: Client, quinquagenaire) -> None:
    rdv = RendezVous.objects.create(
        espace=quinquagenaire, titre="Gastro-entérologue", debut=timezone.now()
    )
    url = _url("soin_fait", quinquagenaire, "depistage-colorectal-50-ans")
    assert client_q.post(url, {"rendez_vous": str(rdv.uuid)}).status_code == 302
    assert SuiviSoin.objects.get(cle="depistage-colorectal-50-ans").rendez_vous_id == rdv.pk


def test_a_document_or_appointment_of_another_space_is_refused(
    client_q: Client, quinquagenaire, autre_titulaire
) -> None:
    autre_piece = document(autre_titulaire)
    autre_rdv = RendezVous.objects.create(espace=autre_titulaire, titre="x", debut=timezone.now())
    url = _url("soin_fait", quinquagenaire, "depistage-sein-50-ans")
    for donnees in ({"document": str(autre_piece.uuid)}, {"rendez_vous": str(autre_rdv.uuid)}):
        reponse = client_q.post(url, donnees)
        assert reponse.status_code == 400
        assert "pas dans votre espace" in reponse.content.decode()
    assert not SuiviSoin.objects.exists()


@pytest.mark.parametrize("action", ["soin_fait", "soin_ecarter", "soin_retablir"])
@pytest.mark.parametrize("cle", ["examen-inconnu", "depistage-sein-12-ans"])
def test_an_invalid_key_is_404(action: str, cle: str, client_q: Client, quinquagenaire) -> None:
    assert client_q.post(_url(action, quinquagenaire, cle)).status_code == 404
    assert not SuiviSoin.objects.exists()


def test_a_man_has_no_breast_screening_to_mark(autre_titulaire, client_autre: Client) -> None:
    url = _url("soin_ecarter", autre_titulaire, "depistage-sein-50-ans")
    assert client_autre.post(url).status_code == 404


def test_dismissing_then_restoring(client_q: Client, quinquagenaire) -> None:
    cle = "depistage-col-hpv-50-ans"
    assert client_q.post(_url("soin_ecarter", quinquagenaire, cle)).status_code == 302
    assert SuiviSoin.objects.get(cle=cle).etat == "ecarte"
    assert cle not in {s.cle for s in messages_prevention(_acces(quinquagenaire))}
    assert client_q.post(_url("soin_retablir", quinquagenaire, cle)).status_code == 302
    assert cle in {s.cle for s in messages_prevention(_acces(quinquagenaire))}


def test_changes_need_post(client_q: Client, quinquagenaire) -> None:
    url = _url("soin_ecarter", quinquagenaire, "depistage-sein-50-ans")
    assert client_q.get(url).status_code == 405


# --- Vaccinations from the existing calendar -----------------------------------------------------


def test_vaccinations_due_come_from_the_calendar_and_the_carnet(db) -> None:
    bebe = EspaceFactory(date_naissance=AUJOURD_HUI - timedelta(days=70), sexe="M")
    acces = _acces(bebe)
    soins = {s.cle: s for s in messages_prevention(acces)}
    assert "vaccin-DTCaP-HibHepB-2m" in soins
    assert soins["vaccin-DTCaP-HibHepB-2m"].theme == "vaccination"
    assert "Calendrier des vaccinations" in soins["vaccin-DTCaP-HibHepB-2m"].source
    Vaccination.objects.create(espace=bebe, famille="DTP", date=AUJOURD_HUI - timedelta(days=5))
    soins = {s.cle: s for s in soins_a_prevoir(acces, du=AUJOURD_HUI, au=AUJOURD_HUI)}
    assert soins["vaccin-DTCaP-HibHepB-2m"].etat == "fait"
    assert "vaccin-DTCaP-HibHepB-2m" not in {s.cle for s in messages_prevention(acces)}


# --- Prevention messages -------------------------------------------------------------------------


def test_messages_say_why_with_the_criterion_and_the_source(
    client_q: Client, quinquagenaire
) -> None:
    reponse = client_q.get(_url("prevention", quinquagenaire))
    assert reponse.status_code == 200
    texte = reponse.content.decode()
    assert 'id="message-depistage-sein-50-ans"' in texte
    assert "Pourquoi ce message ?" in texte
    assert "Femmes de 50 à 74 ans, tous les 2 ans" in texte
    assert "dépistage organisé du cancer du sein" in texte


def test_opting_out_of_a_theme_is_honoured_at_once_and_can_be_undone(
    client_q: Client, quinquagenaire
) -> None:
    acces = _acces(quinquagenaire)
    avant = nombre_messages_prevention(acces)
    url = _url("prevention_theme", quinquagenaire, "depistage_sein", "refuser")
    assert client_q.post(url).status_code == 302
    texte = client_q.get(_url("prevention", quinquagenaire)).content.decode()
    assert "message-depistage-sein-" not in texte
    assert 'id="message-depistage-colorectal-50-ans"' in texte
    assert nombre_messages_prevention(acces) == avant - 1
    assert not [s for s in messages_prevention(acces) if s.theme == "depistage_sein"]
    url = _url("prevention_theme", quinquagenaire, "depistage_sein", "accepter")
    assert client_q.post(url).status_code == 302
    assert not RefusPrevention.objects.exists()
    assert nombre_messages_prevention(acces) == avant


@pytest.mark.parametrize(("theme", "choix"), [("inconnu", "refuser"), ("dentaire", "effacer")])
def test_an_unknown_theme_or_choice_is_404(
    theme: str, choix: str, client_q: Client, quinquagenaire
) -> None:
    url = _url("prevention_theme", quinquagenaire, theme, choix)
    assert client_q.post(url).status_code == 404
    assert not RefusPrevention.objects.exists()


def test_a_window_opening_within_the_horizon_makes_a_message(db, settings) -> None:
    espace = EspaceFactory(date_naissance=_il_y_a(50, -20), sexe="M")  # 50 in 20 days
    acces = _acces(espace)
    settings.PREVENTION_HORIZON_JOURS = 30
    assert "depistage-colorectal-50-ans" in {s.cle for s in messages_prevention(acces)}
    settings.PREVENTION_HORIZON_JOURS = 10
    assert "depistage-colorectal-50-ans" not in {s.cle for s in messages_prevention(acces)}


# --- A child's items, on the representative's side -----------------------------------------------


def test_a_childs_examinations_appear_to_the_representative(db) -> None:
    parent = EspaceFactory(prenoms="Nadia")
    enfant = RepresentationFactory(
        representant=parent,
        espace__date_naissance=AUJOURD_HUI - timedelta(days=3),
        espace__prenoms="Lina",
    ).espace
    client = client_pour(parent.titulaire)
    texte = client.get(_url("a_prevoir", enfant)).content.decode()
    assert 'id="soin-examen-enfant-8-jours"' in texte
    acces = _acces(enfant, parent.titulaire)
    assert acces.est_representant
    cles = {s.cle for s in soins_a_prevoir(acces, du=AUJOURD_HUI, au=AUJOURD_HUI + timedelta(30))}
    assert {"examen-enfant-8-jours", "examen-enfant-2-semaines"} <= cles
    texte = client.get(_url("prevention", enfant)).content.decode()
    assert 'id="message-examen-enfant-8-jours"' in texte
    assert client.post(_url("soin_ecarter", enfant, "examen-enfant-8-jours")).status_code == 302


def test_the_pages_make_a_fixed_number_of_queries(client_q: Client, quinquagenaire) -> None:
    def compter() -> list[int]:
        nombres = []
        for nom in ("a_prevoir", "prevention"):
            with CaptureQueriesContext(connection) as requetes:
                assert client_q.get(_url(nom, quinquagenaire)).status_code == 200
            nombres.append(len(requetes))
        return nombres

    SuiviSoin.objects.create(espace=quinquagenaire, cle="depistage-sein-50-ans", etat="fait")
    compter()  # the first request of a session fills caches (the menu's counts)
    avant = compter()
    for cle in ("mt-dents-3-ans", "mt-dents-6-ans", "examen-enfant-3-ans", "vaccin-ROR-1"):
        SuiviSoin.objects.create(espace=quinquagenaire, cle=cle, etat="ecarte")
    RefusPrevention.objects.create(espace=quinquagenaire, theme="dentaire")
    assert compter() == avant
