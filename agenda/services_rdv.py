"""Appointments and reminders of a space (docs/AGENDA.md): the writes (add, change, delete an
appointment with its reminders; add, delete a recurring reminder; the person's choice of
details in the e-mails) and the reads of the agenda's pages.

Every function takes the ``AccesPatient`` that ``espace_pour_acteur`` gave (the holder, or a
minor's representative) and reaches only that space's rows: another space's id is a 404."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.acces import AccesPatient, autorisation_active
from espace_sante.journal.models import Action
from espace_sante.lib.erreurs import Refus
from professionnels.models import AccesProfessionnel, Professionnel

from . import rappels as envois
from .journal import journaliser
from .models import (
    FUSEAU_PAR_DEFAUT,
    EnvoiRappel,
    Frequence,
    PreferencesAgenda,
    Rappel,
    RappelRecurrent,
    RendezVous,
    Unite,
)

ANNEES_AVANT_MAX = 10  # an appointment or a recurrence: no later than 10 years from now
ANNEES_APRES_MAX = 120  # an appointment kept for the record: no earlier than 120 years ago
DUREE_MAX_MINUTES = 24 * 60 * 7
RAPPELS_MAX = 5
AVANCE_MAX = {Unite.MINUTES: 60 * 24 * 31, Unite.HEURES: 24 * 31, Unite.JOURS: 366}
OCCURRENCES_MAX = 5000


# --- Checks shared by the forms and the services ---------------------------------------------


def debut_local(jour: date, heure: time, fuseau: str = FUSEAU_PAR_DEFAUT) -> datetime:
    """The form's date and time, read on the clocks of ``fuseau`` (an aware datetime), or a
    refusal for an hour the clocks skip (the spring change)."""
    if not envois.heure_existe(jour, heure, fuseau):
        raise Refus(
            _(
                "Cette heure n'existe pas ce jour-là (passage à l'heure d'été) : choisissez "
                "une heure avant 2 h ou après 3 h."
            )
        )
    return envois.heure_locale(jour, heure, fuseau)


def verifier_date(jour: date, *, passe_permis: bool = True) -> None:
    aujourd_hui = timezone.localdate()
    if jour > aujourd_hui.replace(year=aujourd_hui.year + ANNEES_AVANT_MAX, day=1):
        raise Refus(
            _("Cette date est trop loin dans l'avenir : %(n)s ans au plus.")
            % {"n": ANNEES_AVANT_MAX}
        )
    if passe_permis and jour < aujourd_hui.replace(year=aujourd_hui.year - ANNEES_APRES_MAX):
        raise Refus(_("Cette date est trop ancienne : vérifiez l'année."))


def _verifier_rappels(liste: list[tuple[int, str]]) -> list[tuple[int, Unite]]:
    propres: list[tuple[int, Unite]] = []
    for avance, unite in liste:
        unite = Unite(unite)
        if avance < 1 or avance > AVANCE_MAX[unite]:
            raise Refus(_("Un rappel se programme entre 1 minute et un an avant le rendez-vous."))
        if (avance, unite) not in propres:
            propres.append((avance, unite))
    if len(propres) > RAPPELS_MAX:
        raise Refus(_("%(n)s rappels au plus par rendez-vous.") % {"n": RAPPELS_MAX})
    return propres


# --- "Mes professionnels": who may be chosen --------------------------------------------------


def professionnels_proposes(*, acces: AccesPatient) -> list[Professionnel]:
    """The space's professionals: a running grant, or its médecin traitant (as "Mes
    professionnels de santé" lists them), by name. One query."""
    maintenant = timezone.now()
    liens = (
        AccesProfessionnel.objects.filter(espace=acces.espace)
        .filter(Q(autorise=True) | Q(medecin_traitant=True))
        .exclude(bloque=True)
        .select_related("professionnel__utilisateur")
    )
    pros = [
        lien.professionnel
        for lien in liens
        if lien.medecin_traitant or autorisation_active(lien, maintenant)
    ]
    return sorted(pros, key=lambda p: (p.utilisateur.nom, p.utilisateur.prenom))


def professionnel_propose(*, acces: AccesPatient, professionnel_uuid: uuid.UUID) -> Professionnel:
    for pro in professionnels_proposes(acces=acces):
        if pro.uuid == professionnel_uuid:
            return pro
    raise Refus(_("Ce professionnel n'est pas parmi les vôtres : écrivez son nom à la place."))


# --- Appointments ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DonneesRendezVous:
    titre: str
    debut: datetime
    duree_minutes: int
    professionnel: Professionnel | None
    professionnel_libre: str
    lieu: str
    notes: str
    rappels: list[tuple[int, str]]


