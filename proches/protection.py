"""Protected adults: tutelle and curatelle recorded by operators (helper H3, docs/PROCHES.md).

An operator records the court's measure in the admin (``protection_enregistrer``) and may end
it (``protection_terminer``). Under a tutelle the tutor acts for the adult from the start date
(the access package's ``Role.TUTEUR``); under a curatelle nothing opens until the protected
person accepts in their own space (``protection_accepter``), and their refusal or withdrawal
(``protection_refuser``) closes the curator's access at once (``Role.CURATEUR``). What the
access package reads is the measure's dates and acceptance: every change here is one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.acces import AccesPatient
from espace_sante.comptes.models import TypeNotification
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur
from espace_sante.lib.erreurs import Refus
from profil.evenements import journal_espace
from profil.models import (
    Espace,
    MesureProtection,
    Statut,
    TypeProtection,
    date_majorite,
)

# --- Recording and ending a measure (operators) ------------------------------------------------


def protection_verifier(
    *,
    espace: Espace,
    responsable: Espace,
    debut: date,
    fin: date | None,
    exclure: int | None = None,
) -> None:
    """Refuse a measure the portal cannot carry (``Refus``, nothing changed): the protected
    person an adult on the start date with an open space; the person in charge another adult
    whose own space is active; the end after the start; no other measure over the same space
    for any of these days."""
    aujourd_hui = timezone.localdate()
    if espace.pk == responsable.pk:
        raise Refus(_("La personne protégée ne peut pas être chargée de sa propre mesure."))
    if date_majorite(espace.date_naissance) > debut:
        raise Refus(_("La personne protégée doit être majeure à la date de début de la mesure."))
    if not espace.ouvert:
        raise Refus(_("L'espace de la personne protégée n'est pas ouvert."))
    if date_majorite(responsable.date_naissance) > aujourd_hui:
        raise Refus(_("La personne chargée de la mesure doit être majeure."))
    if responsable.statut != Statut.ACTIF:
        raise Refus(
            _(
                "L'espace de la personne chargée de la mesure n'est pas activé : "
                "elle doit d'abord activer son espace santé."
            )
        )
    if fin is not None and fin <= debut:
        raise Refus(_("La date de fin doit être après la date de début."))
    chevauchantes = MesureProtection.objects.filter(espace=espace).filter(
        Q(fin__isnull=True) | Q(fin__gte=debut)
    )
    if fin is not None:
        chevauchantes = chevauchantes.filter(debut__lte=fin)
    if exclure is not None:
        chevauchantes = chevauchantes.exclude(pk=exclure)
    if chevauchantes.exists():
        raise Refus(
            _(
                "Une autre mesure de protection couvre déjà ces dates pour cette personne : "
                "mettez d'abord fin à celle-ci."
            )
        )


def protection_enregistrer(
    *,
    espace: Espace,
    type: TypeProtection | str,
    responsable: Espace,
    decision_justice: str,
    debut: date,
    fin: date | None,
    acteur: Acteur,
    ip: str | None,
) -> MesureProtection:
    """Record a court's measure (an operator, in the admin), journal it on the protected
    person's space and tell whom it concerns: the tutor under a tutelle (they act from the
    start date), the protected person under a curatelle (they decide whether the curator
    enters their space)."""
    type = TypeProtection(type)
    with transaction.atomic():
        # One measure at a time per space: the protected space's row is the lock.
        Espace.objects.select_for_update().filter(pk=espace.pk).first()
        protection_verifier(espace=espace, responsable=responsable, debut=debut, fin=fin)
        mesure = MesureProtection.objects.create(
            espace=espace,
            type=type,
            responsable=responsable,
            decision_justice=decision_justice.strip(),
            debut=debut,
            fin=fin,
        )
        journal_espace(
            Action.PROTECTION_ENREGISTREE,
            espace=espace,
            acteur=acteur,
            ip=ip,
            mesure=type.value,
            responsable=responsable.nom_complet,
            debut=debut.isoformat(),
            fin=fin.isoformat() if fin else None,
        )
        destinataire = responsable.titulaire if type == TypeProtection.TUTELLE else espace.titulaire
        if destinataire is not None:
            notification_programmer(
                destinataire=destinataire,
                type=TypeNotification.PROTECTION_A_ACCEPTER,
                cle=f"mesure:{mesure.pk}",
            )
    return mesure


def protection_terminer(
    *, mesure: MesureProtection, le: date, motif: str, acteur: Acteur, ip: str | None
) -> MesureProtection:
    """End the measure from the day ``le`` (its last day is the day before): from that day
    the person in charge reaches nothing more. ``le`` today ends the rights at once."""
    motif = motif.strip()
    if not motif:
        raise Refus(_("Indiquez le motif de la fin de la mesure."))
    with transaction.atomic():
        mesure = MesureProtection.objects.select_for_update().get(pk=mesure.pk)
        dernier_jour = le - timedelta(days=1)
        if mesure.motif_fin or (mesure.fin is not None and mesure.fin < timezone.localdate()):
            raise Refus(_("Cette mesure est déjà terminée."))
        if le < mesure.debut:
            raise Refus(_("La fin ne peut pas précéder le début de la mesure."))
        if mesure.fin is not None and dernier_jour > mesure.fin:
            raise Refus(
                _("Cette mesure prend déjà fin plus tôt : choisissez une date avant son terme.")
            )
        mesure.fin = dernier_jour
        mesure.motif_fin = motif
        mesure.save(update_fields=["fin", "motif_fin"])
        journal_espace(
            Action.PROTECTION_TERMINEE,
            espace=mesure.espace,
            acteur=acteur,
            ip=ip,
            mesure=mesure.type,
            responsable=mesure.responsable.nom_complet,
            fin=dernier_jour.isoformat(),
            motif=motif,
        )
    return mesure


# --- The protected person's decision on a curatelle ---------------------------------------------


def _curatelle_a_decider(acces: AccesPatient, mesure_id: int) -> MesureProtection:
    """The curatelle over this space the holder decides on: in force or to come."""
    if not acces.est_titulaire:
        raise Refus(_("Seule la personne protégée peut décider de l'accès de son curateur."))
    mesure = (
        MesureProtection.objects.select_for_update()
        .select_related("responsable", "espace")
        .filter(espace=acces.espace, pk=mesure_id, type=TypeProtection.CURATELLE)
        .first()
    )
    if mesure is None or not en_cours_ou_a_venir(mesure):
        raise Refus(_("Cette mesure n'est plus en vigueur : il n'y a rien à décider."))
    return mesure


def curatelle_de(*, acces: AccesPatient, mesure_id: int) -> MesureProtection | None:
    """The curatelle over this space its holder may decide on (in force or to come), for the
    confirmation pages; ``None`` for anyone but the holder or any other measure."""
    if not acces.est_titulaire:
        return None
    mesure = (
        MesureProtection.objects.select_related("responsable")
        .filter(espace=acces.espace, pk=mesure_id, type=TypeProtection.CURATELLE)
        .first()
    )
    return mesure if mesure is not None and en_cours_ou_a_venir(mesure) else None


def protection_accepter(*, acces: AccesPatient, mesure_id: int, ip: str | None) -> None:
    """The protected person lets their curator in: a full carer's rights, read and write,
    from today (or the measure's start) to its end, until they withdraw."""
    with transaction.atomic():
        mesure = _curatelle_a_decider(acces, mesure_id)
        if mesure.acceptee_le is not None and mesure.refusee_le is None:
            return
        mesure.acceptee_le = timezone.now()
        mesure.refusee_le = None
        mesure.save(update_fields=["acceptee_le", "refusee_le"])
        journal_espace(
            Action.PROTECTION_ACCEPTEE,
            espace=mesure.espace,
            acteur=acces.acteur,
            ip=ip,
            responsable=mesure.responsable.nom_complet,
        )


def protection_refuser(*, acces: AccesPatient, mesure_id: int, ip: str | None) -> None:
    """The protected person refuses their curator, or withdraws an acceptance: the curator's
    access closes at once. They may accept later."""
    with transaction.atomic():
        mesure = _curatelle_a_decider(acces, mesure_id)
        if mesure.refusee_le is not None:
            return
        retrait = mesure.acceptee_le is not None
        mesure.refusee_le = timezone.now()
        mesure.save(update_fields=["refusee_le"])
        journal_espace(
            Action.PROTECTION_REFUSEE,
            espace=mesure.espace,
            acteur=acces.acteur,
            ip=ip,
            responsable=mesure.responsable.nom_complet,
            retrait=retrait,
        )


# --- What the pages show ----------------------------------------------------------------------


def en_cours_ou_a_venir(mesure: MesureProtection, aujourd_hui: date | None = None) -> bool:
    aujourd_hui = aujourd_hui or timezone.localdate()
    return mesure.fin is None or mesure.fin >= aujourd_hui


def _actuelles(aujourd_hui: date) -> Q:
    return Q(fin__isnull=True) | Q(fin__gte=aujourd_hui)


def mesures_a_accepter(espace: Espace) -> QuerySet[MesureProtection]:
    """The curatelles over this space awaiting the protected person's answer (the home page
    shows them): in force or to come, neither accepted nor refused."""
    return (
        MesureProtection.objects.filter(
            _actuelles(timezone.localdate()),
            espace=espace,
            type=TypeProtection.CURATELLE,
            acceptee_le__isnull=True,
            refusee_le__isnull=True,
        )
        .select_related("responsable")
        .order_by("debut")
    )


@dataclass(frozen=True)
class LigneMesure:
    """One measure as the Proches page shows it: names, dates and state, nothing else."""

    id: int
    type: str
    type_libelle: str
    personne: str  # the person in charge, or the protected person (measures one holds)
    debut: date
    fin: date | None
    etat: str  # "a_accepter", "acceptee", "refusee", "en_vigueur", "a_venir"
    peut_decider: bool
    espace_url: str = ""


def _etat(mesure: MesureProtection, aujourd_hui: date) -> str:
    if mesure.type == TypeProtection.CURATELLE:
        if mesure.refusee_le is not None:
            return "refusee"
        if mesure.acceptee_le is not None:
            return "acceptee"
        return "a_accepter"
    return "en_vigueur" if mesure.debut <= aujourd_hui else "a_venir"


def resume(acces: AccesPatient) -> dict[str, Any]:
    """What the Proches page shows of the protection measures: those over this space (to
    whoever manages it; the holder decides on a curatelle), and to the holder the measures
    they are in charge of. Ended measures are not shown."""
    aujourd_hui = timezone.localdate()
    sur_espace = [
        LigneMesure(
            id=m.pk,
            type=m.type,
            type_libelle=m.get_type_display(),
            personne=m.responsable.nom_complet,
            debut=m.debut,
            fin=m.fin,
            etat=_etat(m, aujourd_hui),
            peut_decider=acces.est_titulaire and m.type == TypeProtection.CURATELLE,
        )
        for m in MesureProtection.objects.filter(_actuelles(aujourd_hui), espace=acces.espace)
        .select_related("responsable")
        .order_by("debut")
    ]
    confiees: list[LigneMesure] = []
    if acces.est_titulaire:
        accessibles = {a.espace.pk: a.espace_url for a in acces.possibles or ()}
        confiees = [
            LigneMesure(
                id=m.pk,
                type=m.type,
                type_libelle=m.get_type_display(),
                personne=m.espace.nom_complet,
                debut=m.debut,
                fin=m.fin,
                etat=_etat(m, aujourd_hui),
                peut_decider=False,
                espace_url=accessibles.get(m.espace_id, ""),
            )
            for m in MesureProtection.objects.filter(
                _actuelles(aujourd_hui), responsable=acces.espace
            )
            .select_related("espace")
            .order_by("debut")
        ]
    return {"mesures": sur_espace, "confiees": confiees, "acces": acces}
