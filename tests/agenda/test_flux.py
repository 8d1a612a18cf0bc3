"""The private calendar feed and the per-appointment .ics (issue 19, points 3 and 6): valid
RFC 5545 read back with icalendar, no health detail without the opt-in, a revoked or
regenerated URL dead, the token never stored, guessing answered 404 then 429, another
space's appointment 404."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from agenda.models import FluxCalendrier, RappelRecurrent, RendezVous
from tests.conftest import client_pour

URL_FLUX = re.compile(r'value="(https?://[^"]+/agenda/flux/([^"/]+)\.ics)"')


@pytest.fixture(autouse=True)
def _limites_neuves():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _rdv(espace, **champs) -> RendezVous:  # type: ignore[no-untyped-def]
    valeurs = {
        "espace": espace,
        "titre": "Dermatologue : grain de beauté",
        "debut": timezone.now() + timedelta(days=3),
        "duree_minutes": 45,
        "lieu": "12 rue des Lilas, Lyon",
        "professionnel_libre": "Dr Anne LEROY",
        "notes": "apporter les résultats",
    }
    valeurs.update(champs)
    return RendezVous.objects.create(**valeurs)


def _abonner(client: Client, espace, *, details: bool = False) -> str:  # type: ignore[no-untyped-def]
    donnees = {"avec_details": "on"} if details else {}
    reponse = client.post(reverse("agenda:abonnement_creer", args=[espace.uuid]), donnees)
    assert reponse.status_code == 200
    trouve = URL_FLUX.search(reponse.content.decode())
    assert trouve is not None
    return trouve.group(2)


def _lire(client: Client, jeton: str) -> Calendar:
    reponse = client.get(f"/agenda/flux/{jeton}.ics")
    assert reponse.status_code == 200, reponse.status_code
    assert reponse["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(reponse.content)


def test_the_feed_is_valid_icalendar_and_says_only_rendez_vous_by_default(
    client_titulaire: Client, titulaire
) -> None:
    rdv = _rdv(titulaire, debut=datetime(2030, 3, 4, 13, 30, tzinfo=UTC))
    jeton = _abonner(client_titulaire, titulaire)
    calendrier = _lire(Client(), jeton)  # no login: the token is the credential
    assert calendrier["VERSION"] == "2.0"
    assert calendrier["PRODID"]
    (evenement,) = calendrier.walk("VEVENT")
    assert str(evenement["UID"]) == f"rdv-{rdv.uuid}@espace-sante"
    assert evenement["DTSTAMP"]
    assert evenement.decoded("DTSTART") == datetime(2030, 3, 4, 13, 30, tzinfo=UTC)
    assert evenement.decoded("DTEND") - evenement.decoded("DTSTART") == timedelta(minutes=45)
    assert str(evenement["SUMMARY"]) == "Rendez-vous"
    texte = Client().get(f"/agenda/flux/{jeton}.ics").content.decode()
    for detail in ("Dermatologue", "Lilas", "LEROY", "résultats"):
        assert detail not in texte


def test_with_the_opt_in_the_feed_says_object_place_and_professional_never_the_notes(
    client_titulaire: Client, titulaire
) -> None:
    _rdv(titulaire)
    jeton = _abonner(client_titulaire, titulaire, details=True)
    (evenement,) = _lire(Client(), jeton).walk("VEVENT")
    assert str(evenement["SUMMARY"]) == "Dermatologue : grain de beauté"
    assert str(evenement["LOCATION"]) == "12 rue des Lilas, Lyon"
    assert "Dr Anne LEROY" in str(evenement["DESCRIPTION"])
    assert "résultats" not in Client().get(f"/agenda/flux/{jeton}.ics").content.decode()


def test_only_the_digest_of_the_token_is_stored(client_titulaire: Client, titulaire) -> None:
    jeton = _abonner(client_titulaire, titulaire)
    flux = FluxCalendrier.objects.get(espace=titulaire)
    assert flux.empreinte == hashlib.sha256(jeton.encode()).hexdigest()
    assert len(jeton) >= 43  # 32 random bytes
    assert jeton not in str(list(FluxCalendrier.objects.values()))


def test_regenerating_kills_the_old_url_and_revoking_kills_the_new(
    client_titulaire: Client, titulaire
) -> None:
    ancien = _abonner(client_titulaire, titulaire)
    nouveau = _abonner(client_titulaire, titulaire)
    assert ancien != nouveau
    assert Client().get(f"/agenda/flux/{ancien}.ics").status_code == 404
    _lire(Client(), nouveau)
    client_titulaire.post(reverse("agenda:abonnement_revoquer", args=[titulaire.uuid]))
    assert Client().get(f"/agenda/flux/{nouveau}.ics").status_code == 404


def test_changing_the_detail_setting_keeps_the_url(client_titulaire: Client, titulaire) -> None:
    _rdv(titulaire)
    jeton = _abonner(client_titulaire, titulaire)
    client_titulaire.post(
        reverse("agenda:abonnement_regler", args=[titulaire.uuid]), {"avec_details": "on"}
    )
    (evenement,) = _lire(Client(), jeton).walk("VEVENT")
    assert str(evenement["SUMMARY"]).startswith("Dermatologue")


def test_the_feed_carries_only_its_space(
    client_titulaire: Client, titulaire, autre_titulaire
) -> None:
    _rdv(titulaire)
    _rdv(autre_titulaire)
    jeton = _abonner(client_titulaire, titulaire)
    assert len(_lire(Client(), jeton).walk("VEVENT")) == 1


def test_a_recurring_reminder_is_one_event_with_its_rule_at_local_time(
    client_titulaire: Client, titulaire
) -> None:
    RappelRecurrent.objects.create(
        espace=titulaire,
        libelle="Lévothyrox",
        frequence="jour",
        intervalle=1,
        heure=time(8, 0),
        debut=date(2030, 1, 1),
        occurrences=90,
    )
    jeton = _abonner(client_titulaire, titulaire)
    calendrier = _lire(Client(), jeton)
    (evenement,) = calendrier.walk("VEVENT")
    assert str(evenement["SUMMARY"]) == "Rappel"
    debut = evenement.decoded("DTSTART")
    assert (debut.hour, str(debut.tzinfo)) == (8, "Europe/Paris")
    assert evenement["RRULE"]["FREQ"] == ["DAILY"] and evenement["RRULE"]["COUNT"] == [90]
    assert calendrier.walk("VTIMEZONE")  # the TZID is defined in the calendar


def test_a_representative_subscribes_to_the_childs_agenda(enfant_represente, representant) -> None:
    client = client_pour(representant.titulaire)
    _rdv(enfant_represente, titre="Pédiatre")
    jeton = _abonner(client, enfant_represente, details=True)
    (evenement,) = _lire(Client(), jeton).walk("VEVENT")
    assert str(evenement["SUMMARY"]) == "Pédiatre"


def test_an_outsider_cannot_open_the_settings_of_another_space(
    client_autre: Client, titulaire
) -> None:
    url = reverse("agenda:abonnement", args=[titulaire.uuid])
    assert client_autre.get(url).status_code == 404
    url = reverse("agenda:abonnement_creer", args=[titulaire.uuid])
    assert client_autre.post(url).status_code == 404
    assert not FluxCalendrier.objects.exists()


def test_guessing_tokens_gets_404_then_429_even_for_a_right_token(
    client_titulaire: Client, titulaire, settings
) -> None:
    settings.AGENDA_FLUX_RATE = "5/h"
    jeton = _abonner(client_titulaire, titulaire)
    devin = Client(REMOTE_ADDR="203.0.113.7")
    for rang in range(5):
        assert devin.get(f"/agenda/flux/faux{rang}.ics").status_code == 404
    assert devin.get("/agenda/flux/encore-faux.ics").status_code == 429
    assert devin.get(f"/agenda/flux/{jeton}.ics").status_code == 429
    # Another address is not held back.
    assert Client(REMOTE_ADDR="198.51.100.2").get(f"/agenda/flux/{jeton}.ics").status_code == 200


def test_right_tokens_are_not_counted_against_the_address(
    client_titulaire: Client, titulaire, settings
) -> None:
    settings.AGENDA_FLUX_RATE = "3/h"
    jeton = _abonner(client_titulaire, titulaire)
    telephone = Client(REMOTE_ADDR="192.0.2.10")
    for _ in range(6):
        assert telephone.get(f"/agenda/flux/{jeton}.ics").status_code == 200


def test_a_former_representative_s_feed_stops(enfant_represente, representant) -> None:
    jeton = _abonner(client_pour(representant.titulaire), enfant_represente)
    enfant_represente.representants.update(fin=timezone.localdate())
    assert Client().get(f"/agenda/flux/{jeton}.ics").status_code == 404


# --- One appointment's .ics ----------------------------------------------------------------------


def test_one_appointment_downloads_as_ics_with_details_only_when_asked(
    client_titulaire: Client, titulaire
) -> None:
    rdv = _rdv(titulaire)
    url = reverse("agenda:rdv_ics", args=[titulaire.uuid, rdv.uuid])
    reponse = client_titulaire.get(url)
    assert reponse.status_code == 200
    assert "attachment" in reponse["Content-Disposition"]
    (evenement,) = Calendar.from_ical(reponse.content).walk("VEVENT")
    assert str(evenement["SUMMARY"]) == "Rendez-vous"
    (evenement,) = Calendar.from_ical(client_titulaire.get(url + "?details=1").content).walk(
        "VEVENT"
    )
    assert str(evenement["SUMMARY"]).startswith("Dermatologue")


def test_another_space_s_appointment_is_404(
    client_titulaire: Client, titulaire, autre_titulaire
) -> None:
    autre = _rdv(autre_titulaire)
    # Through my own space's URL, and through the other space's.
    assert (
        client_titulaire.get(
            reverse("agenda:rdv_ics", args=[titulaire.uuid, autre.uuid])
        ).status_code
        == 404
    )
    assert (
        client_titulaire.get(
            reverse("agenda:rdv_ics", args=[autre_titulaire.uuid, autre.uuid])
        ).status_code
        == 404
    )


def test_the_ics_needs_a_login(titulaire) -> None:
    rdv = _rdv(titulaire)
    reponse = Client().get(reverse("agenda:rdv_ics", args=[titulaire.uuid, rdv.uuid]))
    assert reponse.status_code == 302


def test_the_url_is_shown_once_and_never_cached(client_titulaire: Client, titulaire) -> None:
    url = reverse("agenda:abonnement_creer", args=[titulaire.uuid])
    reponse = client_titulaire.post(url)
    assert "no-store" in reponse["Cache-Control"]
    jeton = URL_FLUX.search(reponse.content.decode()).group(2)  # type: ignore[union-attr]
    page = client_titulaire.get(reverse("agenda:abonnement", args=[titulaire.uuid]))
    assert page.status_code == 200
    assert jeton not in page.content.decode()
    assert 'id="abonnement-actif"' in page.content.decode()
