"""The recommended care of a space (docs/PREVENTION.md): the 20 mandatory examinations of
children, dental check-ups, organised screenings, vaccinations due — each an item "à prévoir"
with its window, from the tables in ``agenda/donnees/`` (issue 19, point 4) and, for the
vaccinations, from the vaccination calendar (``profil.vaccination``, through
``profil.profil_medical.calendrier_vaccinal``: its rules are not written twice).

The prevention messages (point 5) are the items to plan whose window is open or opens within
``PREVENTION_HORIZON_JOURS`` days, of a theme the person has not declined."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from espace_sante.acces import AccesPatient
from profil.profil_medical import calendrier_vaccinal
from profil.vaccination import FAMILLES, Statut, ajouter_mois

from .models import RefusPrevention, SuiviSoin

TABLES = Path(__file__).resolve().parent / "donnees" / "soins.json"

# The themes, in the order the pages show them (the opt-outs are per theme).
THEMES: dict[str, str] = {
    "enfant": "Examens de santé de l'enfant",
    "dentaire": "Examens bucco-dentaires (M'T dents)",
    "depistage_sein": "Dépistage du cancer du sein",
    "depistage_colorectal": "Dépistage du cancer colorectal",
    "depistage_col": "Dépistage du cancer du col de l'utérus",
    "vaccination": "Vaccinations",
}
SEXE_LIBELLE = {"F": "femmes", "M": "hommes"}
# How far ahead a window opening makes a prevention message.
HORIZON_JOURS = 30


@dataclass(frozen=True)
class SoinAPrevoir:
    """One recommended care item for the space's person: its key (stable, for marking it done
    or dismissed), its label, its theme (for the prevention opt-outs), its window, its source,
    and where it stands (``None``: to plan; "fait"; "ecarte"). ``critere`` says to whom the
    rule applies and when ("Femmes de 50 à 74 ans, tous les 2 ans"): the "Pourquoi ce
    message ?" of the prevention messages."""

    cle: str
    libelle: str
    theme: str
    du: date
    au: date
    source: str
    etat: str | None = None
    critere: str = ""
    # Whether ``etat`` is the person's own (``SuiviSoin``: it can be undone), not the carnet's.
    suivi: bool = False

    @property
    def theme_libelle(self) -> str:
        return THEMES.get(self.theme, self.theme)

    def ouvert_le(self, jour: date) -> bool:
        return self.du <= jour <= self.au


# --- The tables ----------------------------------------------------------------------------------

_AGE = re.compile(r"(?:(\d+)a)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)j)?")


def age_apres(naissance: date, texte: str) -> date:
    """The day a person born on ``naissance`` reaches the age ``texte``: '8j' days, '2s' weeks,
    '2m' months, '3a' years (calendar months first, clamped: born 31 January, 1 month is
    28 February), then weeks and days."""
    trouve = _AGE.fullmatch(texte)
    if not texte or trouve is None:
        raise ValueError(f"âge illisible : {texte!r}")
    annees, mois, semaines, jours = (int(g or 0) for g in trouve.groups())
    return ajouter_mois(naissance, 12 * annees + mois) + timedelta(weeks=semaines, days=jours)


@cache
def tables() -> dict[str, Any]:
    with TABLES.open(encoding="utf-8") as fichier:
        return json.load(fichier)


def _applicable(sexe_regle: str | None, sexe: str) -> bool:
    # A rule for women or men applies to them, and to a person whose sex is recorded as
    # undetermined ("U"): they may dismiss it (docs/PREVENTION.md).
    return sexe_regle is None or sexe == sexe_regle or sexe not in SEXE_LIBELLE


def soins_du_calendrier(*, date_naissance: date, sexe: str) -> list[SoinAPrevoir]:
    """Every item of the tables for a person born on ``date_naissance`` of sex ``sexe``, in
    date order (pure: no database, no clock)."""
    donnees = tables()
    sources: dict[str, str] = donnees["sources"]
    soins: list[SoinAPrevoir] = []
    for examen in donnees["enfant"]:
        soins.append(
            SoinAPrevoir(
                cle=examen["cle"],
                libelle=examen["libelle"],
                theme="enfant",
                du=age_apres(date_naissance, examen["du"]),
                au=age_apres(date_naissance, examen["avant"]) - timedelta(days=1),
                source=sources["enfant"],
                critere=f"Tout enfant, {examen['age']} (examen obligatoire)",
            )
        )
    for regle in donnees["periodiques"]:
        if not _applicable(regle["sexe"], sexe):
            continue
        fin = age_apres(date_naissance, f"{regle['jusqu_a'] + 1}a")
        for age in range(regle["de"], regle["jusqu_a"] + 1, regle["tous_les"]):
            duree = regle.get("duree") or regle["tous_les"]
            avant = min(age_apres(date_naissance, f"{age + duree}a"), fin)
            soins.append(
                SoinAPrevoir(
                    cle=f"{regle['prefixe']}-{age}-ans",
                    libelle=regle["libelle"].format(age=age),
                    theme=regle["theme"],
                    du=age_apres(date_naissance, f"{age}a"),
                    au=avant - timedelta(days=1),
                    source=sources[regle["theme"]],
                    critere=regle["critere"],
                )
            )
    return sorted(soins, key=lambda s: (s.du, s.cle))


