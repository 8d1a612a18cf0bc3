"""Charts drawn on the server as SVG: they work without JavaScript, and each page also gives
their values as a table. The one chart module of the project: the measures' curves
(``profil/mesures.py``), the lab results' curves (``dossier/resultats/presentation.py``) and
the reimbursements' bars (``dossier/assurance/selectors.py``) are all drawn from here, by the
templates of ``templates/graphiques/``.

This module turns values into pixels and nothing else: what to plot, its labels and the
sentence that describes it to a screen reader come from the page's own module. What it
guarantees, for every chart:

- a round value axis (``echelle``): steps of 1, 2, 2,5 or 5 × 10ⁿ, at most ``GRADUATIONS``
  intervals, covering the values with a margin, never below zero for a positive quantity;
- French numbers (``nombre_fr``): a decimal comma, a narrow no-break space for thousands, a true
  minus sign;
- the unit written above the value axis, and a legend given as HTML next to the SVG
  (``Legende``), naming each series, how it is drawn and its own reference range;
- one reference band per series (a chart of blood pressure shades the systolic and the
  diastolic normal ranges, each in its series' colour);
- readable from 320 px: a narrow viewBox (360 units) and text of ``TAILLE_TEXTE`` units, so
  that at 288 px of width (a 320 px screen less its margins) a label is still 12.8 px high;
  labels that would overlap (bars' years) are thinned out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

__all__ = [
    "CADRE",
    "GRADUATIONS",
    "PAS_RONDS",
    "TAILLE_TEXTE",
    "Barres",
    "Cadre",
    "Courbe",
    "Echelle",
    "Legende",
    "Releve",
    "barres",
    "courbe",
    "echelle",
    "largeur_texte",
    "nombre_axe",
    "nombre_fr",
]

GRADUATIONS = 5  # at most this many intervals on the value axis (six labelled lines)
PAS_RONDS = (1.0, 2.0, 2.5, 5.0)  # the axis' step: one of these times a power of ten
MARGE = 0.05  # the values stay this fraction of their range away from the axis' ends
TAILLE_TEXTE = 16  # font size of every label, in viewBox units (≥ 12 px from 270 px wide)
CHASSE = 0.6  # a label's width per character, in font sizes (digits, "/", spaces)


@dataclass(frozen=True)
class Cadre:
    """The SVG's size and the margins around the drawing: on the left for the values'
    labels, at the top for the unit, at the bottom for the dates (or the years)."""

    largeur: int = 360
    hauteur: int = 230
    gauche: int = 44
    bas: int = 28
    haut: int = 32
    droite: int = 8

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
        """The y of the dates' (or years') labels' baseline, under the drawing."""
        return self.hauteur - 6

    @property
    def y_unite(self) -> int:
        """The y of the unit's baseline: above the drawing, right of the values' labels."""
        return self.haut - 10

    @property
    def taille_texte(self) -> int:
        return TAILLE_TEXTE


CADRE = Cadre()


def largeur_texte(texte: str) -> float:
    """About how wide a label is drawn, in viewBox units."""
    return len(texte) * TAILLE_TEXTE * CHASSE


def _cadre_pour(cadre: Cadre, libelles: Sequence[str]) -> Cadre:
    """``cadre`` with a left margin wide enough for the value axis' longest label."""
    gauche = max(cadre.gauche, math.ceil(max(map(largeur_texte, libelles), default=0)) + 8)
    return Cadre(cadre.largeur, cadre.hauteur, gauche, cadre.bas, cadre.haut, cadre.droite)


def graduations(cadre: Cadre, libelles: Sequence[str]) -> list[tuple[float, str]]:
    """The value axis' labelled lines, evenly spaced from the bottom up: (y, label)."""
    pas = len(libelles) - 1
    return [
        (round(cadre.base - cadre.interieur_hauteur * rang / pas, 1), libelle)
        for rang, libelle in enumerate(libelles)
    ]


# --- Numbers and the value axis ------------------------------------------------------------------


def nombre_fr(valeur: float | Decimal, decimales: int) -> str:
    """A number the French way: ``1 234,5`` (narrow no-break space), ``−0,25`` (a true minus
    sign), ``70``; never ``−0``."""
    texte = f"{valeur:,.{decimales}f}".replace(",", "\u202f").replace(".", ",")
    if texte.lstrip("-").strip("0,\u202f") == "":  # -0,0 → 0,0
        texte = texte.lstrip("-")
    return texte.replace("-", "\u2212")


