"""The home page of a space: what changed and what to do (issue 20, point 1).

It reads across the apps (documents, messages, appointments, vaccinations, emergency accesses),
hence its place in ``ensemble``; each part goes through the selector of its app, with the access
policy applied, and costs a fixed number of statements whatever the amount of data.

"Since the last visit" means since the person's previous log-in: the one before the current
session's, read from the journal's log-in events (``derniere_visite``). The view keeps it in the
session, so that it does not move while the person browses; a first log-in has no previous
visit, and the home then shows what was added in the last ``JOURS_SANS_VISITE`` days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from agenda.models import RendezVous
from dossier.models import Document, Statut
from dossier.selectors import documents_visibles
from espace_sante.acces import AccesPatient, Rubrique, refus_a_signaler
from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.models import Action, Evenement
from messagerie.selectors import non_lus_espace
from proches.protection import mesures_a_accepter
from professionnels.models import BrisDeGlace
from profil import profil_medical as pm
from profil.models import MesureProtection

NOUVEAUX_MONTRES = 5
RENDEZ_VOUS_MONTRES = 3
JOURS_SANS_VISITE = 30
# An emergency access stays on the home page this long after it ended.
URGENCES_RECENTES = timedelta(days=30)
# The vaccination calendar's states read here (profil.vaccination.Statut's values).
EN_RETARD = "en_retard"
A_FAIRE = "a_faire"


@dataclass(frozen=True)
class Vaccins:
    en_retard: list[str] = field(default_factory=list)
    a_faire: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Urgence:
    professionnel: str
    debut: datetime
    fin: datetime
    en_cours: bool
    motif: str
    mode: str


@dataclass(frozen=True)
class Tableau:
    """What the home page shows for one space."""

    acces: AccesPatient
    depuis: datetime
    nouveaux: list[Document]
    nombre_nouveaux: int
    non_lus: int
    rendez_vous: list[RendezVous]
    vaccins: Vaccins
    documents_refuses: int
    urgences: list[Urgence]
    # The parts of the space the person reads, by name ("documents", "profil"…): a carer's
    # home shows only their perimeter (the template asks ``t.voit.documents``…).
    voit: dict[str, bool] = field(default_factory=dict)
    # The parts they change (a read-only carer none): an appointment links to its form only then.
    ecrit: dict[str, bool] = field(default_factory=dict)
    # The curatelles awaiting the protected holder's answer (proches.protection).
    curatelles: list[MesureProtection] = field(default_factory=list)

    @property
    def alertes(self) -> bool:
        vaccins = self.vaccins.en_retard or self.vaccins.a_faire
        return bool(vaccins or self.documents_refuses or self.urgences or self.curatelles)


def derniere_visite(*, utilisateur: Utilisateur) -> datetime | None:
    """The person's previous log-in (the latest is the current session's), or None."""
    connexions = Evenement.objects.filter(
        action=Action.CONNEXION, objet_type="compte", objet_id=str(utilisateur.uuid)
    ).order_by("-horodatage")
    return connexions.values_list("horodatage", flat=True)[1:2].first()


def depuis_la_visite(visite: datetime | None) -> datetime:
    return visite or timezone.now() - timedelta(days=JOURS_SANS_VISITE)


def documents_refuses(*, acces: AccesPatient) -> int:
    """The refused files the holder's side has not dismissed yet: the notices "Fichiers
    refusés" of the documents page (never documents)."""
    return refus_a_signaler(acces=acces).count()


def vaccins_a_signaler(*, acces: AccesPatient, aujourd_hui: date) -> Vaccins:
    """The vaccinations of the space's calendar that are late, or due from today."""
    en_retard: list[str] = []
    a_faire: list[str] = []
    for echeance in pm.calendrier_vaccinal(acces=acces):
        statut = str(getattr(echeance, "statut", ""))
        nom = str(echeance.regle.vaccin)
        if statut == EN_RETARD:
            en_retard.append(nom)
        elif statut == A_FAIRE and echeance.date_recommandee <= aujourd_hui:
            a_faire.append(nom)
    return Vaccins(en_retard=_uniques(en_retard), a_faire=_uniques(a_faire))


