"""The personalised French vaccination calendar (DESIGN.md §6), as data plus one pure function.

The rules are the 2025 French schedule ("Calendrier des vaccinations et recommandations
vaccinales 2025"), data read from ``donnees/calendrier_vaccinal.json`` into frozen
dataclasses, each naming its source; the table,
the status definitions and what is simplified are in docs/VACCINATION.md. `calendrier()` turns
a birth date, a sex, today's date and the vaccinations already done into one `Echeance` per
rule. No model, no database, no clock: the caller passes `aujourd_hui`.
"""

from __future__ import annotations

import calendar as _calendar
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "FAMILLES",
    "FAMILLES_COMPTEES",
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
    "lire_table",
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
    A_VERIFIER = "a_verifier"  # would be late, but a vaccination document may record it


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
    `dose` is the dose number within its schedule, for display. `selon_situation`: for some
    people only (BCG, hepatitis A, RSV), never late; `periode`: repeated every so often from
    `age` (one line, "tous les 10 ans"); `equivalents`: other families whose dose counts
    (MenC for the infant MenACWY doses).
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
    selon_situation: bool = False
    periode: Age | None = None
    equivalents: tuple[str, ...] = ()


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
# The table: data, in profil/donnees/calendrier_vaccinal.json (docs/VACCINATION.md)

DONNEES = Path(__file__).resolve().parent / "donnees" / "calendrier_vaccinal.json"

# Autumn campaigns (approximate: the ministry sets the dates each year; 2025-2026 ran from
# 14 October to 31 January). A dose counts for the season whose year (1 September to
# 31 August) it falls in.
DEBUT_CAMPAGNE = (10, 15)
FIN_CAMPAGNE = (1, 31)
DEBUT_ANNEE_SAISON = 9

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


def lire_table(chemin: Path = DONNEES) -> tuple[str, Mapping[str, str], tuple[Regle, ...]]:
    """The schedule's title, its families and its rules, read from the data file.

    Each series names a family, a source (a key of ``sources``) and its doses; each dose its
    code, vaccine, dose number, then ages written "6s" (weeks), "2m" (months), "11a" (years),
    "11a6m": ``age`` recommended, ``minimum`` (a dose before it does not count), ``retard``
    (delay after the recommended date; null = never late), ``rattrapage`` (catch-up before;
    null = no limit); optionally ``intervalle`` after the previous dose, ``debut_avant`` /
    ``debut_a_partir_de`` (the HPV two- and three-dose schedules), ``periode`` (a booster
    repeated every so often), ``equivalents`` (other families whose dose counts, e.g. MenC
    for the infant MenACWY doses) and ``source``. A series may be ``saisonnier``,
    ``selon_situation`` (recommended to some people only: never late) or restricted to people
    born from ``nes_depuis``."""
    donnees = json.loads(chemin.read_text(encoding="utf-8"))
    sources: dict[str, str] = donnees["sources"]
    regles = tuple(
        Regle(
            code=dose["code"],
            famille=serie["famille"],
            vaccin=dose["vaccin"],
            dose=dose["dose"],
            age=_age(dose["age"]),
            age_minimum=_age(dose["minimum"]),
            retard_apres=_age_ou_rien(dose["retard"]),
            rattrapage_avant=_age_ou_rien(dose["rattrapage"]),
            source=sources[dose.get("source", serie["source"])],
            intervalle=_age_ou_rien(dose.get("intervalle")),
            debut_avant=_age_ou_rien(dose.get("debut_avant")),
            debut_a_partir_de=_age_ou_rien(dose.get("debut_a_partir_de")),
            nes_depuis=date.fromisoformat(serie["nes_depuis"]) if "nes_depuis" in serie else None,
            saisonnier=serie.get("saisonnier", False),
            selon_situation=serie.get("selon_situation", False),
            periode=_age_ou_rien(dose.get("periode")),
            equivalents=tuple(dose.get("equivalents", ())),
        )
        for serie in donnees["series"]
        for dose in serie["doses"]
    )
    return donnees["titre"], MappingProxyType(dict(donnees["familles"])), regles


CALENDRIER_2025, FAMILLES, REGLES = lire_table()