nombre_axe = nombre_fr  # a value of the axis


@dataclass(frozen=True)
class Echelle:
    """The value axis: round bounds, a round step between them, and the decimals its labels
    need (a step of 0.05 → two, of 2.5 → one, of 5 → none)."""

    bas: float
    haut: float
    pas: float
    decimales: int

    @property
    def valeurs(self) -> list[float]:
        intervalles = round((self.haut - self.bas) / self.pas)
        return [round(self.bas + self.pas * rang, 12) for rang in range(intervalles + 1)]

    def libelles(self) -> list[str]:
        return [nombre_fr(valeur, self.decimales) for valeur in self.valeurs]


def echelle(
    minimum: float, maximum: float, *, positif: bool = False, graduations: int = GRADUATIONS
) -> Echelle:
    """The axis for values from ``minimum`` to ``maximum``: the smallest round step (1, 2,
    2,5 or 5 times a power of ten) whose multiples cover them, with a margin of ``MARGE`` of
    their range on each side, in at most ``graduations`` intervals. ``positif``: the values
    cannot be negative (a concentration, a weight), so the axis never goes below zero (and
    a value of zero may sit on it)."""
    if maximum - minimum < 1e-9:  # one value, or all equal: some room around it
        ecart = abs(maximum) * 0.1 or 1.0
        minimum, maximum = minimum - ecart, maximum + ecart
    marge = (maximum - minimum) * MARGE
    bas_voulu, haut_voulu = minimum - marge, maximum + marge
    if positif:
        bas_voulu = max(0.0, bas_voulu)
    brut = (haut_voulu - bas_voulu) / graduations
    puissance = math.floor(math.log10(brut))
    for exposant in (puissance - 1, puissance, puissance + 1):
        for facteur in PAS_RONDS:
            pas = float(Decimal(repr(facteur)).scaleb(exposant))
            bas = math.floor(bas_voulu / pas + 1e-9) * pas
            haut = math.ceil(haut_voulu / pas - 1e-9) * pas
            if round((haut - bas) / pas) <= graduations:
                exposant_pas = Decimal(repr(pas)).normalize().as_tuple().exponent
                decimales = max(0, -int(exposant_pas))
                return Echelle(round(bas, 12), round(haut, 12), pas, decimales)
    raise AssertionError("unreachable: a step ten times the raw one always fits")


@dataclass(frozen=True)
class Legende:
    """One entry of the legend, given as HTML next to the SVG: the series' name, how it is
    drawn (``trait``: "plein", "pointille", "barre") and its reference range in words."""

    nom: str
    trait: str
    reference: str = ""


# --- Values over time ----------------------------------------------------------------------------


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
class Bande:
    """A reference range, shaded: y of its top, its height, and whose series it is
    ("haute": the first series, "basse": the second)."""

    y: float
    hauteur: float
    serie: str


@dataclass(frozen=True)
class Courbe:
    """Everything the SVG template needs, already in pixels."""

    cadre: Cadre
    points: list[Point]
    ligne: str
    ligne_basse: str
    bandes: list[Bande]
    graduations: list[tuple[float, str]]
    dates: list[tuple[float, str, str]]  # x, label, text-anchor
    titre: str
    description: str
    unite: str = ""
    legende: list[Legende] = field(default_factory=list)
    marques: list[Marque] = field(default_factory=list)

    @property
    def bande(self) -> tuple[float, float] | None:
        """The first series' band as (y, height), if any."""
        premiere = next((b for b in self.bandes if b.serie == "haute"), None)
        return (premiere.y, premiere.hauteur) if premiere else None


def _plage(reference: tuple[float, float], decimales: int, unite: str) -> str:
    bas, haut = (nombre_fr(Decimal(repr(v)).normalize(), max(0, decimales)) for v in reference)
    return f"zone de référence : {bas} à {haut}" + (f"\u00a0{unite}" if unite else "")


def _decimales(valeurs: Sequence[float]) -> int:
    return max(
        (max(0, -int(Decimal(repr(v)).normalize().as_tuple().exponent)) for v in valeurs),
        default=0,
    )