def _soins_vaccination(acces: AccesPatient, aujourd_hui: date) -> list[SoinAPrevoir]:
    """The doses the vaccination calendar gives as due, late or done (not those that no
    longer apply). A window without an end (catch-up possible at any age) runs one year from
    today or from the recommended date."""
    soins = []
    for echeance in calendrier_vaccinal(acces=acces):
        if echeance.statut == Statut.NON_APPLICABLE or echeance.regle.selon_situation:
            continue  # over, or recommended to some people only (BCG, hepatitis A, RSV)
        regle = echeance.regle
        du = echeance.date_recommandee
        au = echeance.date_limite or max(du, aujourd_hui) + timedelta(days=365)
        famille = FAMILLES.get(regle.famille, regle.famille)
        soins.append(
            SoinAPrevoir(
                cle=f"vaccin-{regle.code}"[:64],
                libelle=f"Vaccination : {famille} — {regle.vaccin}, dose {regle.dose}",
                theme="vaccination",
                du=du,
                au=max(du, au),
                source=regle.source,
                etat=SuiviSoin.Etat.FAIT.value if echeance.statut == Statut.FAITE else None,
                critere=(
                    f"Recommandé à {regle.age}"
                    + (" (en retard)" if echeance.statut == Statut.EN_RETARD else "")
                    + " : calendrier des vaccinations, selon le carnet de vaccination"
                ),
            )
        )
    return soins


def tous_les_soins(acces: AccesPatient, *, aujourd_hui: date | None = None) -> list[SoinAPrevoir]:
    """Every item of the space's person, with what the person did of it (a vaccination noted
    in the carnet counts as done)."""
    espace = acces.espace
    aujourd_hui = aujourd_hui or timezone.localdate()
    suivis = dict(SuiviSoin.objects.filter(espace=espace).values_list("cle", "etat"))
    soins = [
        *soins_du_calendrier(date_naissance=espace.date_naissance, sexe=espace.sexe),
        *_soins_vaccination(acces, aujourd_hui),
    ]
    return sorted(
        (replace(s, etat=suivis[s.cle], suivi=True) if s.cle in suivis else s for s in soins),
        key=lambda s: (s.du, s.cle),
    )


def soins_a_prevoir(acces: AccesPatient, *, du: date, au: date) -> list[SoinAPrevoir]:
    """The items whose window meets [du, au], for the agenda's month and list views (those done
    or dismissed too, with their ``etat``: the views show "à prévoir" for ``etat is None``)."""
    return [s for s in tous_les_soins(acces) if s.du <= au and s.au >= du]


def soin_pour_acces(acces: AccesPatient, cle: str) -> SoinAPrevoir:
    """The item of this key for the space's person, or 404 (an unknown or foreign key)."""
    for soin in tous_les_soins(acces):
        if soin.cle == cle:
            return soin
    raise Http404


# --- Prevention messages -------------------------------------------------------------------------


def themes_refuses(acces: AccesPatient) -> set[str]:
    return set(RefusPrevention.objects.filter(espace=acces.espace).values_list("theme", flat=True))


def horizon_jours() -> int:
    return int(getattr(settings, "PREVENTION_HORIZON_JOURS", HORIZON_JOURS))


def messages_prevention(
    acces: AccesPatient, *, aujourd_hui: date | None = None
) -> list[SoinAPrevoir]:
    """The prevention messages of the space: items to plan (neither done nor dismissed) whose
    window is open today or opens within the horizon, of a theme not declined."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    limite = aujourd_hui + timedelta(days=horizon_jours())
    refuses = themes_refuses(acces)
    return [
        s
        for s in tous_les_soins(acces, aujourd_hui=aujourd_hui)
        if s.etat is None and s.theme not in refuses and s.du <= limite and s.au >= aujourd_hui
    ]


def nombre_messages_prevention(acces: AccesPatient) -> int:
    """For the home page's badge."""
    return len(messages_prevention(acces))
