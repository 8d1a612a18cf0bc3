"""Syncing a space's reimbursement history from the insurer (the job's services).

``espace_synchroniser`` reads pages from the space's cursor on, one request per token of the
shared bucket (debit.py), at most ``ASSURANCE_PAGES_PAR_TACHE`` pages per run (then it queues
itself again: a long history never holds a worker). Each page is written in one transaction
that also moves the cursor, by compare-and-set: lines upserted on (space, insurer id), bad lines
quarantined (encrypted), the journal event — so a failure or a concurrent run at any point
leaves the cursor and the lines in agreement, and a retry never adds a line twice."""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from espace_sante.coffre.champs import empreinte_indexee
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.taches.services import tache_programmer
from profil.models import Espace, Statut

from ..models import LigneQuarantaine, LigneRemboursement, OrigineRemboursement
from ..models import SynchroRemboursements as Synchro
from .cnam_hr import documents_lire
from .connecteur import (
    AssureInconnu,
    ConnecteurAssurance,
    Page,
    ServiceIndisponible,
    connecteur_par_defaut,
)
from .debit import seau
from .lignes import LigneInvalide, LigneLue, empreinte_professionnel, lire_ligne

logger = logging.getLogger(__name__)

CHAMPS_MIS_A_JOUR = [
    "date_soins",
    "nature",
    "libelle",
    "codes",
    "professionnel",
    "professionnel_empreinte",
    "quantite",
    "paye_centimes",
    "base_centimes",
    "rembourse_centimes",
    "reste_a_charge_centimes",
]


@dataclass(frozen=True)
class Resultat:
    etat: str  # "termine", "suite" (requeued), "ignore", "inconnu", "concurrent"
    ajoutees: int = 0
    quarantaine: int = 0
    pages: int = 0


def delai_nouvel_essai(essai: int, *, hasard: Callable[[], float] = random.random) -> float:
    """Seconds before retry number ``essai + 1``: exponential (``ASSURANCE_BACKOFF_BASE`` ×
    2^essai, capped at ``ASSURANCE_BACKOFF_MAX``) with "equal jitter": half of it fixed, half
    random, so that spaces failing together do not come back together, yet never at once."""
    plafond = min(settings.ASSURANCE_BACKOFF_MAX, settings.ASSURANCE_BACKOFF_BASE * 2**essai)
    return plafond / 2 + hasard() * plafond / 2


def espace_synchroniser(
    *, espace_id: int, connecteur: ConnecteurAssurance | None = None, pages_max: int | None = None
) -> Resultat:
    """Fetch what the insurer added since the space's cursor. Raises ``ServiceIndisponible``
    or ``DebitDepasse`` for the task to retry later (pages already written stay written)."""
    espace = Espace.objects.filter(pk=espace_id, statut=Statut.ACTIF).first()
    if espace is None:
        return Resultat("ignore")
    documents_lire(espace=espace)  # CNAM-HR documents not read yet (cnam_hr.py)
    connecteur = connecteur or connecteur_par_defaut()
    if connecteur is None:
        return Resultat("ignore")
    etat, _ = Synchro.objects.get_or_create(espace=espace)
    Synchro.objects.filter(pk=etat.pk).update(debut_derniere=timezone.now())
    curseur, ajoutees, quarantaine = etat.curseur, 0, 0
    pages_max = pages_max or settings.ASSURANCE_PAGES_PAR_TACHE
    for numero in range(1, pages_max + 1):
        seau().prendre()
        try:
            page = connecteur.remboursements(
                ins=espace.ins, depuis=curseur, limite=settings.ASSURANCE_LIMITE_PAGE
            )
        except ServiceIndisponible as erreur:
            _echec_noter(etat.pk, str(erreur))
            raise
        except AssureInconnu as erreur:
            _echec_noter(etat.pk, str(erreur))
            return Resultat("inconnu", ajoutees, quarantaine, numero)
        ecrit = _page_enregistrer(espace, etat.pk, curseur, page)
        if ecrit is None:  # another run moved the cursor: it goes on, this one stops
            return Resultat("concurrent", ajoutees, quarantaine, numero)
        ajoutees, quarantaine, curseur = (
            ajoutees + ecrit[0],
            quarantaine + ecrit[1],
            page.curseur_suivant,
        )
        if page.fin:
            Synchro.objects.filter(pk=etat.pk).update(
                derniere_reussite=timezone.now(), echecs_consecutifs=0, derniere_erreur=""
            )
            return Resultat("termine", ajoutees, quarantaine, numero)
    _programmer(espace.pk)
    return Resultat("suite", ajoutees, quarantaine, pages_max)


def _programmer(espace_id: int) -> None:
    """The space's sync job, through the outbox (docs/TACHES.md) by its name: the tasks module
    imports this one."""
    tache_programmer("dossier.tasks.remboursements_synchroniser", espace_id)