REGLES_PAR_CODE: Mapping[str, Regle] = MappingProxyType({regle.code: regle for regle in REGLES})
# The families whose doses count for the calendar: its own and their equivalents (MenC).
FAMILLES_COMPTEES = frozenset(FAMILLES) | {autre for regle in REGLES for autre in regle.equivalents}


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
    # A family outside the table may count for some rules of one (MenC for the infant MenACWY).
    equivalentes = {autre: regle.famille for regle in regles for autre in regle.equivalents}
    doses: dict[str, dict[date, set[str]]] = {}
    for faite in faites:
        source = faite.code if faite.code in familles else par_code.get(faite.code)
        famille = source or equivalentes.get(faite.code)
        if famille is None:
            raise ValueError(f"code de vaccin inconnu : {faite.code!r}")
        if date_naissance <= faite.date <= aujourd_hui:
            doses.setdefault(famille, {}).setdefault(faite.date, set()).add(source or faite.code)

    par_famille: dict[str, list[Regle]] = {}
    for regle in regles:
        par_famille.setdefault(regle.famille, []).append(regle)

    echeances: dict[str, Echeance] = {}
    for famille, regles_famille in par_famille.items():
        dates = sorted(doses.get(famille, {}).items())
        for echeance in _echeances_famille(
            regles_famille, dates, naissance=date_naissance, sexe=sexe, aujourd_hui=aujourd_hui
        ):
            echeances[echeance.regle.code] = echeance
    return [echeances[regle.code] for regle in regles]


def _accepte(regle: Regle, sources: set[str]) -> bool:
    """Whether a day's doses (their families) count for ``regle``."""
    return regle.famille in sources or not sources.isdisjoint(regle.equivalents)


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
    regles: list[Regle],
    jours: list[tuple[date, set[str]]],
    *,
    naissance: date,
    sexe: str,
    aujourd_hui: date,
) -> list[Echeance]:
    doses = [jour for jour, _sources in jours]
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

    # Doses in date order, each filling a rule after the last filled that accepts it: the
    # latest one already recommended on that day by age alone, else the first (a booster at
    # 12 with no infant record is the 11-year booster, not the first infant dose; a dose a
    # month late still fills its own rule).
    faites: dict[str, date] = {}
    suivante = 0
    for jour, sources in jours:
        rangs = [
            rang
            for rang in range(suivante, len(applicables))
            if _accepte(applicables[rang], sources)
            and _dans_fenetre(applicables[rang], jour, naissance)
        ]
        if not rangs:
            continue
        echues = [
            rang
            for rang in rangs
            if applicables[rang].intervalle is None  # a dose counted from the previous one
            and applicables[rang].age.apres(naissance) <= jour
        ]
        rang = echues[-1] if echues else rangs[0]
        faites[applicables[rang].code] = jour
        suivante = rang + 1

    echeances: list[Echeance] = []
    precedente: Echeance | None = None
    for regle in regles:
        if regle not in applicables:
            echeances.append(_non_applicable(regle, naissance))
            continue
        if regle.periode is not None:
            echeances.append(
                _echeance_periodique(regle, doses, naissance=naissance, aujourd_hui=aujourd_hui)
            )
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


def _echeance_periodique(
    regle: Regle, doses: list[date], *, naissance: date, aujourd_hui: date
) -> Echeance:
    """A booster repeated every ``periode`` from ``age`` ("75 ans, puis tous les 10 ans"):
    one line, not one per decade. Done while the last dose from ``age_minimum`` on is less
    than a period old (``date_recommandee`` is then the next one); otherwise due at the later
    of ``age`` and the last dose plus the period."""
    assert regle.periode is not None
    depuis = regle.age_minimum.apres(naissance)
    derniere = max((jour for jour in doses if jour >= depuis), default=None)
    recommandee = regle.age.apres(naissance)
    if derniere is not None:
        recommandee = max(recommandee, regle.periode.apres(derniere))
    retard = regle.retard_apres.apres(recommandee) if regle.retard_apres is not None else None
    if derniere is not None and aujourd_hui < regle.periode.apres(derniere):
        statut = Statut.FAITE
    elif retard is not None and aujourd_hui >= retard:
        statut = Statut.EN_RETARD
    else:
        statut = Statut.A_FAIRE
    return Echeance(
        regle=regle,
        statut=statut,
        date_recommandee=recommandee,
        date_retard=retard,
        date_limite=None,
        date_faite=derniere if statut == Statut.FAITE else None,
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
