"""Reads about professionals: the patient's page "Mes professionnels de santé", the search for
a professional to authorise, and the professional's own list of patients and the search among
them (by name, accents and case aside, INS or birth date)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.acces import (
    Motif,
    autorisation_active,
    espaces_autorises,
    motifs,
    peut_etre_medecin_traitant,
    urgences_valables,
)
from espace_sante.lib.identifiants import normaliser, valider_nir
from profil.models import Espace, forme_de_recherche

from .models import AccesProfessionnel, BrisDeGlace, Professionnel, StatutProfessionnel

RESULTATS_MAX = 20


def professionnel_de(utilisateur: Any) -> Professionnel | None:
    """The professional account behind a logged-in user, verified or not."""
    if not getattr(utilisateur, "is_authenticated", False):
        return None
    return (
        Professionnel.objects.select_related("utilisateur").filter(utilisateur=utilisateur).first()
    )


def professionnels_verifies() -> QuerySet[Professionnel]:
    return Professionnel.objects.filter(
        statut=StatutProfessionnel.VERIFIE, utilisateur__is_active=True
    ).select_related("utilisateur")


def professionnels_rechercher(*, texte: str) -> list[Professionnel]:
    """Verified professionals by name, RPPS or city (at most 20)."""
    texte = " ".join(texte.split())
    if len(texte) < 2:
        return []
    chiffres = normaliser(texte)
    if chiffres.isdigit():
        critere = Q(rpps=chiffres) if len(chiffres) == 11 else Q(lieu_code_postal=chiffres)
    else:
        critere = Q()
        for mot in texte.split()[:4]:
            critere &= (
                Q(utilisateur__nom__icontains=mot)
                | Q(utilisateur__prenom__icontains=mot)
                | Q(lieu_ville__icontains=mot)
            )
    return list(professionnels_verifies().filter(critere)[:RESULTATS_MAX])


def professionnel_pour_patient(*, professionnel_uuid: uuid.UUID, espace: Espace) -> Professionnel:
    """A professional the patient may act on: a verified one, or one already linked to the
    space (to revoke or unblock someone whose account was suspended since). 404 otherwise."""
    professionnel = (
        Professionnel.objects.select_related("utilisateur")
        .filter(uuid=professionnel_uuid)
        .filter(
            Q(statut=StatutProfessionnel.VERIFIE, utilisateur__is_active=True)
            | Q(acces__espace=espace)
        )
        .distinct()
        .first()
    )
    if professionnel is None:
        raise Http404
    return professionnel


@dataclass
class LigneProfessionnel:
    """One row of "Mes professionnels de santé": who, and why they may (or may not) read."""

    professionnel: Professionnel
    lien: AccesProfessionnel | None = None
    urgences: list[BrisDeGlace] = field(default_factory=list)
    maintenant: datetime = field(default_factory=timezone.now)

    @property
    def motifs(self) -> tuple[Motif, ...]:
        return motifs(lien=self.lien, urgence=bool(self.urgences), maintenant=self.maintenant)

    @property
    def a_acces(self) -> bool:
        return bool(self.motifs)

    @property
    def peut_etre_medecin_traitant(self) -> bool:
        return peut_etre_medecin_traitant(self.professionnel)

    @property
    def autorise(self) -> bool:
        return Motif.AUTORISATION in self.motifs

    @property
    def medecin_traitant(self) -> bool:
        return self.lien is not None and self.lien.medecin_traitant

    @property
    def bloque(self) -> bool:
        return self.lien is not None and self.lien.bloque

    @property
    def expire(self) -> bool:
        """Granted, and the grant ran out."""
        lien = self.lien
        return lien is not None and lien.autorise and not autorisation_active(lien, self.maintenant)


def professionnels_de_l_espace(*, espace: Espace) -> list[LigneProfessionnel]:
    """Everyone with a standing on the space — authorised, médecin traitant, in an emergency,
    blocked, or whose access ended — with the reasons, authorised first."""
    maintenant = timezone.now()
    lignes: dict[int, LigneProfessionnel] = {}
    liens = AccesProfessionnel.objects.filter(espace=espace).select_related(
        "professionnel__utilisateur"
    )
    for lien in liens:
        if not (lien.autorise or lien.medecin_traitant or lien.bloque or lien.revoque_le):
            continue  # a mere trace of a past read
        lignes[lien.professionnel_id] = LigneProfessionnel(
            professionnel=lien.professionnel, lien=lien, maintenant=maintenant
        )
    urgences = (
        urgences_valables(maintenant)
        .filter(espace=espace)
        .select_related("professionnel__utilisateur")
    )
    for urgence in urgences:
        ligne = lignes.setdefault(
            urgence.professionnel_id,
            LigneProfessionnel(professionnel=urgence.professionnel, maintenant=maintenant),
        )
        ligne.urgences.append(urgence)
    return sorted(
        lignes.values(),
        key=lambda ligne: (
            not ligne.a_acces,
            not ligne.medecin_traitant,
            ligne.professionnel.utilisateur.nom,
        ),
    )


@dataclass(frozen=True)
class Patient:
    espace: Espace
    motifs: tuple[Motif, ...]
    expire_le: datetime | None
    urgence_fin: datetime | None


def patients_du_professionnel(
    *, professionnel: Professionnel, criteres: CriteresPatient | None = None
) -> list[Patient]:
    """The spaces this professional may open now, with why and until when — those matching
    ``criteres`` when given (at most ``RESULTATS_PATIENTS_MAX`` then)."""
    maintenant = timezone.now()
    espaces_qs = espaces_autorises(professionnel=professionnel, maintenant=maintenant)
    if criteres is not None:
        espaces_qs = espaces_qs.filter(criteres.filtre()).order_by(
            "nom_naissance", "prenoms", "pk"
        )[:RESULTATS_PATIENTS_MAX]
    espaces = list(espaces_qs)
    liens = {
        lien.espace_id: lien
        for lien in AccesProfessionnel.objects.filter(
            professionnel=professionnel, espace__in=espaces
        )
    }
    urgences: dict[int, datetime] = {}
    for espace_id, fin in (
        urgences_valables(maintenant)
        .filter(professionnel=professionnel, espace__in=espaces)
        .values_list("espace_id", "fin")
    ):
        urgences[espace_id] = max(fin, urgences.get(espace_id, fin))
    patients = []
    for espace in espaces:
        lien = liens.get(espace.pk)
        patients.append(
            Patient(
                espace=espace,
                motifs=motifs(lien=lien, urgence=espace.pk in urgences, maintenant=maintenant),
                expire_le=lien.expire_le if lien is not None and lien.autorise else None,
                urgence_fin=urgences.get(espace.pk),
            )
        )
    return sorted(patients, key=lambda p: (p.espace.nom_naissance, p.espace.prenoms))


# --- The professional's search among their patients ------------------------------------------

RESULTATS_PATIENTS_MAX = 50
_DATE_FR = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_INS_PROBABLE = re.compile(r"^[0-9][0-9ABab]{12,14}$")


class RechercheInvalide(ValueError):
    """What the professional typed cannot be searched; ``message`` says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CriteresPatient:
    """A search among one's patients: words of the name (in ``forme_de_recherche``), an INS,
    a birth date — each given one must match."""

    mots: tuple[str, ...] = ()
    ins: str = ""
    date_naissance: date | None = None

    def filtre(self) -> Q:
        critere = Q()
        for mot in self.mots:
            critere &= Q(nom_recherche__contains=mot)
        if self.ins:
            critere &= Q(ins=self.ins)
        if self.date_naissance is not None:
            critere &= Q(date_naissance=self.date_naissance)
        return critere


