"""The private calendar feed (issue 19, point 3): tokens and the iCalendar (RFC 5545) text.

A token is ``secrets.token_urlsafe(32)`` (256 bits), shown once; only its SHA-256 digest is
kept (``FluxCalendrier.empreinte``). A feed is found by the digest of the token presented — an
equality lookup on a unique index of digests, so the time taken says nothing of how close a
guess was — then the digests are compared again with ``hmac.compare_digest``.

Without the person's opt-in (``avec_details``) an event says "Rendez-vous" (or "Rappel") with its
time and duration only; with it, the appointment's object, place and professional (never its
notes). The recommended care is not in the feed (docs/PREVENTION.md)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.http import Http404
from django.utils import timezone
from icalendar import Calendar, Event

from espace_sante.acces import espace_pour_acteur

from .models import FluxCalendrier, RappelRecurrent, RendezVous

PRODID = "-//Espace Santé//Agenda//FR"
# What a feed carries: the appointments from this long ago, and up to this many.
PASSE = timedelta(days=180)
MAXIMUM = 2000
RRULE_FREQ = {"jour": "DAILY", "semaine": "WEEKLY", "mois": "MONTHLY"}


def jeton_nouveau() -> str:
    return secrets.token_urlsafe(32)


def empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode("utf-8")).hexdigest()


def flux_par_jeton(jeton: str) -> FluxCalendrier | None:
    """The live feed of this token whose owner still acts for its space (holder, or a minor's
    representative whose representation runs), else ``None``."""
    if not jeton or len(jeton) > 100:
        return None
    cherchee = empreinte(jeton)
    flux = (
        FluxCalendrier.objects.filter(empreinte=cherchee, revoque_le__isnull=True)
        .select_related("espace", "utilisateur")
        .first()
    )
    if flux is None or not hmac.compare_digest(flux.empreinte, cherchee):
        return None
    try:
        espace_pour_acteur(utilisateur=flux.utilisateur, espace_uuid=flux.espace.uuid)
    except Http404:  # the person no longer acts for this space
        return None
    return flux


def _professionnel(rdv: RendezVous) -> str:
    if rdv.professionnel is not None:
        return str(rdv.professionnel.nom_affiche)
    return str(rdv.professionnel_libre or "")


def _evenement_rdv(rdv: RendezVous, *, avec_details: bool, maintenant: datetime) -> Event:
    debut = rdv.debut.astimezone(UTC)
    evenement = Event()
    evenement.add("uid", f"rdv-{rdv.uuid}@espace-sante")
    evenement.add("dtstamp", maintenant)
    evenement.add("dtstart", debut)
    evenement.add("dtend", debut + timedelta(minutes=rdv.duree_minutes or 0))
    evenement.add("class", "PRIVATE")
    if avec_details:
        evenement.add("summary", str(rdv.titre) or "Rendez-vous")
        if rdv.lieu:
            evenement.add("location", str(rdv.lieu))
        professionnel = _professionnel(rdv)
        if professionnel:
            evenement.add("description", f"Professionnel : {professionnel}")
    else:
        evenement.add("summary", "Rendez-vous")
    return evenement


def _evenement_recurrent(
    rappel: RappelRecurrent, *, avec_details: bool, maintenant: datetime
) -> Event:
    """A recurring reminder as one event with its rule, at its local hour in its time zone
    (DST-correct: the VTIMEZONE is added to the calendar)."""
    fuseau = ZoneInfo(rappel.fuseau)
    debut = datetime.combine(rappel.debut, rappel.heure, tzinfo=fuseau)
    evenement = Event()
    evenement.add("uid", f"rappel-{rappel.uuid}@espace-sante")
    evenement.add("dtstamp", maintenant)
    evenement.add("dtstart", debut)
    evenement.add("dtend", debut + timedelta(minutes=15))
    evenement.add("class", "PRIVATE")
    evenement.add("summary", str(rappel.libelle) if avec_details else "Rappel")
    regle: dict[str, object] = {
        "freq": RRULE_FREQ[rappel.frequence],
        "interval": rappel.intervalle or 1,
    }
    if rappel.occurrences:
        regle["count"] = rappel.occurrences
    elif rappel.fin:
        # UNTIL in UTC when DTSTART has a TZID (RFC 5545 §3.3.10): the end of the last day.
        fin = datetime.combine(rappel.fin, time(23, 59, 59), tzinfo=fuseau)
        regle["until"] = fin.astimezone(UTC)
    evenement.add("rrule", regle)
    return evenement


def _calendrier(nom: str) -> Calendar:
    calendrier = Calendar()
    calendrier.add("prodid", PRODID)
    calendrier.add("version", "2.0")
    calendrier.add("calscale", "GREGORIAN")
    calendrier.add("x-wr-calname", nom)
    return calendrier


def ics_du_flux(flux: FluxCalendrier) -> bytes:
    """The feed's text: the space's appointments from ``PASSE`` ago on, and its recurring
    reminders (still running)."""
    maintenant = timezone.now().astimezone(UTC)
    calendrier = _calendrier("Agenda santé")
    rdvs = (
        RendezVous.objects.filter(espace=flux.espace, debut__gte=maintenant - PASSE)
        .select_related("professionnel__utilisateur")
        .order_by("debut")[:MAXIMUM]
    )
    for rdv in rdvs:
        calendrier.add_component(
            _evenement_rdv(rdv, avec_details=flux.avec_details, maintenant=maintenant)
        )
    recurrents = RappelRecurrent.objects.filter(espace=flux.espace).exclude(
        fin__lt=timezone.localdate()
    )
    for rappel in recurrents.order_by("debut", "pk")[:MAXIMUM]:
        calendrier.add_component(
            _evenement_recurrent(rappel, avec_details=flux.avec_details, maintenant=maintenant)
        )
    calendrier.add_missing_timezones()
    return calendrier.to_ical()


def ics_du_rendez_vous(rdv: RendezVous, *, avec_details: bool) -> bytes:
    """One appointment as a calendar to download (``.ics``)."""
    maintenant = timezone.now().astimezone(UTC)
    calendrier = _calendrier("Rendez-vous")
    calendrier.add("method", "PUBLISH")
    calendrier.add_component(_evenement_rdv(rdv, avec_details=avec_details, maintenant=maintenant))
    return calendrier.to_ical()
