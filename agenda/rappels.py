"""The reminders' sendings (docs/AGENDA.md, "Rappels"): the due occurrences turned into
``EnvoiRappel`` rows (one per occurrence and recipient), claimed by a worker for a lease, sent
over one mail connection per batch, marked sent one by one.

Exactly once, as far as it can be: a row is sent only by the worker that holds its lease
(``statut`` en_cours, ``reserve_le``); a row whose worker died is taken again once the lease
has run out; a sent row is never taken again; the mark after the mail server accepted a message
is the only window where a death repeats one (its ``Message-ID`` is the same each time: a
duplicate is recognisable)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from smtplib import SMTPDataError, SMTPRecipientsRefused, SMTPSenderRefused
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from espace_sante.lib.formulations import date_en_mots
from profil.models import Espace, Representation

from .models import (
    FUSEAU_PAR_DEFAUT,
    EnvoiRappel,
    Frequence,
    PreferencesAgenda,
    Rappel,
    RappelRecurrent,
    Unite,
)

logger = logging.getLogger(__name__)

TRANCHE = 10_000  # ids per IN (...) list: PostgreSQL takes at most 65,535 parameters
UNITES = {
    Unite.MINUTES: timedelta(minutes=1),
    Unite.HEURES: timedelta(hours=1),
    Unite.JOURS: timedelta(days=1),
}


# --- When reminders fall due ---------------------------------------------------------------------


def heure_locale(jour: date, heure: datetime | object, fuseau: str) -> datetime:
    """``jour`` at ``heure`` (a ``time``) in ``fuseau``, as an aware datetime. An hour that
    does not exist that day (the spring change: 2:30 in Paris) moves forward by the gap, as
    the clock does; an hour that exists twice (autumn) is its first occurrence."""
    local = datetime.combine(jour, heure, tzinfo=ZoneInfo(fuseau))  # type: ignore[arg-type]
    return local.astimezone(ZoneInfo("UTC")).astimezone(ZoneInfo(fuseau))


def heure_existe(jour: date, heure: object, fuseau: str) -> bool:
    """``heure`` is read on the clocks of ``fuseau`` on ``jour`` (not skipped by DST)."""
    local = heure_locale(jour, heure, fuseau)
    return (local.date(), local.timetz().replace(tzinfo=None)) == (jour, heure)


def echeance_rappel(rappel: Rappel, debut: datetime) -> datetime:
    return debut - rappel.avance * UNITES[Unite(rappel.unite)]


def _pas(recurrent: RappelRecurrent, rang: int) -> relativedelta:
    n = rang * recurrent.intervalle
    if recurrent.frequence == Frequence.JOUR:
        return relativedelta(days=n)
    if recurrent.frequence == Frequence.SEMAINE:
        return relativedelta(weeks=n)
    return relativedelta(months=n)  # the 31st: the last day of shorter months


def occurrences(
    recurrent: RappelRecurrent, *, depuis_rang: int = 0
) -> Iterator[tuple[int, datetime]]:
    """The occurrences (rank, aware datetime) from rank ``depuis_rang``: counted on local dates
    from ``debut`` (a month after the 31st January is the 28th/29th February, then the 31st
    March: each one from the start, never from the previous one), each at ``heure`` local time
    in its own offset — 8:00 stays 8:00 across the changes of time. Ends at ``fin`` or after
    ``occurrences`` (one of them is always set: the form and the service require it)."""
    rang = depuis_rang
    while True:
        if recurrent.occurrences is not None and rang >= recurrent.occurrences:
            return
        jour = recurrent.debut + _pas(recurrent, rang)
        if recurrent.fin is not None and jour > recurrent.fin:
            return
        yield rang, heure_locale(jour, recurrent.heure, recurrent.fuseau)
        rang += 1


def premiere_occurrence(recurrent: RappelRecurrent, apres: datetime) -> tuple[int, datetime] | None:
    """The first occurrence at or after ``apres`` (the reminder's creation: none in the past)."""
    for rang, moment in occurrences(recurrent):
        if moment >= apres:
            return rang, moment
    return None


# --- Creating the sendings due soon --------------------------------------------------------------


def destinataires(espaces: set[int]) -> dict[int, list[int]]:
    """Who is reminded, per space: its holder, and the representatives of a minor (whose
    space has no holder's account, or has one: both are reminded). Two queries per
    ``TRANCHE`` spaces."""
    par_espace: dict[int, list[int]] = {pk: [] for pk in espaces}
    mineurs: list[int] = []
    tous = sorted(espaces)
    for debut in range(0, len(tous), TRANCHE):
        for pk, titulaire, naissance in Espace.objects.filter(
            pk__in=tous[debut : debut + TRANCHE]
        ).values_list("pk", "titulaire_id", "date_naissance"):
            if titulaire is not None:
                par_espace[pk].append(titulaire)
            if Espace(date_naissance=naissance).est_mineur:
                mineurs.append(pk)
    for debut in range(0, len(mineurs), TRANCHE):
        representants = Representation.objects.filter(
            espace__in=mineurs[debut : debut + TRANCHE],
            fin__isnull=True,
            representant__titulaire__isnull=False,
        ).values_list("espace_id", "representant__titulaire_id")
        for espace, utilisateur in representants:
            if utilisateur not in par_espace[espace]:
                par_espace[espace].append(utilisateur)
    return par_espace


def envois_creer(*, maintenant: datetime | None = None) -> int:
    """The ``EnvoiRappel`` rows of every occurrence due before ``maintenant`` +
    ``AGENDA_HORIZON_SECONDES``: late ones included (the beat was down: sent late, never lost),
    unless later than ``AGENDA_RATTRAPAGE_HEURES`` (stale: skipped) or the appointment has begun.
    Safe to run twice at once: the reminders are locked (skip locked), the rows unique. By
    slices of ``AGENDA_PLANIFICATION_TRANCHE`` reminders, one transaction each."""
    maintenant = maintenant or timezone.now()
    crees = 0
    while True:
        planifies, lignes = _tranche_planifier(maintenant)
        crees += lignes
        if planifies < settings.AGENDA_PLANIFICATION_TRANCHE:
            return crees


def _tranche_planifier(maintenant: datetime) -> tuple[int, int]:
    """One slice: how many reminders it planned (of either kind, the larger), rows created."""
    horizon = maintenant + timedelta(seconds=settings.AGENDA_HORIZON_SECONDES)
    trop_tard = maintenant - timedelta(hours=settings.AGENDA_RATTRAPAGE_HEURES)
    with transaction.atomic():
        rappels = list(
            Rappel.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(envois_crees=False, echeance__lte=horizon)
            .select_related("rendez_vous")
            .only("pk", "echeance", "rendez_vous__espace_id", "rendez_vous__debut")[
                : settings.AGENDA_PLANIFICATION_TRANCHE
            ]
        )
        recurrents = list(
            RappelRecurrent.objects.select_for_update(skip_locked=True)
            .filter(prochaine__isnull=False, prochaine__lte=horizon)
            .defer("libelle")[: settings.AGENDA_PLANIFICATION_TRANCHE]
        )
        qui = destinataires(
            {r.rendez_vous.espace_id for r in rappels} | {r.espace_id for r in recurrents}
        )
        lignes: list[EnvoiRappel] = []
        for rappel in rappels:
            echeance = rappel.echeance
            assert echeance is not None
            if echeance >= trop_tard and rappel.rendez_vous.debut > maintenant:
                lignes += [
                    EnvoiRappel(rappel_id=rappel.pk, destinataire_id=u, echeance=echeance)
                    for u in qui[rappel.rendez_vous.espace_id]
                ]
        for recurrent in recurrents:
            suivante: tuple[int, datetime] | None = None
            for rang, moment in occurrences(recurrent, depuis_rang=recurrent.rang_prochaine):
                if moment > horizon:
                    suivante = (rang, moment)
                    break
                if moment >= trop_tard:
                    lignes += [
                        EnvoiRappel(recurrent_id=recurrent.pk, destinataire_id=u, echeance=moment)
                        for u in qui[recurrent.espace_id]
                    ]
            recurrent.prochaine, recurrent.rang_prochaine = (
                (suivante[1], suivante[0]) if suivante else (None, recurrent.rang_prochaine)
            )
        EnvoiRappel.objects.bulk_create(lignes, ignore_conflicts=True, batch_size=2000)
        planifies = [r.pk for r in rappels]
        for debut in range(0, len(planifies), TRANCHE):
            Rappel.objects.filter(pk__in=planifies[debut : debut + TRANCHE]).update(
                envois_crees=True
            )
        RappelRecurrent.objects.bulk_update(
            recurrents, ["prochaine", "rang_prochaine"], batch_size=1000
        )
    return max(len(rappels), len(recurrents)), len(lignes)


def _a_prendre(maintenant: datetime) -> Q:
    """Due and waiting, or claimed by a worker whose lease ran out (it died, or the broker
    lost its message): taken again."""
    bail = maintenant - timedelta(seconds=settings.AGENDA_BAIL_SECONDES)
    return Q(statut=EnvoiRappel.Statut.A_ENVOYER, echeance__lte=maintenant) | Q(
        statut=EnvoiRappel.Statut.EN_COURS, reserve_le__lt=bail
    )


def envois_en_attente(*, maintenant: datetime | None = None) -> int:
    return EnvoiRappel.objects.filter(_a_prendre(maintenant or timezone.now())).count()


# --- Claiming and sending a batch ----------------------------------------------------------------


def envois_reserver(
    *, taille: int, maintenant: datetime | None = None
) -> tuple[list[int], datetime]:
    """Claim up to ``taille`` due rows for this worker (skip locked: two workers never claim the
    same row): their ids and the lease's stamp, which the marks check."""
    maintenant = maintenant or timezone.now()
    with transaction.atomic():
        ids = list(
            EnvoiRappel.objects.select_for_update(skip_locked=True)
            .filter(_a_prendre(maintenant))
            .order_by("echeance")
            .values_list("pk", flat=True)[:taille]
        )
        if ids:
            EnvoiRappel.objects.filter(pk__in=ids).update(
                statut=EnvoiRappel.Statut.EN_COURS, reserve_le=maintenant, essais=F("essais") + 1
            )
    return ids, maintenant


@dataclass(frozen=True)
class Courriel:
    envoi: int
    message: EmailMessage


def message_id(envoi_pk: int) -> str:
    """The same for every attempt at one sending: a repeated e-mail is recognisable."""
    return f"<rappel-{envoi_pk}@{settings.AGENDA_DOMAINE_MESSAGE_ID}>"


def _quand(moment: datetime, fuseau: str) -> tuple[str, str]:
    local = timezone.localtime(moment, ZoneInfo(fuseau))
    return date_en_mots(local, annee=False), formats.date_format(local, "G \\h i")


def courriels_preparer(ids: list[int]) -> list[Courriel]:
    """The e-mails of claimed rows: three queries (the rows with their reminder, appointment,
    space and recipient; the recipients' choices), whatever their number."""
    envois = list(
        EnvoiRappel.objects.filter(pk__in=ids)
        .select_related("destinataire", "rappel__rendez_vous__espace", "recurrent__espace")
        .order_by("echeance", "pk")
    )
    details = set(
        PreferencesAgenda.objects.filter(
            details_dans_les_rappels=True,
            utilisateur__in={e.destinataire_id for e in envois},
        ).values_list("espace_id", "utilisateur_id")
    )
    courriels = []
    with override(settings.LANGUAGE_CODE):
        for envoi in envois:
            courriels.append(Courriel(envoi.pk, _courriel(envoi, details)))
    return courriels


def _courriel(envoi: EnvoiRappel, details: set[tuple[int, int]]) -> EmailMessage:
    rdv = envoi.rappel.rendez_vous if envoi.rappel else None
    recurrent = envoi.recurrent
    espace = rdv.espace if rdv else recurrent.espace  # type: ignore[union-attr]
    fuseau = recurrent.fuseau if recurrent else FUSEAU_PAR_DEFAUT
    avec_details = (espace.pk, envoi.destinataire_id) in details
    pour = (
        ""
        if espace.titulaire_id == envoi.destinataire_id
        else _(" pour %(prenom)s") % {"prenom": espace.prenom_usuel}
    )
    lignes = [_("Bonjour,"), ""]
    if rdv is not None:
        jour, heure = _quand(rdv.debut, fuseau)
        sujet = _("Rappel de votre rendez-vous du %(jour)s à %(heure)s") % {
            "jour": jour,
            "heure": heure,
        }
        lignes.append(
            _("Vous avez un rendez-vous%(pour)s le %(jour)s à %(heure)s (heure de Paris).")
            % {"pour": pour, "jour": jour, "heure": heure}
        )
        if avec_details:
            lignes.append(_("Rendez-vous : %(titre)s") % {"titre": rdv.titre})
    else:
        jour, heure = _quand(envoi.echeance, fuseau)
        sujet = _("Votre rappel du %(jour)s à %(heure)s") % {"jour": jour, "heure": heure}
        lignes.append(_("Voici le rappel que vous avez programmé%(pour)s.") % {"pour": pour})
        if avec_details:
            lignes.append(_("Rappel : %(libelle)s") % {"libelle": recurrent.libelle})  # type: ignore[union-attr]
    lignes += [
        "",
        _("Votre agenda : %(url)s")
        % {"url": settings.SITE_URL.rstrip("/") + reverse("agenda:liste", args=[espace.uuid])},
        "",
        _(
            "Ce message ne contient aucune information de santé sauf si vous l'avez demandé dans "
            "les réglages de votre agenda."
        ),
    ]
    return EmailMessage(
        subject=sujet,
        body="\n".join(lignes),
        to=[envoi.destinataire.email],
        headers={"Message-ID": message_id(envoi.pk)},
    )


def envois_marquer(ids: list[int], reserve_le: datetime) -> int:
    """Sent: only rows this worker still holds (a lease taken over meanwhile is not ours)."""
    return EnvoiRappel.objects.filter(
        pk__in=ids, statut=EnvoiRappel.Statut.EN_COURS, reserve_le=reserve_le
    ).update(statut=EnvoiRappel.Statut.ENVOYE, envoye_le=timezone.now())


@contextmanager
def _commits_sans_attente() -> Iterator[None]:
    """On PostgreSQL, the marks' commits do not wait for their WAL flush (``synchronous_commit``
    off for this connection, for the batch only): a worker's death loses no mark (the server
    has it); a crash of the database server itself may lose its last fraction of a second of
    marks, and those e-mails would go again (docs/AGENDA.md)."""
    postgres = connection.vendor == "postgresql" and not connection.in_atomic_block
    if postgres:
        with connection.cursor() as curseur:
            curseur.execute("SET synchronous_commit = off")
    try:
        yield
    finally:
        if postgres:
            with connection.cursor() as curseur:
                curseur.execute("RESET synchronous_commit")


def _definitif(refus: Exception) -> bool:
    """A refusal the mail server gave for good (a 5xx code), not a passing one (4xx)."""
    if isinstance(refus, SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in refus.recipients.values())
    return getattr(refus, "smtp_code", 0) >= 500


def lot_envoyer(*, taille: int | None = None) -> int:
    """Claim one batch, send it over ONE connection, mark each row sent right after the mail
    server took its e-mail (``AGENDA_MARQUAGE_PAR`` at a time: 1 keeps the window where a death
    repeats an e-mail to one message). The rows not sent (the server refused) go back to
    waiting. How many were sent."""
    ids, reserve_le = envois_reserver(taille=taille or settings.AGENDA_LOT)
    if not ids:
        return 0
    courriels = courriels_preparer(ids)
    par = max(1, settings.AGENDA_MARQUAGE_PAR)
    envoyes = 0
    connexion = get_connection(settings.AGENDA_EMAIL_BACKEND or None)
    connexion.open()
    try:
        with _commits_sans_attente():
            for debut in range(0, len(courriels), par):
                tranche = courriels[debut : debut + par]
                try:
                    connexion.send_messages([c.message for c in tranche])
                except (SMTPRecipientsRefused, SMTPSenderRefused, SMTPDataError) as refus:
                    if not _definitif(refus):
                        raise
                    # refused for good (5xx): dropped, not retried ahead of every other row
                    logger.warning("rappel refusé par le serveur de courrier : %s", refus)
                    EnvoiRappel.objects.filter(pk__in=[c.envoi for c in tranche]).update(
                        statut=EnvoiRappel.Statut.ANNULE
                    )
                    continue
                envoyes += envois_marquer([c.envoi for c in tranche], reserve_le)
    finally:
        connexion.close()
        restants = EnvoiRappel.objects.filter(
            pk__in=ids, statut=EnvoiRappel.Statut.EN_COURS, reserve_le=reserve_le
        )
        restants.update(statut=EnvoiRappel.Statut.A_ENVOYER, reserve_le=None)
    return envoyes


def lots_envoyer(*, duree_max: float | None = None) -> int:
    """Batches one after the other until nothing is due or ``duree_max`` seconds passed (the
    rest is for the next task)."""
    limite = time.monotonic() + (duree_max or settings.AGENDA_DUREE_TACHE_SECONDES)
    total = 0
    while time.monotonic() < limite:
        envoyes = lot_envoyer()
        if not envoyes:
            break
        total += envoyes
    return total