def _date(jeton: str) -> date | None:
    """A birth date typed dd/mm/yyyy (or with dots) or yyyy-mm-dd; ``None`` if the token is
    not written as a date; ``RechercheInvalide`` for a date that does not exist."""
    if trouve := _DATE_FR.match(jeton):
        jour, mois, annee = (int(x) for x in trouve.groups())
    elif trouve := _DATE_ISO.match(jeton):
        annee, mois, jour = (int(x) for x in trouve.groups())
    else:
        return None
    try:
        return date(annee, mois, jour)
    except ValueError:
        raise RechercheInvalide(
            _("La date %(date)s n'existe pas : écrivez-la jj/mm/aaaa, par exemple 05/03/1980.")
            % {"date": jeton}
        ) from None


def criteres_patient(texte: str) -> CriteresPatient:
    """What the professional typed — a name, an INS (spaces or not), a birth date, or a name
    and a date — as criteria; ``RechercheInvalide`` with a plain French message otherwise."""
    texte = " ".join(texte.split())
    if not texte:
        raise RechercheInvalide(_("Saisissez un nom, un INS ou une date de naissance."))
    compact = normaliser(texte)
    if _INS_PROBABLE.match(compact):
        try:
            return CriteresPatient(ins=valider_nir(compact))
        except ValidationError as erreur:
            raise RechercheInvalide(" ".join(erreur.messages)) from None
    naissance: date | None = None
    mots: list[str] = []
    for jeton in texte.split():
        jour = _date(jeton)
        if jour is not None:
            if naissance is not None and jour != naissance:
                raise RechercheInvalide(_("Saisissez une seule date de naissance."))
            naissance = jour
        elif any(c.isdigit() for c in jeton):
            raise RechercheInvalide(
                _(
                    "« %(saisie)s » n'est ni un nom, ni un INS complet (15 caractères, clé "
                    "comprise), ni une date de naissance (jj/mm/aaaa ou aaaa-mm-jj)."
                )
                % {"saisie": jeton}
            )
        else:
            mots.extend(forme_de_recherche(jeton).split())
    if naissance is None and sum(len(m) for m in mots) < 2:
        raise RechercheInvalide(_("Saisissez au moins deux lettres du nom."))
    return CriteresPatient(mots=tuple(dict.fromkeys(mots))[:4], date_naissance=naissance)


def urgences_en_cours(*, professionnel: Professionnel) -> list[BrisDeGlace]:
    """For the banner on every page of the professional."""
    return list(
        urgences_valables()
        .filter(professionnel=professionnel)
        .select_related("espace")
        .order_by("fin")
    )


def espace_pour_urgence(*, ins: str, date_naissance: date) -> Espace | None:
    """The space an emergency access is asked for, found by INS and birth date together."""
    return Espace.objects.filter(ins=normaliser(ins), date_naissance=date_naissance).first()
