"""The personalised French vaccination calendar (DESIGN.md §6), as data plus one pure function.

The rules are the 2025 French schedule ("Calendrier des vaccinations et recommandations
vaccinales 2025") written as a table of frozen dataclasses, each naming its source; the table,
the status definitions and what is simplified are in docs/VACCINATION.md. `calendrier()` turns
a birth date, a sex, today's date and the vaccinations already done into one `Echeance` per
rule. No model, no database, no clock: the caller passes `aujourd_hui`.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "FAMILLES",
    "REGLES",
    "REGLES_PAR_CODE",
    "SEXES",
    "Age",
    "Echeance",
    "Regle",
    "Statut",
    "VaccinationFaite",
    "ajouter_mois",
    "calendrier",
    "campagne",
]


def ajouter_mois(jour: date, mois: int) -> date:
    """`jour` plus `mois` calendar months, clamped to the last day of the target month.

    31 January + 1 month = 28 (or 29) February; 31 January + 2 months = 31 March;
    29 February + 12 months = 28 February.
    """
    index = jour.year * 12 + (jour.month - 1) + mois
    annee, mois_cible = divmod(index, 12)
    dernier_jour = _calendar.monthrange(annee, mois_cible + 1)[1]
    return date(annee, mois_cible + 1, min(jour.day, dernier_jour))


@dataclass(frozen=True, slots=True)
class Age:
    """An age or a delay: calendar months (years are 12 months) then weeks."""

    mois: int = 0
    semaines: int = 0

    def apres(self, jour: date) -> date:
        """The date this age (or delay) after `jour`: months first (clamped), then weeks."""
        return ajouter_mois(jour, self.mois) + timedelta(weeks=self.semaines)

    def __str__(self) -> str:
        morceaux: list[str] = []
        if self.mois >= 24:
            annees, reste = divmod(self.mois, 12)
            morceaux.append(f"{annees} ans")
            if reste:
                morceaux.append(f"{reste} mois")
        elif self.mois:
            morceaux.append(f"{self.mois} mois")
        if self.semaines:
            morceaux.append(f"{self.semaines} semaine{'s' if self.semaines > 1 else ''}")
        return " ".join(morceaux) or "0 mois"


class Statut(StrEnum):
    FAITE = "faite"
    A_FAIRE = "a_faire"
    EN_RETARD = "en_retard"
    NON_APPLICABLE = "non_applicable"


SEXES = ("F", "M", "U")  # profil.models.Sexe values


@dataclass(frozen=True, slots=True)
class Regle:
    """One dose of the schedule.

    `age` is the recommended age; a dose given before `age_minimum` or from
    `rattrapage_avant` on does not count for this rule (its window). Not done, it is late from
    the recommended date plus `retard_apres` (never, when None) and no longer applicable from
    `rattrapage_avant` (never closes, when None). `intervalle` is the recommended delay after
    the previous dose of the same schedule. `debut_avant` / `debut_a_partir_de` make the rule
    depend on the age at which the family's series starts (two- or three-dose HPV schedule).
    `dose` is the dose number within its schedule, for display.
    """

    code: str
    famille: str
    vaccin: str
    dose: int
    age: Age
    age_minimum: Age
    retard_apres: Age | None
    rattrapage_avant: Age | None
    source: str
    intervalle: Age | None = None
    debut_avant: Age | None = None
    debut_a_partir_de: Age | None = None
    nes_depuis: date | None = None
    sexe: str | None = None
    saisonnier: bool = False


@dataclass(frozen=True, slots=True)
class VaccinationFaite:
    """A vaccination already given: `code` is a family (`FAMILLES`) or a rule code."""

    code: str
    date: date


@dataclass(frozen=True, slots=True)
class Echeance:
    """Where one rule stands for one person.

    `date_retard` is the first day an undone dose counts as late, `date_limite` the last day it
    can still be given (inclusive); for a seasonal rule `date_limite` is the end of the
    campaign and `prochaine_campagne` the start of the campaign the person still has to be
    vaccinated in (the current one when not yet vaccinated in it).
    """

    regle: Regle
    statut: Statut
    date_recommandee: date
    date_retard: date | None
    date_limite: date | None
    date_faite: date | None = None
    prochaine_campagne: date | None = None


# ---------------------------------------------------------------------------------------------
# The table

CALENDRIER_2025 = (
    "Calendrier des vaccinations et recommandations vaccinales 2025, ministère chargé de la santé"
)
_CAL = CALENDRIER_2025
_MENINGO = f"Décret n° 2024-694 du 5 juillet 2024 (obligation au 1er janvier 2025) ; {_CAL}"
_ROTA = f"HAS, recommandation vaccinale rotavirus, 2022 ; {_CAL}"
_ROR = f"{_CAL} ; HAS 2024 (rattrapage des personnes nées depuis 1980)"
_HPV = (
    f"{_CAL} ; HAS 2019 (garçons, en vigueur en 2021) ; "
    "HAS, recommandation du 30 avril 2025 (rattrapage jusqu'à 26 ans révolus)"
)
_ZONA = f"HAS, recommandation vaccinale zona (Shingrix), 2024 ; {_CAL}"
_COVID = f"HAS, stratégie vaccinale COVID-19, campagne d'automne ; {_CAL}"

# Autumn campaigns (approximate: the ministry sets the dates each year; 2025-2026 ran from
# 14 October to 31 January). A dose counts for the season whose year (1 September to
# 31 August) it falls in.
DEBUT_CAMPAGNE = (10, 15)
FIN_CAMPAGNE = (1, 31)
DEBUT_ANNEE_SAISON = 9

FAMILLES: Mapping[str, str] = MappingProxyType(
    {
        "DTP": "Diphtérie, tétanos, poliomyélite (avec coqueluche, Hib, hépatite B selon l'âge)",
        "Pneumocoque": "Infections à pneumocoque",
        "Rotavirus": "Gastro-entérites à rotavirus",
        "MenB": "Infections invasives à méningocoque B",
        "MenACWY": "Infections invasives à méningocoques A, C, W, Y",
        "ROR": "Rougeole, oreillons, rubéole",
        "HPV": "Infections à papillomavirus humains",
        "Zona": "Zona",
        "Grippe": "Grippe saisonnière",
        "COVID-19": "COVID-19",
    }
)

_AGE = re.compile(r"(?:(\d+)a)?(?:(\d+)m)?(?:(\d+)s)?")


def _age(texte: str) -> Age:
    """'6s' = 6 weeks, '2m' = 2 months, '11a' = 11 years, '11a6m' = 11 years 6 months."""
    trouve = _AGE.fullmatch(texte)
    if trouve is None or not texte:
        raise ValueError(f"âge illisible : {texte!r}")
    annees, mois, semaines = (int(groupe or 0) for groupe in trouve.groups())
    return Age(mois=12 * annees + mois, semaines=semaines)


def _age_ou_rien(texte: str | None) -> Age | None:
    return None if texte is None else _age(texte)


@dataclass(frozen=True, slots=True)
class _Dose:
    code: str
    vaccin: str
    dose: int
    age: str
    minimum: str
    retard: str | None
    rattrapage: str | None
    intervalle: str | None = None
    debut_avant: str | None = None
    debut_a_partir_de: str | None = None
    source: str | None = None


def _serie(
    famille: str,
    source: str,
    *doses: _Dose,
    nes_depuis: date | None = None,
    saisonnier: bool = False,
) -> tuple[Regle, ...]:
    return tuple(
        Regle(
            code=dose.code,
            famille=famille,
            vaccin=dose.vaccin,
            dose=dose.dose,
            age=_age(dose.age),
            age_minimum=_age(dose.minimum),
            retard_apres=_age_ou_rien(dose.retard),
            rattrapage_avant=_age_ou_rien(dose.rattrapage),
            source=dose.source or source,
            intervalle=_age_ou_rien(dose.intervalle),
            debut_avant=_age_ou_rien(dose.debut_avant),
            debut_a_partir_de=_age_ou_rien(dose.debut_a_partir_de),
            nes_depuis=nes_depuis,
            saisonnier=saisonnier,
        )
        for dose in doses
    )


_D = _Dose
_HEXA = "DTCaP-Hib-HepB"
_HPV_2 = "HPV (Gardasil 9), schéma à 2 doses"
_HPV_3 = "HPV (Gardasil 9), rattrapage à 3 doses"

# Each dose: code, vaccine, dose number, then ages written "6s" (weeks), "2m" (months), "11a"
# (years), "11a6m": recommended age, minimum age (a dose before it does not count), late after
# (delay after the recommended date; None = never late), catch-up before (None = no limit);
# then, for HPV and zona, the interval after the previous dose and whether the series started
# before / from an age (the HPV two- and three-dose schedules). Grace periods
# are this module's choice: one month before 2 years, one year after, and the end of the range
# when the schedule gives one ("11-13 ans": late from 14). See docs/VACCINATION.md.
REGLES: tuple[Regle, ...] = (
    *_serie(
        "DTP",
        _CAL,
        _D("DTCaP-HibHepB-2m", _HEXA, 1, "2m", "6s", "1m", "16a"),
        _D("DTCaP-HibHepB-4m", _HEXA, 2, "4m", "3m", "1m", "16a"),
        _D("DTCaP-HibHepB-11m", _HEXA, 3, "11m", "10m", "1m", "16a"),
        _D("DTCaP-6a", "DTCaP", 4, "6a", "5a", "1a", "11a"),
        _D("dTcaP-11a", "dTcaP", 5, "11a", "10a", "3a", "20a"),
        _D("dTcaP-25a", "dTcaP", 6, "25a", "20a", "1a", "40a"),
        _D("dTP-45a", "dTP", 7, "45a", "40a", "1a", "60a"),
        _D("dTP-65a", "dTP", 8, "65a", "60a", "1a", "70a"),
        _D("dTP-75a", "dTP", 9, "75a", "70a", "1a", "80a"),
        _D("dTP-85a", "dTP", 10, "85a", "80a", "1a", "90a"),
        _D("dTP-95a", "dTP", 11, "95a", "90a", "1a", "100a"),
        _D("dTP-105a", "dTP", 12, "105a", "100a", "1a", None),
    ),
    *_serie(
        "Pneumocoque",
        _CAL,
        _D("VPC-2m", "VPC (conjugué)", 1, "2m", "6s", "1m", "2a"),
        _D("VPC-4m", "VPC (conjugué)", 2, "4m", "3m", "1m", "2a"),
        _D("VPC-11m", "VPC (conjugué)", 3, "11m", "10m", "1m", "2a"),
        _D("VPC20-65a", "VPC20 (conjugué 20-valent)", 1, "65a", "18a", None, None),
    ),
    *_serie(
        "Rotavirus",
        _ROTA,
        _D("Rota-1", "Rotavirus (monovalent, 2 doses)", 1, "2m", "6s", "1m", "4m"),
        _D("Rota-2", "Rotavirus (monovalent, 2 doses)", 2, "3m", "2m", "1m", "6m"),
    ),
    *_serie(
        "MenB",
        _MENINGO,
        _D("MenB-3m", "MenB", 1, "3m", "2m", "1m", "2a"),
        _D("MenB-5m", "MenB", 2, "5m", "4m", "1m", "5a", debut_avant="2a"),
        _D("MenB-12m", "MenB", 3, "12m", "11m", "1m", "5a", debut_avant="2a"),
    ),
    *_serie(
        "MenACWY",
        _MENINGO,
        _D("MenACWY-6m", "MenACWY", 1, "6m", "5m", "1m", "12m"),
        _D("MenACWY-12m", "MenACWY", 2, "12m", "11m", "1m", "5a"),
        _D("MenACWY-11a", "MenACWY", 3, "11a", "10a", "4a", "25a", source=_CAL),
    ),
    *_serie(
        "ROR",
        _ROR,
        _D("ROR-1", "ROR", 1, "12m", "12m", "1m", None),
        _D("ROR-2", "ROR", 2, "16m", "13m", "3m", None),
        nes_depuis=date(1980, 1, 1),
    ),
    *_serie(
        "HPV",
        _HPV,
        _D("HPV-1", "HPV (Gardasil 9)", 1, "11a", "9a", "4a", "27a"),
        _D("HPV-2", _HPV_2, 2, "11a6m", "9a", "7m", "27a", "6m", debut_avant="15a"),
        _D("HPV-2-rattrapage", _HPV_3, 2, "15a2m", "9a", "1m", "27a", "2m", None, "15a"),
        _D("HPV-3-rattrapage", _HPV_3, 3, "15a6m", "9a", "6m", "27a", "4m", None, "15a"),
    ),
    *_serie(
        "Zona",
        _ZONA,
        _D("Zona-1", "Zona (Shingrix)", 1, "65a", "50a", None, None),
        _D("Zona-2", "Zona (Shingrix)", 2, "65a2m", "50a", None, None, intervalle="2m"),
    ),
    *_serie(
        "Grippe",
        _CAL,
        _D("Grippe-65a", "Grippe (chaque automne)", 1, "65a", "65a", None, None),
        saisonnier=True,
    ),
    *_serie(
        "COVID-19",
        _COVID,
        _D("COVID-19-65a", "COVID-19 (chaque automne)", 1, "65a", "65a", None, None),
        saisonnier=True,
    ),
)

REGLES_PAR_CODE: Mapping[str, Regle] = MappingProxyType({regle.code: regle for regle in REGLES})


# ---------------------------------------------------------------------------------------------
# Computation


def campagne(annee: int) -> tuple[date, date]:
    """First and last day of the autumn campaign that starts in `annee`."""
    return (
        date(annee, *DEBUT_CAMPAGNE),
        date(annee + 1, *FIN_CAMPAGNE),
    )


def _annee_saison(jour: date) -> int:
    return jour.year if jour.month >= DEBUT_ANNEE_SAISON else jour.year - 1


def calendrier(
    *,
    date_naissance: date,
    sexe: str,
    aujourd_hui: date,
    faites: Iterable[VaccinationFaite] = (),
    regles: Sequence[Regle] = REGLES,
) -> list[Echeance]:
    """One `Echeance` per rule, in the order of `regles`.

    Done vaccinations are grouped by family and counted in date order, one per day; a dose
    fills the next dose of the schedule whose window (`age_minimum` to `rattrapage_avant`)
    contains it, and a dose no window accepts (too early, too late) is not counted. Doses
    dated before the birth or after `aujourd_hui` are ignored. An unknown code raises
    ValueError.
    """
    if sexe not in SEXES:
        raise ValueError(f"sexe inconnu : {sexe!r}")
    if aujourd_hui < date_naissance:
        raise ValueError("aujourd_hui précède la date de naissance")
    familles = {regle.famille for regle in regles}
    par_code = {regle.code: regle.famille for regle in regles}
    doses: dict[str, set[date]] = {}
    for faite in faites:
        famille = faite.code if faite.code in familles else par_code.get(faite.code)
        if famille is None:
            raise ValueError(f"code de vaccin inconnu : {faite.code!r}")
        if date_naissance <= faite.date <= aujourd_hui:
            doses.setdefault(famille, set()).add(faite.date)

    par_famille: dict[str, list[Regle]] = {}
    for regle in regles:
        par_famille.setdefault(regle.famille, []).append(regle)

    echeances: dict[str, Echeance] = {}
    for famille, regles_famille in par_famille.items():
        dates = sorted(doses.get(famille, ()))
        for echeance in _echeances_famille(
            regles_famille, dates, naissance=date_naissance, sexe=sexe, aujourd_hui=aujourd_hui
        ):
            echeances[echeance.regle.code] = echeance
    return [echeances[regle.code] for regle in regles]


def _dans_fenetre(regle: Regle, jour: date, naissance: date) -> bool:
    if jour < regle.age_minimum.apres(naissance):
        return False
    return regle.rattrapage_avant is None or jour < regle.rattrapage_avant.apres(naissance)


def _applicable(regle: Regle, *, naissance: date, sexe: str, debut: date) -> bool:
    if regle.sexe is not None and regle.sexe != sexe:
        return False
    if regle.nes_depuis is not None and naissance < regle.nes_depuis:
        return False
    if regle.debut_avant is not None and debut >= regle.debut_avant.apres(naissance):
        return False
    return regle.debut_a_partir_de is None or debut >= regle.debut_a_partir_de.apres(naissance)


def _date_limite(regle: Regle, naissance: date) -> date | None:
    if regle.rattrapage_avant is None:
        return None
    return regle.rattrapage_avant.apres(naissance) - timedelta(days=1)


def _echeances_famille(
    regles: list[Regle], doses: list[date], *, naissance: date, sexe: str, aujourd_hui: date
) -> list[Echeance]:
    # When the series starts (or would start): decides the two- or three-dose HPV schedule.
    premiere = regles[0]
    debut = next((jour for jour in doses if _dans_fenetre(premiere, jour, naissance)), None)
    if debut is None:
        debut = max(aujourd_hui, premiere.age.apres(naissance))
    applicables = [
        regle for regle in regles if _applicable(regle, naissance=naissance, sexe=sexe, debut=debut)
    ]

    if any(regle.saisonnier for regle in regles):
        return [
            _echeance_saisonniere(regle, doses, naissance=naissance, aujourd_hui=aujourd_hui)
            if regle in applicables
            else _non_applicable(regle, naissance)
            for regle in regles
        ]

    # Doses in date order, each filling the next rule (after the last filled) that accepts it.
    faites: dict[str, date] = {}
    suivante = 0
    for jour in doses:
        for rang in range(suivante, len(applicables)):
            if _dans_fenetre(applicables[rang], jour, naissance):
                faites[applicables[rang].code] = jour
                suivante = rang + 1
                break

    echeances: list[Echeance] = []
    precedente: Echeance | None = None
    for regle in regles:
        if regle not in applicables:
            echeances.append(_non_applicable(regle, naissance))
            continue
        echeance = _echeance(
            regle,
            faites.get(regle.code),
            precedente,
            naissance=naissance,
            aujourd_hui=aujourd_hui,
        )
        echeances.append(echeance)
        precedente = echeance
    return echeances


def _echeance(
    regle: Regle,
    faite: date | None,
    precedente: Echeance | None,
    *,
    naissance: date,
    aujourd_hui: date,
) -> Echeance:
    recommandee = regle.age.apres(naissance)
    intervalle = regle.intervalle if precedente is not None else None
    if intervalle is not None and precedente is not None:
        depart = precedente.date_faite or precedente.date_recommandee
        recommandee = max(recommandee, intervalle.apres(depart))
    retard = regle.retard_apres.apres(recommandee) if regle.retard_apres is not None else None
    if intervalle is not None and precedente is not None and precedente.date_faite is None:
        # Never late before the previous dose of the series is late itself (plus the interval).
        if precedente.date_retard is None or retard is None:
            retard = None
        else:
            retard = max(retard, intervalle.apres(precedente.date_retard))
    limite = _date_limite(regle, naissance)

    if faite is not None:
        statut = Statut.FAITE
    elif limite is not None and aujourd_hui > limite:
        statut = Statut.NON_APPLICABLE
    elif retard is not None and aujourd_hui >= retard:
        statut = Statut.EN_RETARD
    else:
        statut = Statut.A_FAIRE
    return Echeance(
        regle=regle,
        statut=statut,
        date_recommandee=recommandee,
        date_retard=retard,
        date_limite=limite,
        date_faite=faite,
    )


def _non_applicable(regle: Regle, naissance: date) -> Echeance:
    recommandee = regle.age.apres(naissance)
    return Echeance(
        regle=regle,
        statut=Statut.NON_APPLICABLE,
        date_recommandee=recommandee,
        date_retard=(
            regle.retard_apres.apres(recommandee) if regle.retard_apres is not None else None
        ),
        date_limite=_date_limite(regle, naissance),
    )


def _echeance_saisonniere(
    regle: Regle, doses: list[date], *, naissance: date, aujourd_hui: date
) -> Echeance:
    eligible = regle.age.apres(naissance)
    reference = max(aujourd_hui, eligible)
    saison = _annee_saison(reference)
    debut, fin = campagne(saison)
    if reference > fin:
        saison += 1
        debut, fin = campagne(saison)
    recommandee = max(debut, eligible)
    faite = next((jour for jour in doses if _annee_saison(jour) == saison), None)
    if faite is not None:
        return Echeance(
            regle=regle,
            statut=Statut.FAITE,
            date_recommandee=recommandee,
            date_retard=None,
            date_limite=fin,
            date_faite=faite,
            prochaine_campagne=campagne(saison + 1)[0],
        )
    return Echeance(
        regle=regle,
        statut=Statut.A_FAIRE,
        date_recommandee=recommandee,
        date_retard=None,
        date_limite=fin,
        prochaine_campagne=debut,
    )
