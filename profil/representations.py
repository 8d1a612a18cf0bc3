"""Legal representatives of a minor: adding one, ending one (opposition, death, majority)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.comptes.models import TypeNotification
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur
from espace_sante.lib.erreurs import Refus

from .evenements import journal_espace
from .models import (
    Espace,
    Representation,
    Statut,
    date_majorite,
    limite_naissance_mineur,
)


def representation_ajouter(
    *, espace: Espace, representant: Espace, lien: str, acteur: Acteur, ip: str | None = None
) -> Representation:
    if espace.pk == representant.pk:
        raise Refus(_("Une personne ne peut pas se représenter elle-même."))
    if not espace.est_mineur:
        raise Refus(_("Seul l'espace d'un mineur peut avoir un représentant légal."))
    if representant.est_mineur:
        raise Refus(_("Un représentant légal doit être majeur."))
    if representant.statut not in {Statut.CREE, Statut.ACTIF}:
        raise Refus(_("L'espace du représentant n'est pas ouvert."))
    with transaction.atomic():
        if Representation.objects.filter(
            espace=espace, representant=representant, fin__isnull=True
        ).exists():
            raise Refus(_("Cette représentation existe déjà."))
        representation = Representation.objects.create(
            espace=espace, representant=representant, lien=lien
        )
        journal_espace(
            Action.REPRESENTATION_AJOUTEE,
            espace=espace,
            acteur=acteur,
            ip=ip,
            representant=representant.nom_complet,
            lien=lien,
        )
    return representation


def terminer_representation(
    representation: Representation,
    *,
    motif: str,
    acteur: Acteur,
    ip: str | None,
    fin: date | None = None,
    decision_justice: str = "",
) -> None:
    representation.fin = fin or timezone.localdate()
    representation.motif_fin = motif
    champs = ["fin", "motif_fin"]
    details: dict[str, object] = {}
    if decision_justice:
        representation.decision_justice = decision_justice
        champs.append("decision_justice")
        details["decision_justice"] = decision_justice
    representation.save(update_fields=champs)
    journal_espace(
        Action.REPRESENTATION_TERMINEE,
        espace=representation.espace,
        acteur=acteur,
        ip=ip,
        representant=representation.representant.nom_complet,
        motif=motif,
        **details,
    )


MOTIF_DECISION_JUSTICE = "décision de justice"


def representation_terminer_sur_decision(
    *,
    representation: Representation,
    reference: str,
    date_decision: date,
    acteur: Acteur,
    ip: str | None,
) -> None:
    """An operator ends one representation on a court decision (its reference and date are
    kept and journaled); the removed person is told. Refuses one already ended, a decision
    dated in the future, an empty reference."""
    reference = reference.strip()
    if not reference:
        raise Refus(_("Indiquez la référence de la décision de justice."))
    if date_decision > timezone.localdate():
        raise Refus(_("La date de la décision ne peut pas être dans le futur."))
    with transaction.atomic():
        verrou = (
            Representation.objects.select_for_update(of=("self",))
            .select_related("espace", "representant__titulaire")
            .get(pk=representation.pk)
        )
        if verrou.fin is not None:
            raise Refus(_("Cette représentation est déjà terminée."))
        terminer_representation(
            verrou,
            motif=MOTIF_DECISION_JUSTICE,
            acteur=acteur,
            ip=ip,
            decision_justice=f"{reference} ({date_decision.isoformat()})"[:200],
        )
        titulaire = verrou.representant.titulaire
        if titulaire is not None:
            notification_programmer(
                destinataire=titulaire,
                type=TypeNotification.REPRESENTATION_TERMINEE,
                cle=f"representation:{verrou.pk}",
            )


def terminer_representations(*, espace: Espace, motif: str, acteur: Acteur, ip: str | None) -> None:
    for representation in espace.representants.filter(fin__isnull=True).select_related(
        "representant", "espace"
    ):
        terminer_representation(representation, motif=motif, acteur=acteur, ip=ip)


def representations_terminer_majorite(*, aujourd_hui: date | None = None) -> int:
    """End every representation whose represented person has come of age. Idempotent."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    limite = limite_naissance_mineur(aujourd_hui)
    nombre = 0
    echues = Representation.objects.filter(
        fin__isnull=True, espace__date_naissance__lte=limite
    ).select_related("espace", "representant__titulaire")
    for representation in echues:
        with transaction.atomic():
            verrou = Representation.objects.select_for_update().get(pk=representation.pk)
            if verrou.fin is not None:
                continue
            terminer_representation(
                representation,
                motif="majorité",
                acteur=Acteur.systeme(),
                ip=None,
                fin=date_majorite(representation.espace.date_naissance),
            )
            titulaire = representation.representant.titulaire
            if titulaire is not None:
                notification_programmer(
                    destinataire=titulaire,
                    type=TypeNotification.REPRESENTATION_TERMINEE,
                    cle=f"representation:{representation.pk}",
                )
            nombre += 1
    return nombre
