"""Issue 19, point 8, in a real browser: a parent adds an appointment with a reminder → the
reminder e-mail leaves (the beat's job run here) → the private subscription URL answers valid
iCalendar; her child's recommended examinations appear on the child's agenda she manages; the
agenda at desktop and phone widths, axe on every page, no horizontal scroll."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Page, expect

from agenda import rappels
from agenda.models import EnvoiRappel, RendezVous
from tests.factories import EspaceFactory, RepresentationFactory

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
    trop_larges = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.'"
        " + e.className + '#' + e.id)"
    )
    assert largeurs[0] <= largeurs[1], (largeurs, trop_larges)


def test_rendez_vous_rappel_abonnement_et_examens_de_l_enfant(page: Page, live_server: Any) -> None:
    parent = EspaceFactory(prenoms="Camille", nom_naissance="MARTIN")
    enfant = RepresentationFactory(
        representant=parent,
        espace__prenoms="Léo",
        espace__date_naissance=timezone.localdate() - timedelta(days=250),
    ).espace

    # At a desk: an appointment in 65 minutes, reminded an hour before.
    se_connecter(page, email=parent.titulaire.email, suivant=f"/espace/{parent.uuid}/agenda/")
    verifier_accessibilite(page)
    _aller(page, page.get_by_role("link", name="Ajouter un rendez-vous").click)
    dans_65_minutes = timezone.localtime() + timedelta(minutes=65)
    page.get_by_label("Objet du rendez-vous").fill("Dentiste")
    page.get_by_label("Date").fill(dans_65_minutes.strftime("%Y-%m-%d"))
    page.get_by_label("Heure (heure de Paris)").fill(dans_65_minutes.strftime("%H:%M"))
    page.get_by_label("Ou son nom").fill("Dr Claire DENT")
    page.get_by_label("Rappel 1 : combien").fill("1")
    page.get_by_label("Rappel 1 : unité (avant le rendez-vous)").select_option("heures")
    _aller(page, page.get_by_role("button", name=re.compile("Enregistrer")).click)
    expect(page.locator("#a-venir")).to_contain_text("Dentiste")
    rdv = RendezVous.objects.get(espace=parent)

    # The beat's job, six minutes later: the reminder is sent, once, without the
    # appointment's object (the parent did not ask for it in e-mails).
    reel = timezone.now
    with pytest.MonkeyPatch.context() as temps:
        temps.setattr(timezone, "now", lambda: reel() + timedelta(minutes=6))
        for _tic in range(2):  # a second tick sends nothing more
            rappels.envois_creer()
            rappels.lots_envoyer()
    envoyes = [m for m in mail.outbox if m.to == [parent.titulaire.email] and "appel" in m.subject]
    assert len(envoyes) == 1, [m.subject for m in mail.outbox]
    assert "Dentiste" not in envoyes[0].subject + envoyes[0].body
    assert EnvoiRappel.objects.get(rappel__rendez_vous=rdv).statut == "envoye"

    # The private subscription URL answers valid iCalendar with the appointment.
    _aller(page, page.get_by_role("link", name=re.compile("calendrier de mon téléphone")).click)
    _aller(page, page.get_by_role("button", name=re.compile("Créer mon adresse")).click)
    adresse = page.locator("#url-flux").input_value()
    assert re.search(r"/agenda/flux/[^/]+\.ics$", adresse), adresse
    reponse = page.request.get(live_server.url + "/agenda/flux/" + adresse.rsplit("/flux/", 1)[1])
    assert reponse.status == 200 and reponse.headers["content-type"].startswith("text/calendar")
    calendrier = Calendar.from_ical(reponse.body())
    evenements = list(calendrier.walk("VEVENT"))
    assert len(evenements) == 1 and "Dentiste" not in str(evenements[0].get("SUMMARY"))
    assert evenements[0].decoded("DTSTART") == rdv.debut

    # At a phone's width (390 px): her child's agenda shows the examinations to plan.
    telephone = page
    telephone.set_viewport_size({"width": 390, "height": 844})
    _aller(telephone, lambda: telephone.goto(f"/espace/{enfant.uuid}/agenda/"))
    _sans_defilement_horizontal(telephone)
    expect(telephone.locator("#soins-a-prevoir")).to_contain_text(re.compile("xamen"))
    _aller(telephone, telephone.get_by_role("link", name="Vue du mois").click)
    _sans_defilement_horizontal(telephone)
    _aller(telephone, telephone.get_by_role("link", name="Soins recommandés à prévoir").click)
    _sans_defilement_horizontal(telephone)
    _aller(telephone, telephone.get_by_role("link", name="Messages de prévention").click)
    _sans_defilement_horizontal(telephone)