def _uniques(noms: list[str]) -> list[str]:
    return list(dict.fromkeys(noms))


def urgences_recentes(*, acces: AccesPatient, maintenant: datetime) -> list[Urgence]:
    """The emergency accesses to the space running now or ended in the last
    ``URGENCES_RECENTES``, with the reason the professional gave."""
    urgences = (
        BrisDeGlace.objects.filter(espace=acces.espace, fin__gte=maintenant - URGENCES_RECENTES)
        .select_related("professionnel__utilisateur")
        .order_by("-debut")[:5]
    )
    return [
        Urgence(
            professionnel=u.professionnel.nom_affiche,
            debut=u.debut,
            fin=u.fin,
            en_cours=u.fin > maintenant,
            motif=str(u.motif),
            mode=u.get_mode_display(),
        )
        for u in urgences
    ]


def rendez_vous_prochains(*, acces: AccesPatient, maintenant: datetime) -> list[RendezVous]:
    return list(
        RendezVous.objects.filter(espace=acces.espace, debut__gte=maintenant)
        .select_related("professionnel__utilisateur")
        .order_by("debut")[:RENDEZ_VOUS_MONTRES]
    )


def parties_lues(acces: AccesPatient) -> dict[str, bool]:
    """Which parts of the space the person reads, by the part's name: everything for the
    holder, a representative or a tutor; a carer's or curator's perimeter for them."""
    return {rubrique.value: acces.peut_lire(rubrique) for rubrique in Rubrique}


def tableau_de_bord(*, acces: AccesPatient, visite: datetime | None) -> Tableau:
    """Everything the home shows for ``acces.espace``, within the parts the person reads: a
    documents-only carer is told of no message, appointment or vaccination (nothing is read
    for a part they do not reach)."""
    maintenant = timezone.now()
    depuis = depuis_la_visite(visite)
    voit = parties_lues(acces)
    nouveaux: list[Document] = []
    nombre_nouveaux = refuses = 0
    if voit[Rubrique.DOCUMENTS]:
        lus = (
            documents_visibles(acces=acces)
            .filter(cree_le__gt=depuis, statut=Statut.DISPONIBLE)
            .order_by("-cree_le")
        )
        nouveaux = list(lus.only("uuid", "titre", "cree_le", "date_acte")[:NOUVEAUX_MONTRES])
        nombre_nouveaux = lus.count()
        refuses = documents_refuses(acces=acces)
    return Tableau(
        acces=acces,
        depuis=depuis,
        nouveaux=nouveaux,
        nombre_nouveaux=nombre_nouveaux,
        non_lus=non_lus_espace(acces) if voit[Rubrique.MESSAGERIE] else 0,
        rendez_vous=(
            rendez_vous_prochains(acces=acces, maintenant=maintenant)
            if voit[Rubrique.AGENDA]
            else []
        ),
        vaccins=(
            vaccins_a_signaler(acces=acces, aujourd_hui=timezone.localdate())
            if voit[Rubrique.PROFIL]
            else Vaccins()
        ),
        documents_refuses=refuses,
        urgences=(
            urgences_recentes(acces=acces, maintenant=maintenant)
            if voit[Rubrique.HISTORIQUE]
            else []
        ),
        voit=voit,
        ecrit={rubrique.value: acces.peut_ecrire(rubrique) for rubrique in Rubrique},
        curatelles=list(mesures_a_accepter(acces.espace)) if acces.est_titulaire else [],
    )


def tableaux_des_enfants(*, acces: AccesPatient, visite: datetime | None) -> list[Tableau]:
    """For a holder who represents minors: the same, one per represented child (the spaces
    read by the access check, ``acces.possibles``); for a representative acting in a child's
    space, nothing more (that space's own dashboard is the page)."""
    if not acces.est_titulaire:
        return []
    return [
        tableau_de_bord(
            acces=AccesPatient(espace=a.espace, role=a.role, utilisateur=acces.utilisateur),
            visite=visite,
        )
        for a in acces.possibles or ()
        if a.est_representant and a.espace.ouvert
    ]