def _verifier(donnees: DonneesRendezVous) -> list[tuple[int, Unite]]:
    if not donnees.titre.strip():
        raise Refus(_("Donnez un objet au rendez-vous (par exemple « Dentiste »)."))
    verifier_date(timezone.localtime(donnees.debut).date())
    if not 1 <= donnees.duree_minutes <= DUREE_MAX_MINUTES:
        raise Refus(_("La durée va de 1 minute à 7 jours : la fin doit venir après le début."))
    return _verifier_rappels(donnees.rappels)


def _rappels_poser(rdv: RendezVous, rappels: list[tuple[int, Unite]]) -> None:
    """Replace the appointment's reminders: those waiting to be sent are cancelled, each new
    one falls due from its appointment's start (one in the past is kept but never sent)."""
    EnvoiRappel.objects.filter(rappel__rendez_vous=rdv, statut=EnvoiRappel.Statut.A_ENVOYER).update(
        statut=EnvoiRappel.Statut.ANNULE
    )
    rdv.rappels.all().delete()
    maintenant = timezone.now()
    nouveaux = []
    for avance, unite in rappels:
        rappel = Rappel(rendez_vous=rdv, avance=avance, unite=unite)
        rappel.echeance = envois.echeance_rappel(rappel, rdv.debut)
        rappel.envois_crees = rappel.echeance < maintenant  # already past: nothing to send
        nouveaux.append(rappel)
    Rappel.objects.bulk_create(nouveaux)


def rendez_vous_creer(*, acces: AccesPatient, donnees: DonneesRendezVous) -> RendezVous:
    rappels = _verifier(donnees)
    with transaction.atomic():
        rdv = RendezVous.objects.create(
            espace=acces.espace,
            titre=donnees.titre.strip(),
            debut=donnees.debut,
            duree_minutes=donnees.duree_minutes,
            professionnel=donnees.professionnel,
            professionnel_libre="" if donnees.professionnel else donnees.professionnel_libre,
            lieu=donnees.lieu,
            notes=donnees.notes,
            cree_par=acces.utilisateur,
        )
        _rappels_poser(rdv, rappels)
        journaliser(Action.RDV_AJOUTE, acces=acces, objet_type="rendez_vous", objet_id=rdv.uuid)
    return rdv


def rendez_vous_modifier(
    *, acces: AccesPatient, rdv: RendezVous, donnees: DonneesRendezVous
) -> RendezVous:
    if rdv.espace_id != acces.espace.pk:
        raise Http404
    rappels = _verifier(donnees)
    with transaction.atomic():
        rdv.titre = donnees.titre.strip()
        rdv.debut = donnees.debut
        rdv.duree_minutes = donnees.duree_minutes
        rdv.professionnel = donnees.professionnel
        rdv.professionnel_libre = "" if donnees.professionnel else donnees.professionnel_libre
        rdv.lieu = donnees.lieu
        rdv.notes = donnees.notes
        rdv.modifie_le = timezone.now()
        rdv.save()
        _rappels_poser(rdv, rappels)
        journaliser(Action.RDV_MODIFIE, acces=acces, objet_type="rendez_vous", objet_id=rdv.uuid)
    return rdv


def rendez_vous_supprimer(*, acces: AccesPatient, rdv: RendezVous) -> None:
    """Gone with its reminders and their sendings (a sending being sent right now still
    goes: its row's deletion waits for nothing, the worker's mark finds no row)."""
    if rdv.espace_id != acces.espace.pk:
        raise Http404
    with transaction.atomic():
        journaliser(Action.RDV_SUPPRIME, acces=acces, objet_type="rendez_vous", objet_id=rdv.uuid)
        rdv.delete()


def rendez_vous_de(*, acces: AccesPatient, rdv_uuid: uuid.UUID) -> RendezVous:
    """One appointment of the space, or 404 (another space's id included)."""
    rdv = (
        RendezVous.objects.filter(espace=acces.espace, uuid=rdv_uuid)
        .select_related("professionnel__utilisateur")
        .prefetch_related("rappels")
        .first()
    )
    if rdv is None:
        raise Http404
    return rdv


def _du_space(acces: AccesPatient) -> QuerySet[RendezVous]:
    return (
        RendezVous.objects.filter(espace=acces.espace)
        .select_related("professionnel__utilisateur")
        .prefetch_related("rappels")
    )


def rendez_vous_entre(*, acces: AccesPatient, du: datetime, au: datetime) -> list[RendezVous]:
    """The appointments starting in [du, au), in order: two queries."""
    return list(_du_space(acces).filter(debut__gte=du, debut__lt=au).order_by("debut"))


def rendez_vous_a_venir(*, acces: AccesPatient, limite: int = 50) -> list[RendezVous]:
    maintenant = timezone.now()
    return list(_du_space(acces).filter(debut__gte=maintenant).order_by("debut")[:limite])


def rendez_vous_passes(*, acces: AccesPatient, limite: int = 50) -> list[RendezVous]:
    maintenant = timezone.now()
    return list(_du_space(acces).filter(debut__lt=maintenant).order_by("-debut")[:limite])


