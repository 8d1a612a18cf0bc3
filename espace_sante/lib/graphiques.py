"""Charts drawn on the server as SVG: they work without JavaScript, and each page also gives
their values as a table.

This module turns values into pixels and nothing else: what to plot, its labels and the
sentence that describes it to a screen reader come from the page's own module (measures:
``profil/mesures.py``; reimbursements: ``dossier/assurance/selectors.py``). The templates that
draw the SVG (``templates/graphiques/``) read only what is here, already rounded.

- ``courbe``: values over time, one point per reading (with an optional second value, as the
  diastolic pressure under the systolic one) and an optional reference range shaded behind;
  a point may link somewhere (a lab result to its source document), and marks may stand
  between two points (where the unit or the method changed).
- ``barres``: one bar per label (a year…), from zero up to the largest value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

GRADUATIONS = 4  # at most this many intervals on the value axis (five labelled lines)
PAS_RONDS = (1.0, 2.0, 5.0)  # the axis' step: one of these times a power of ten


@dataclass(frozen=True)
class Cadre:
    """The SVG's size and the margins around the drawing: on the left for the values'
    labels, at the bottom for the dates (or the years)."""

    largeur: int = 560
    hauteur: int = 220
    gauche: int = 48
    bas: int = 28
    haut: int = 12
    droite: int = 12

    @property
    def interieur_largeur(self) -> int:
        return self.largeur - self.gauche - self.droite

    @property
    def interieur_hauteur(self) -> int:
        return self.hauteur - self.haut - self.bas

    @property
    def base(self) -> int:
        """The y of the value axis' bottom."""
        return self.hauteur - self.bas

    @property
    def droite_x(self) -> int:
        """The x where the drawing ends (the grid lines' right end)."""
        return self.largeur - self.droite

    @property
    def x_graduations(self) -> int:
        """The x the values' labels end at, just left of the drawing."""
        return self.gauche - 4

    @property
    def y_abscisses(self) -> int:
        """The y of the dates' (or years') labels, under the drawing."""
        return self.hauteur - 8


CADRE = Cadre()


def graduations(cadre: Cadre, libelles: Sequence[str]) -> list[tuple[float, str]]:
    """The value axis' labelled lines, evenly spaced from the bottom up: (y, label)."""
    pas = len(libelles) - 1
    return [
        (round(cadre.base - cadre.interieur_hauteur * rang / pas, 1), libelle)
        for rang, libelle in enumerate(libelles)
    ]


# --- Values over time --------------------------------------------------------------------------


@dataclass(frozen=True)
class Releve:
    """One reading to plot: its day, its value (and a second one, drawn as a second line), and
    what its point says when hovered or read aloud."""

    jour: date
    valeur: float
    valeur_basse: float | None
    libelle: str
    lien: str = ""


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    y_bas: float | None
    libelle: str
    lien: str = ""


@dataclass(frozen=True)
class Marque:
    """A vertical mark between two points, and what it says."""

    x: float
    libelle: str


@dataclass(frozen=True)
class Courbe:
    """Everything the SVG template needs, already in pixels."""

    cadre: Cadre
    points: list[Point]
    ligne: str
    ligne_basse: str
    bande: tuple[float, float] | None  # the reference range: y of its top, and its height
    graduations: list[tuple[float, str]]
    dates: list[tuple[float, str, str]]  # x, label, text-anchor
    titre: str
    description: str
    marques: list[Marque] = field(default_factory=list)


@dataclass(frozen=True)
class Echelle:
    """The value axis: round bounds, a round step between them, and the decimals its labels
    need (a step of 0.05 → two, of 5 → none)."""

    bas: float
    haut: float
    pas: float
    decimales: int

    @property
    def valeurs(self) -> list[float]:
        intervalles = round((self.haut - self.bas) / self.pas)
        return [self.bas + self.pas * rang for rang in range(intervalles + 1)]


def echelle(minimum: float, maximum: float, *, positif: bool = False) -> Echelle:
    """The axis for values from ``minimum`` to ``maximum``: the smallest round step (1, 2 or
    5 times a power of ten) that covers them in at most ``GRADUATIONS`` intervals, bounds on
    multiples of it (a value may sit on the top or bottom line). ``positif``: the values
    cannot be negative (a concentration, a weight), so the axis never goes below zero."""
    if maximum - minimum < 1e-9:  # one value, or all equal: some room around it
        ecart = abs(maximum) * 0.1 or 1.0
        minimum, maximum = minimum - ecart, maximum + ecart
        if positif:
            minimum = max(0.0, minimum)
    brut = (maximum - minimum) / GRADUATIONS
    puissance = math.floor(math.log10(brut))
    for exposant in (puissance - 1, puissance, puissance + 1):
        for facteur in PAS_RONDS:
            pas = float(Decimal(repr(facteur)).scaleb(exposant))
            bas = math.floor(minimum / pas + 1e-9) * pas
            haut = math.ceil(maximum / pas - 1e-9) * pas
            if round((haut - bas) / pas) <= GRADUATIONS:
                exposant_pas = Decimal(repr(pas)).normalize().as_tuple().exponent
                decimales = max(0, -int(exposant_pas))
                return Echelle(round(bas, 12), round(haut, 12), pas, decimales)
    raise AssertionError("unreachable: a step ten times the raw one always fits")