def _echec_noter(etat_pk: int, motif: str) -> None:
    Synchro.objects.filter(pk=etat_pk).update(
        echecs_consecutifs=F("echecs_consecutifs") + 1, derniere_erreur=motif[:200]
    )
    logger.warning("remboursements : échec de synchronisation (%s), synchro %s", motif, etat_pk)


def _ligne(espace: Espace, lue: LigneLue) -> LigneRemboursement:
    return LigneRemboursement(
        espace=espace,
        identifiant=lue.identifiant,
        origine=OrigineRemboursement.ASSURANCE,
        date_soins=lue.date_soins,
        nature=lue.nature,
        libelle=lue.libelle,
        codes=lue.codes,
        professionnel=lue.professionnel,
        professionnel_empreinte=empreinte_professionnel(lue.professionnel),
        quantite=lue.quantite,
        paye_centimes=lue.paye,
        base_centimes=lue.base,
        rembourse_centimes=lue.rembourse,
        reste_a_charge_centimes=lue.reste_a_charge,
    )


def _page_enregistrer(
    espace: Espace, etat_pk: int, avant: str, page: Page
) -> tuple[int, int] | None:
    """(lines added, lines quarantined), or ``None`` if the cursor is no longer ``avant``."""
    lues: dict[str, LigneRemboursement] = {}
    mises_a_l_ecart: dict[str, LigneQuarantaine] = {}
    for brute in page.lignes:
        try:
            lue = lire_ligne(brute)
        except LigneInvalide as invalide:
            empreinte = empreinte_indexee(
                hashlib.sha256(brute.encode()).hexdigest(), usage="quarantaine", portee=espace.pk
            )
            mises_a_l_ecart[empreinte] = LigneQuarantaine(
                espace=espace,
                empreinte=empreinte,
                identifiant=invalide.identifiant,
                contenu=brute[: 64 * 1024],
                motif=invalide.motif,
                curseur=avant,
            )
            continue
        lues[lue.identifiant] = _ligne(espace, lue)  # the same id twice: the last one wins
    with transaction.atomic():
        # Compare-and-set first: it also locks the row until commit (a concurrent run waits,
        # then finds the cursor moved and stops).
        if not Synchro.objects.filter(pk=etat_pk, curseur=avant).update(
            curseur=page.curseur_suivant,
            lignes_recues=F("lignes_recues") + len(lues),
            lignes_quarantaine=F("lignes_quarantaine") + len(mises_a_l_ecart),
        ):
            return None
        existantes = set(
            LigneRemboursement.objects.filter(
                espace=espace, identifiant__in=list(lues)
            ).values_list("identifiant", flat=True)
        )
        if lues:
            LigneRemboursement.objects.bulk_create(
                list(lues.values()),
                update_conflicts=True,
                unique_fields=["espace", "identifiant"],
                update_fields=CHAMPS_MIS_A_JOUR,
            )
        if mises_a_l_ecart:
            LigneQuarantaine.objects.bulk_create(
                list(mises_a_l_ecart.values()), ignore_conflicts=True
            )
        ajoutees = len(set(lues) - existantes)
        if ajoutees:
            evenement_enregistrer(
                action=Action.REMBOURSEMENTS_SYNCHRONISES,
                acteur=Acteur.systeme("Assurance Maladie"),
                espace_uuid=espace.uuid,
                objet_type="remboursements",
                details={"lignes": ajoutees},
            )
    if mises_a_l_ecart:
        logger.warning(
            "remboursements : %d ligne(s) en quarantaine pour l'espace %s (%s)",
            len(mises_a_l_ecart),
            espace.uuid,
            ", ".join(sorted({q.motif for q in mises_a_l_ecart.values()})),
        )
    return ajoutees, len(mises_a_l_ecart)


def espaces_synchroniser_tous(*, maintenant: object = None) -> int:
    """The beat job: queue a sync for every active space that is due (not synced nor queued
    within ``ASSURANCE_INTERVALLE``), in batches of ``ASSURANCE_LOT_ESPACES`` (one query to
    mark a batch queued, its tasks queued on commit). Returns how many were queued."""
    if not settings.ASSURANCE_URL:
        return 0
    instant = maintenant or timezone.now()
    limite = instant - settings.ASSURANCE_INTERVALLE  # type: ignore[operator]
    dus = (
        Espace.objects.filter(statut=Statut.ACTIF)
        .exclude(synchro_remboursements__derniere_reussite__gte=limite)
        .exclude(synchro_remboursements__programmee_le__gte=limite)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    total, dernier = 0, 0
    while True:
        lot = list(dus.filter(pk__gt=dernier)[: settings.ASSURANCE_LOT_ESPACES])
        if not lot:
            return total
        with transaction.atomic():
            Synchro.objects.bulk_create(
                [Synchro(espace_id=pk) for pk in lot], ignore_conflicts=True
            )
            Synchro.objects.filter(espace_id__in=lot).update(programmee_le=instant)
            for pk in lot:
                _programmer(pk)
        total, dernier = total + len(lot), lot[-1]
