"""Measures (DESIGN.md §6): plausibility limits, reference ranges, BMI, and a chart per kind
drawn on the server as SVG (it works without JavaScript; the page also gives the values as a
table). Limits and ranges are data, with their source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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


# --- The chart ---------------------------------------------------------------------------------

LARGEUR, HAUTEUR, MARGE_G, MARGE_B, MARGE_H, MARGE_D = 560, 220, 48, 28, 12, 12


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    y_bas: float | None
    libelle: str


@dataclass(frozen=True)
class Graphique:
    """Everything the SVG template needs, already in pixels."""

    largeur: int
    hauteur: int
    points: list[Point]
    ligne: str
    ligne_basse: str
    bande: tuple[float, float] | None  # the reference range: y of its top, and its height
    graduations: list[tuple[float, str]]
    dates: list[tuple[float, str, str]]  # x, label, text-anchor
    titre: str
    description: str


def graphique(type_mesure: str, mesures: list[Mesure]) -> Graphique | None:
    """The chart of one kind of measure, oldest first (none for fewer than one point)."""
    serie = sorted((m for m in mesures if m.type == type_mesure), key=_cle)
    if not serie:
        return None
    bornes = BORNES[type_mesure]
    valeurs = [float(m.valeur) for m in serie] + [
        float(m.valeur_basse) for m in serie if m.valeur_basse is not None
    ]
    if bornes.reference:
        valeurs += [float(bornes.reference[0]), float(bornes.reference[1])]
    bas, haut = min(valeurs), max(valeurs)
    if haut - bas < 1e-9:
        bas, haut = bas - 1, haut + 1
    marge = (haut - bas) * 0.1
    bas, haut = bas - marge, haut + marge
    debut, fin = serie[0].date.toordinal(), serie[-1].date.toordinal()
    etendue = max(fin - debut, 1)

    def x(jour: date) -> float:
        if fin == debut:
            return MARGE_G + (LARGEUR - MARGE_G - MARGE_D) / 2
        return MARGE_G + (jour.toordinal() - debut) / etendue * (LARGEUR - MARGE_G - MARGE_D)

    def y(valeur: float) -> float:
        return MARGE_H + (haut - valeur) / (haut - bas) * (HAUTEUR - MARGE_H - MARGE_B)

    points = [
        Point(
            x=round(x(m.date), 1),
            y=round(y(float(m.valeur)), 1),
            y_bas=round(y(float(m.valeur_basse)), 1) if m.valeur_basse is not None else None,
            libelle=f"{m.date:%d/%m/%Y} : {_valeur(m)}",
        )
        for m in serie
    ]
    graduations = [
        (round(y(v), 1), f"{v:.1f}".rstrip("0").rstrip("."))
        for v in (bas + (haut - bas) * i / 4 for i in range(5))
    ]
    libelle = dict(TypeMesure.choices)[type_mesure]
    return Graphique(
        largeur=LARGEUR,
        hauteur=HAUTEUR,
        points=points,
        ligne=" ".join(f"{p.x},{p.y}" for p in points),
        ligne_basse=" ".join(f"{p.x},{p.y_bas}" for p in points if p.y_bas is not None),
        bande=(
            (
                round(y(float(bornes.reference[1])), 1),
                round(y(float(bornes.reference[0])) - y(float(bornes.reference[1])), 1),
            )
            if bornes.reference
            else None
        ),
        graduations=graduations,
        dates=[(points[0].x, f"{serie[0].date:%d/%m/%Y}", "start" if len(points) > 1 else "middle")]
        + ([(points[-1].x, f"{serie[-1].date:%d/%m/%Y}", "end")] if len(points) > 1 else []),
        titre=str(libelle),
        description=(
            f"{len(serie)} mesure(s) du {serie[0].date:%d/%m/%Y} au {serie[-1].date:%d/%m/%Y}"
            + (
                f" ; zone de référence {bornes.reference[0]} à {bornes.reference[1]}"
                if bornes.reference
                else ""
            )
        ),
    )


def _valeur(mesure: Mesure) -> str:
    if mesure.valeur_basse is not None:
        return f"{mesure.valeur.normalize():f}/{mesure.valeur_basse.normalize():f}"
    return f"{mesure.valeur.normalize():f}"
