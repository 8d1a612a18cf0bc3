"""Measures (DESIGN.md §6): plausibility limits, reference ranges, BMI, and a chart per kind
drawn on the server as SVG (espace_sante/lib/graphiques.py; the page also gives the values as a
table). Limits and ranges are data, with their source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from espace_sante.lib.formulations import compte
from espace_sante.lib.graphiques import Courbe, Releve, courbe

from .models import Mesure, TypeMesure


@dataclass(frozen=True)
class Bornes:
    minimum: Decimal  # below or above: not a plausible human value, refused
    maximum: Decimal
    reference: tuple[Decimal, Decimal] | None  # the usual range, shaded on the chart
    source: str


D = Decimal
BORNES: dict[str, Bornes] = {
    TypeMesure.POIDS: Bornes(D("0.3"), D("400"), None, "—"),
    TypeMesure.TAILLE: Bornes(D("20"), D("260"), None, "—"),
    TypeMesure.TOUR_DE_TAILLE: Bornes(
        D("20"), D("250"), (D("50"), D("94")), "IDF 2006 : < 94 cm (hommes), < 80 cm (femmes)"
    ),
    TypeMesure.TENSION: Bornes(
        D("50"), D("300"), (D("90"), D("140")), "HAS 2016 : pression systolique < 140 mmHg"
    ),
    TypeMesure.FREQUENCE_CARDIAQUE: Bornes(
        D("20"), D("250"), (D("50"), D("100")), "au repos, adulte : 50 à 100 /min"
    ),
    TypeMesure.GLYCEMIE: Bornes(
        D("0.2"), D("6"), (D("0.70"), D("1.10")), "HAS : à jeun 0,70 à 1,10 g/L"
    ),
    TypeMesure.TEMPERATURE: Bornes(D("30"), D("45"), (D("36.1"), D("37.8")), "36,1 à 37,8 °C"),
}
DIASTOLIQUE = Bornes(D("20"), D("200"), (D("60"), D("90")), "HAS 2016 : diastolique < 90 mmHg")
IMC_REFERENCE = (D("18.5"), D("25"))


def plausible(type_mesure: str, valeur: Decimal, basse: Decimal | None) -> list[str]:
    """What is wrong with a measure, in words (nothing: it is plausible)."""
    bornes = BORNES[type_mesure]
    fautes = []
    if not bornes.minimum <= valeur <= bornes.maximum:
        fautes.append(f"La valeur doit être comprise entre {bornes.minimum} et {bornes.maximum}.")
    if type_mesure == TypeMesure.TENSION:
        if basse is None:
            fautes.append("Indiquez aussi la pression diastolique (le chiffre du bas).")
        elif not DIASTOLIQUE.minimum <= basse <= DIASTOLIQUE.maximum:
            fautes.append("La pression diastolique doit être comprise entre 20 et 200.")
        elif basse >= valeur:
            fautes.append("La pression systolique doit être plus élevée que la diastolique.")
    elif basse is not None:
        fautes.append("Seule la tension a une seconde valeur.")
    return fautes


def imc(mesures: list[Mesure]) -> Decimal | None:
    """The body-mass index from the latest weight and the latest height."""
    poids = max((m for m in mesures if m.type == TypeMesure.POIDS), key=_cle, default=None)
    taille = max((m for m in mesures if m.type == TypeMesure.TAILLE), key=_cle, default=None)
    if poids is None or taille is None or not taille.valeur:
        return None
    metres = taille.valeur / 100
    return (poids.valeur / (metres * metres)).quantize(D("0.1"))


def _cle(mesure: Mesure) -> tuple[date, object]:
    return (mesure.date, mesure.cree_le)


# --- The chart (drawn by espace_sante/lib/graphiques.py) ---------------------------------------


def graphique(type_mesure: str, mesures: list[Mesure]) -> Courbe | None:
    """The chart of one kind of measure, oldest first (none without any measure)."""
    serie = sorted((m for m in mesures if m.type == type_mesure), key=_cle)
    if not serie:
        return None
    reference = BORNES[type_mesure].reference
    return courbe(
        [
            Releve(
                jour=m.date,
                valeur=float(m.valeur),
                valeur_basse=float(m.valeur_basse) if m.valeur_basse is not None else None,
                libelle=f"{m.date:%d/%m/%Y} : {_valeur(m)}",
            )
            for m in serie
        ],
        reference=(float(reference[0]), float(reference[1])) if reference else None,
        positif=True,  # weights, heights, pressures, temperatures… are never negative
        titre=str(dict(TypeMesure.choices)[type_mesure]),
        description=(
            f"{compte(len(serie), 'mesure', 'mesures')} "
            f"du {serie[0].date:%d/%m/%Y} au {serie[-1].date:%d/%m/%Y}"
            + (f" ; zone de référence {reference[0]} à {reference[1]}" if reference else "")
        ),
    )


def _valeur(mesure: Mesure) -> str:
    if mesure.valeur_basse is not None:
        return f"{mesure.valeur.normalize():f}/{mesure.valeur_basse.normalize():f}"
    return f"{mesure.valeur.normalize():f}"
