"""A professional in a patient's space: the emergency access that lets them in without a grant
(when the holder allows it), and the trace every read leaves — the first one also tells the
patient. The patient's own decisions about professionals are in ``services``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.acces import AccesPro, acteur_professionnel, urgence_possible
from espace_sante.comptes.models import TypeNotification
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action
from espace_sante.lib.erreurs import Refus
from profil.models import Espace

from .models import AccesProfessionnel, BrisDeGlace, ModeUrgence, Professionnel
from .services import _evenement, reglages_acces

MOTIF_URGENCE_MIN = 10


# --- Emergency access ----------------------------------------------------------------------------


def urgence_ouvrir(
    *,
    professionnel: Professionnel,
    espace: Espace,
    mode: str,
    motif: str,
    ip: str | None = None,
) -> BrisDeGlace:
    motif = " ".join(motif.split())
    if mode not in ModeUrgence.values:
        raise Refus(_("Choisissez le mode d'accès en urgence."))
    if mode == ModeUrgence.REGULATION and not professionnel.regulation:
        raise Refus(_("Le mode « centre de régulation » est réservé aux médecins régulateurs."))
    if len(motif) < MOTIF_URGENCE_MIN:
        raise Refus(_("Indiquez la raison de l'accès en urgence (au moins 10 caractères)."))
    if not urgence_possible(professionnel=professionnel, espace=espace):
        with transaction.atomic():
            _evenement(
                Action.URGENCE_REFUSEE,
                acteur=acteur_professionnel(professionnel),
                espace=espace,
                ip=ip,
                mode=mode,
            )
        raise Refus(_("L'accès en urgence n'est pas possible pour ce patient."))
    maintenant = timezone.now()
    with transaction.atomic():
        urgence = BrisDeGlace.objects.create(
            espace=espace,
            professionnel=professionnel,
            mode=mode,
            motif=motif,
            debut=maintenant,
            fin=maintenant + timedelta(hours=settings.URGENCE_DUREE_HEURES),
        )
        _evenement(
            Action.URGENCE_OUVERTE,
            acteur=acteur_professionnel(professionnel),
            espace=espace,
            objet_type="urgence",
            objet_id=str(urgence.uuid),
            ip=ip,
            mode=mode,
            fin=urgence.fin.isoformat(),
        )
        if espace.titulaire is not None:
            notification_programmer(
                destinataire=espace.titulaire,
                type=TypeNotification.ACCES_URGENCE,
                cle=str(urgence.uuid),
            )
    return urgence


# --- Traces of professional reads -----------------------------------------------------------------


def consultation_tracer(
    *,
    acces: AccesPro,
    action: Action,
    objet_type: str = "",
    objet_id: str = "",
    ip: str | None = None,
    **details: Any,
) -> None:
    """Every professional read writes an event; the first one also tells the patient."""
    if acces.en_urgence:
        details["urgence"] = True
    with transaction.atomic():
        _evenement(
            action,
            acteur=acces.acteur,
            espace=acces.espace,
            objet_type=objet_type,
            objet_id=objet_id,
            ip=ip,
            **details,
        )
        premier = AccesProfessionnel.objects.filter(
            espace=acces.espace, professionnel=acces.professionnel, premier_acces_le__isnull=True
        ).update(premier_acces_le=timezone.now())
        if not premier and acces.lien is None:
            try:
                with transaction.atomic():
                    AccesProfessionnel.objects.create(
                        espace=acces.espace,
                        professionnel=acces.professionnel,
                        premier_acces_le=timezone.now(),
                    )
                premier = 1
            except IntegrityError:
                premier = 0
        if not premier:
            return
        titulaire = acces.espace.titulaire
        if titulaire is not None and reglages_acces(espace=acces.espace).notifier_premier_acces:
            notification_programmer(
                destinataire=titulaire,
                type=TypeNotification.PREMIER_ACCES_PRO,
                cle=f"{acces.espace.uuid}:{acces.professionnel.uuid}",
            )