def nombre_axe(valeur: float, decimales: int) -> str:
    """A value of the axis, the French way: ``1,5``, ``−0,25`` (a true minus sign), ``70``."""
    texte = f"{valeur:.{decimales}f}".replace(".", ",")
    if texte.lstrip("-").strip("0,") == "":  # -0,0 → 0,0
        texte = texte.lstrip("-")
    return texte.replace("-", "\u2212")


def courbe(
    releves: Sequence[Releve],
    *,
    reference: tuple[float, float] | None,
    titre: str,
    description: str,
    cadre: Cadre = CADRE,
    marques: Sequence[tuple[int, str]] = (),
    positif: bool = False,
) -> Courbe:
    """The line of ``releves`` (oldest first, at least one) on a round value axis
    (``echelle``); the reference range, if any, is always in view. ``marques``: (rank of a
    reading, label) for a mark just before that reading (halfway from the previous one);
    ``positif``: the values cannot be negative (the axis starts at zero at the lowest)."""
    valeurs = [r.valeur for r in releves] + [
        r.valeur_basse for r in releves if r.valeur_basse is not None
    ]
    if reference:
        valeurs += list(reference)
    axe = echelle(min(valeurs), max(valeurs), positif=positif)
    bas, haut = axe.bas, axe.haut
    premier, dernier = releves[0].jour, releves[-1].jour
    debut, fin = premier.toordinal(), dernier.toordinal()
    etendue = max(fin - debut, 1)

    def x(jour: date) -> float:
        if fin == debut:
            return cadre.gauche + cadre.interieur_largeur / 2
        return cadre.gauche + (jour.toordinal() - debut) / etendue * cadre.interieur_largeur

    def y(valeur: float) -> float:
        return cadre.haut + (haut - valeur) / (haut - bas) * cadre.interieur_hauteur

    points = [
        Point(
            x=round(x(r.jour), 1),
            y=round(y(r.valeur), 1),
            y_bas=round(y(r.valeur_basse), 1) if r.valeur_basse is not None else None,
            libelle=r.libelle,
            lien=r.lien,
        )
        for r in releves
    ]
    plusieurs = len(points) > 1
    return Courbe(
        cadre=cadre,
        points=points,
        ligne=" ".join(f"{p.x},{p.y}" for p in points),
        ligne_basse=" ".join(f"{p.x},{p.y_bas}" for p in points if p.y_bas is not None),
        bande=(
            (round(y(reference[1]), 1), round(y(reference[0]) - y(reference[1]), 1))
            if reference
            else None
        ),
        graduations=graduations(cadre, [nombre_axe(v, axe.decimales) for v in axe.valeurs]),
        dates=[(points[0].x, f"{premier:%d/%m/%Y}", "start" if plusieurs else "middle")]
        + ([(points[-1].x, f"{dernier:%d/%m/%Y}", "end")] if plusieurs else []),
        titre=titre,
        description=description,
        marques=[
            Marque(x=round((points[rang - 1].x + points[rang].x) / 2, 1), libelle=libelle)
            for rang, libelle in marques
            if 0 < rang < len(points)
        ],
    )


# --- One bar per label -------------------------------------------------------------------------


@dataclass(frozen=True)
class Barre:
    x: float
    y: float
    largeur: float
    hauteur: float
    centre: float  # x of its label
    etiquette: str
    valeur: Decimal
    libelle: str


@dataclass(frozen=True)
class Barres:
    """Everything the SVG template needs, already in pixels."""

    cadre: Cadre
    barres: list[Barre]
    graduations: list[tuple[float, str]]
    titre: str
    description: str


def barres(
    valeurs: Sequence[tuple[str, Decimal]],
    *,
    montrer: Callable[[Decimal], str],
    titre: str,
    description: str,
    cadre: Cadre = CADRE,
) -> Barres:
    """One bar per (label, value), left to right (at least one), from zero up to the largest
    value (or 1); ``montrer`` writes a value as the page shows it (the axis' values are rounded
    to whole units)."""
    plus_haut = max(max(valeur for _, valeur in valeurs), Decimal(1))
    pas = cadre.interieur_largeur / len(valeurs)
    largeur = round(min(pas * 0.6, 80), 1)
    liste = []
    for rang, (etiquette, valeur) in enumerate(valeurs):
        hauteur = round(float(valeur / plus_haut) * cadre.interieur_hauteur, 1)
        liste.append(
            Barre(
                x=round(cadre.gauche + pas * rang + (pas - largeur) / 2, 1),
                y=round(cadre.base - hauteur, 1),
                largeur=largeur,
                hauteur=hauteur,
                centre=round(cadre.gauche + pas * rang + pas / 2, 1),
                etiquette=etiquette,
                valeur=valeur,
                libelle=f"{etiquette} : {montrer(valeur)}",
            )
        )
    return Barres(
        cadre=cadre,
        barres=liste,
        graduations=graduations(
            cadre,
            [
                montrer((plus_haut * rang / GRADUATIONS).quantize(Decimal(1)))
                for rang in range(GRADUATIONS + 1)
            ],
        ),
        titre=titre,
        description=description,
    )