def mois_bornes(
    annee: int, mois: int, fuseau: str = FUSEAU_PAR_DEFAUT
) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, on the clocks of ``fuseau``."""
    tz = ZoneInfo(fuseau)
    debut = datetime(annee, mois, 1, tzinfo=tz)
    suivant = datetime(annee + mois // 12, mois % 12 + 1, 1, tzinfo=tz)
    return debut, suivant


# --- Recurring reminders ------------------------------------------------------------------------


@dataclass(frozen=True)
class DonneesRecurrent:
    libelle: str
    frequence: str
    intervalle: int
    heure: time
    debut: date
    fin: date | None
    occurrences: int | None


def rappel_recurrent_creer(*, acces: AccesPatient, donnees: DonneesRecurrent) -> RappelRecurrent:
    """A recurring reminder; it must end (``fin`` or ``occurrences``) within ten years."""
    if not donnees.libelle.strip():
        raise Refus(_("Dites ce que ce rappel vous rappelle (par exemple « Traitement »)."))
    if donnees.intervalle < 1 or donnees.intervalle > 366:
        raise Refus(_("L'intervalle va de 1 à 366 : « tous les 0 jours » ne veut rien dire."))
    if donnees.fin is None and donnees.occurrences is None:
        raise Refus(
            _("Un rappel récurrent doit s'arrêter : donnez une date de fin ou un nombre de fois.")
        )
    if donnees.occurrences is not None and not 1 <= donnees.occurrences <= OCCURRENCES_MAX:
        raise Refus(_("De 1 à %(n)s fois.") % {"n": OCCURRENCES_MAX})
    verifier_date(donnees.debut, passe_permis=False)
    if donnees.fin is not None:
        verifier_date(donnees.fin, passe_permis=False)
        if donnees.fin < donnees.debut:
            raise Refus(_("La date de fin vient avant la date de début : corrigez l'une d'elles."))
    if donnees.debut < timezone.localdate() - timedelta(days=1):
        raise Refus(_("Un rappel commence aujourd'hui ou plus tard."))
    recurrent = RappelRecurrent(
        espace=acces.espace,
        libelle=donnees.libelle.strip(),
        frequence=Frequence(donnees.frequence),
        intervalle=donnees.intervalle,
        heure=donnees.heure,
        debut=donnees.debut,
        fin=donnees.fin,
        occurrences=donnees.occurrences,
        cree_par=acces.utilisateur,
    )
    premiere = envois.premiere_occurrence(recurrent, timezone.now())
    if premiere is None:
        raise Refus(_("Ce rappel n'aurait lieu aucune fois à venir : vérifiez ses dates."))
    recurrent.rang_prochaine, recurrent.prochaine = premiere
    dernier = None
    for _rang, moment in envois.occurrences(recurrent, depuis_rang=premiere[0]):
        dernier = moment
        if moment.date() > timezone.localdate().replace(
            year=timezone.localdate().year + ANNEES_AVANT_MAX, day=1
        ):
            raise Refus(
                _("Ce rappel irait au-delà de %(n)s ans : réduisez sa durée.")
                % {"n": ANNEES_AVANT_MAX}
            )
    assert dernier is not None
    with transaction.atomic():
        recurrent.save()
        journaliser(
            Action.RAPPEL_PROGRAMME, acces=acces, objet_type="rappel", objet_id=recurrent.uuid
        )
    return recurrent


def rappels_recurrents(*, acces: AccesPatient) -> list[RappelRecurrent]:
    return list(RappelRecurrent.objects.filter(espace=acces.espace).order_by("cree_le"))


def rappel_recurrent_de(*, acces: AccesPatient, recurrent_uuid: uuid.UUID) -> RappelRecurrent:
    recurrent = RappelRecurrent.objects.filter(espace=acces.espace, uuid=recurrent_uuid).first()
    if recurrent is None:
        raise Http404
    return recurrent


def rappel_recurrent_supprimer(*, acces: AccesPatient, recurrent: RappelRecurrent) -> None:
    if recurrent.espace_id != acces.espace.pk:
        raise Http404
    with transaction.atomic():
        journaliser(
            Action.RAPPEL_SUPPRIME, acces=acces, objet_type="rappel", objet_id=recurrent.uuid
        )
        recurrent.delete()


# --- The person's choice for the e-mails --------------------------------------------------------


def details_dans_les_rappels(*, acces: AccesPatient) -> bool:
    return PreferencesAgenda.objects.filter(
        espace=acces.espace, utilisateur=acces.utilisateur, details_dans_les_rappels=True
    ).exists()


def preferences_modifier(*, acces: AccesPatient, details: bool) -> None:
    PreferencesAgenda.objects.update_or_create(
        espace=acces.espace,
        utilisateur=acces.utilisateur,
        defaults={"details_dans_les_rappels": details},
    )