def courbe(
    releves: Sequence[Releve],
    *,
    reference: tuple[float, float] | None,
    titre: str,
    description: str,
    cadre: Cadre = CADRE,
    marques: Sequence[tuple[int, str]] = (),
    positif: bool = False,
    unite: str = "",
    noms: tuple[str, str] = ("", ""),
    reference_basse: tuple[float, float] | None = None,
) -> Courbe:
    """The line of ``releves`` (oldest first, at least one) on a round value axis
    (``echelle``); each series' reference range, if any, is always in view: ``reference`` the
    first series', ``reference_basse`` the second's (the diastolic pressure under the
    systolic). ``noms``: the two series' names for the legend (the first defaults to the
    title). ``marques``: (rank of a reading, label) for a mark just before that reading
    (halfway from the previous one); ``positif``: the values cannot be negative (the axis
    starts at zero at the lowest)."""
    basses = [r.valeur_basse for r in releves if r.valeur_basse is not None]
    valeurs = [r.valeur for r in releves] + basses
    for plage in (reference, reference_basse if basses else None):
        if plage:
            valeurs += list(plage)
    axe = echelle(min(valeurs), max(valeurs), positif=positif)
    libelles = axe.libelles()
    cadre = _cadre_pour(cadre, libelles)
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

    def bande(plage: tuple[float, float], serie: str) -> Bande:
        return Bande(round(y(plage[1]), 1), round(y(plage[0]) - y(plage[1]), 1), serie)

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
    decimales = _decimales(valeurs)
    legende = [
        Legende(noms[0] or titre, "plein", _plage(reference, decimales, unite) if reference else "")
    ]
    bandes = [bande(reference, "haute")] if reference else []
    if basses:
        legende.append(
            Legende(
                noms[1] or "Seconde valeur",
                "pointille",
                _plage(reference_basse, decimales, unite) if reference_basse else "",
            )
        )
        if reference_basse:
            bandes.append(bande(reference_basse, "basse"))
    plusieurs = len(points) > 1
    return Courbe(
        cadre=cadre,
        points=points,
        ligne=" ".join(f"{p.x},{p.y}" for p in points),
        ligne_basse=" ".join(f"{p.x},{p.y_bas}" for p in points if p.y_bas is not None),
        bandes=bandes,
        graduations=graduations(cadre, libelles),
        dates=[(points[0].x, f"{premier:%d/%m/%Y}", "start" if plusieurs else "middle")]
        + ([(points[-1].x, f"{dernier:%d/%m/%Y}", "end")] if plusieurs else []),
        titre=titre,
        description=description,
        unite=unite,
        legende=legende,
        marques=[
            Marque(x=round((points[rang - 1].x + points[rang].x) / 2, 1), libelle=libelle)
            for rang, libelle in marques
            if 0 < rang < len(points)
        ],
    )


# --- One bar per label ---------------------------------------------------------------------------


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
    montre: bool = True  # whether its label is drawn (thinned out when they would overlap)


@dataclass(frozen=True)
class Barres:
    """Everything the SVG template needs, already in pixels."""

    cadre: Cadre
    barres: list[Barre]
    graduations: list[tuple[float, str]]
    titre: str
    description: str
    unite: str = ""
    legende: list[Legende] = field(default_factory=list)


def barres(
    valeurs: Sequence[tuple[str, Decimal]],
    *,
    montrer: Callable[[Decimal], str],
    titre: str,
    description: str,
    cadre: Cadre = CADRE,
    unite: str = "",
) -> Barres:
    """One bar per (label, value), left to right (at least one), from zero on a round axis
    (``echelle``); ``montrer`` writes a value as the page shows it (each bar's title), the
    axis gives round numbers and ``unite`` above them. A label is drawn only every so many
    bars when they would not fit side by side."""
    plus_haut = float(max(max(valeur for _, valeur in valeurs), Decimal(0)))
    axe = echelle(0.0, plus_haut, positif=True)
    libelles = axe.libelles()
    cadre = _cadre_pour(cadre, libelles)
    pas = cadre.interieur_largeur / len(valeurs)
    largeur = round(min(pas * 0.6, 80), 1)
    place = max(largeur_texte(etiquette) for etiquette, _ in valeurs) + TAILLE_TEXTE / 2
    tous_les = max(1, math.ceil(place / pas))
    liste = []
    for rang, (etiquette, valeur) in enumerate(valeurs):
        hauteur = round(float(valeur) / axe.haut * cadre.interieur_hauteur, 1)
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
                montre=(len(valeurs) - 1 - rang) % tous_les == 0,  # the latest always shown
            )
        )
    return Barres(
        cadre=cadre,
        barres=liste,
        graduations=graduations(cadre, libelles),
        titre=titre,
        description=description,
        unite=unite,
        legende=[Legende(titre, "barre")],
    )
