"""Les unités UCUM (Unified Code for Units of Measure, https://ucum.org) des résultats de
biologie : une unité est-elle valide, sous quelle forme la comparer, comment l'afficher, et
la conversion entre unités d'une même grandeur (docs/RESULTATS.md). Module pur : ni Django,
ni base.

- ``analyser_unite`` suit la grammaire UCUM (termes ``.`` et ``/``, exposants, facteurs,
  annotations ``{…}``, parenthèses) sur une liste fermée de symboles (``ATOMES_METRIQUES``,
  qui prennent un préfixe, et ``ATOMES``, qui n'en prennent pas) : ceux de la biologie
  médicale. Une unité hors de cette liste est « inconnue » : le résultat qui la porte est
  ignoré et signalé. Seul écart toléré à UCUM : « µ » (U+00B5) ou « μ » (U+03BC) pour le
  préfixe micro ``u``, courant dans les comptes rendus.
- ``forme_canonique`` : l'unité telle qu'on la compare (le litre écrit ``L``, micro ``u``) ;
- ``CONVERSIONS`` : la petite table, écrite à la main, des unités interconvertibles d'une même
  grandeur, avec leur facteur vers l'unité de référence de la grandeur. Deux unités de grandeurs
  différentes (g/L et mmol/L : il faudrait la masse molaire de l'analyte) ne se convertissent
  pas : les valeurs sont montrées à part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Final

# Préfixes UCUM (sensibles à la casse) et leur facteur.
PREFIXES: Final = {
    "Y": Decimal("1e24"),
    "Z": Decimal("1e21"),
    "E": Decimal("1e18"),
    "P": Decimal("1e15"),
    "T": Decimal("1e12"),
    "G": Decimal("1e9"),
    "M": Decimal("1e6"),
    "k": Decimal("1e3"),
    "h": Decimal("1e2"),
    "da": Decimal("1e1"),
    "d": Decimal("1e-1"),
    "c": Decimal("1e-2"),
    "m": Decimal("1e-3"),
    "u": Decimal("1e-6"),
    "n": Decimal("1e-9"),
    "p": Decimal("1e-12"),
    "f": Decimal("1e-15"),
    "a": Decimal("1e-18"),
    "z": Decimal("1e-21"),
    "y": Decimal("1e-24"),
}
# Symboles qui prennent un préfixe (``metric`` dans UCUM), retenus pour la biologie.
ATOMES_METRIQUES: Final = frozenset(
    {
        "m", "s", "g", "rad", "K", "C", "cd", "mol", "sr", "Hz", "N", "Pa", "J", "W", "A",
        "V", "F", "Ohm", "S", "Wb", "Cel", "T", "H", "lm", "lx", "Bq", "Gy", "Sv", "l", "L",
        "ar", "t", "bar", "eV", "kat", "U", "[iU]", "[IU]", "eq", "osm", "g%", "m[Hg]",
        "m[H2O]", "cal", "Ci", "R", "RAD", "REM", "B", "dyn", "erg", "P", "St", "[CFU]",
    }
)  # fmt: skip
# Symboles sans préfixe (``metric`` faux dans UCUM), retenus pour la biologie.
ATOMES: Final = frozenset(
    {
        "10*", "10^", "%", "[ppth]", "[ppm]", "[ppb]", "[pptr]", "min", "h", "d", "wk", "mo",
        "a", "mo_j", "mo_g", "a_j", "a_g", "a_t", "[arb'U]", "[USP'U]", "[GPL'U]", "[MPL'U]",
        "[APL'U]", "[beth'U]", "[anti'Xa'U]", "[todd'U]", "[dye'U]", "[smgy'U]", "[bdsk'U]",
        "[ka'U]", "[knk'U]", "[mclg'U]", "[tb'U]", "[CCID_50]", "[TCID_50]", "[EID_50]",
        "[PFU]", "[FFU]", "[BAU]", "[AU]", "[Amb'a'1'U]", "[PNU]", "[Lf]", "[D'ag'U]",
        "[FEU]", "[ELU]", "[EU]", "[pH]", "[HPF]", "[LPF]", "[drp]", "[degF]", "[in_i]",
        "[ft_i]", "[lb_av]", "[oz_av]", "[S]", "[HbA1c]", "deg", "[mesh_i]", "[hp'_X]",
        "[hp'_C]", "[kp_X]", "[kp_C]", "[Btu]",
    }
)  # fmt: skip
_MICRO: Final = {"µ": "u", "μ": "u"}
_SEPARATEURS: Final = "./(){}"
LONGUEUR_MAX: Final = 60


class UniteInconnue(ValueError):
    """L'unité n'est pas une unité UCUM connue du portail."""


@dataclass(frozen=True)
class Symbole:
    """Un symbole d'unité : préfixe, atome, exposant s'il est écrit (``mm2`` : m, m, 2)."""

    prefixe: str
    atome: str
    exposant: int | None = None


@dataclass(frozen=True)
class Jeton:
    """Un élément d'un terme UCUM, dans l'ordre : opérateur (``.``, ``/``, ``(``, ``)``),
    symbole, facteur (``1000``) ou annotation (``{cellules}``)."""

    genre: str  # "op", "symbole", "facteur", "annotation"
    texte: str
    symbole: Symbole | None = None


_AVEC_EXPOSANT: Final = re.compile(r"(.+?)([+-]?[0-9]{1,3})?")


def _symbole(texte: str) -> Symbole:
    """Un symbole avec son exposant éventuel : ``mg``, ``m2``, ``10*9``, ``s-1``."""
    correspondance = _AVEC_EXPOSANT.fullmatch(texte)
    if correspondance is None:
        raise UniteInconnue(texte)
    corps, exposant = correspondance.groups()
    puissance = int(exposant) if exposant else None
    if corps in ATOMES or corps in ATOMES_METRIQUES:
        return Symbole("", corps, puissance)
    for prefixe in ("da", *PREFIXES):
        reste = corps[len(prefixe) :]
        if corps.startswith(prefixe) and reste in ATOMES_METRIQUES:
            return Symbole(prefixe, reste, puissance)
    raise UniteInconnue(texte)


def analyser_unite(code: str) -> list[Jeton]:
    """Les éléments de l'unité ``code`` ; ``UniteInconnue`` si elle n'est pas une unité UCUM
    faite des symboles retenus (une chaîne vide est l'unité sans dimension ``1``)."""
    texte = "".join(_MICRO.get(c, c) for c in code.strip())
    if not texte:
        return [Jeton("facteur", "1")]
    if len(texte) > LONGUEUR_MAX or not texte.isprintable() or " " in texte:
        raise UniteInconnue(code)
    jetons: list[Jeton] = []
    profondeur, i, attend_composant = 0, 0, True
    if texte.startswith("/"):
        jetons.append(Jeton("op", "/"))
        i = 1
    while i < len(texte):
        c = texte[i]
        if c == "{":
            fin = texte.find("}", i)
            if fin < 0 or "{" in texte[i + 1 : fin]:
                raise UniteInconnue(code)
            jetons.append(Jeton("annotation", texte[i : fin + 1]))
            i, attend_composant = fin + 1, False
        elif c in "./":
            if attend_composant:
                raise UniteInconnue(code)
            jetons.append(Jeton("op", c))
            i, attend_composant = i + 1, True
        elif c == "(":
            if not attend_composant:
                raise UniteInconnue(code)
            jetons.append(Jeton("op", c))
            profondeur, i = profondeur + 1, i + 1
        elif c == ")":
            if attend_composant or profondeur == 0:
                raise UniteInconnue(code)
            jetons.append(Jeton("op", c))
            profondeur, i = profondeur - 1, i + 1
        else:
            if not attend_composant:
                raise UniteInconnue(code)
            debut = i
            while i < len(texte) and texte[i] not in _SEPARATEURS:
                if texte[i] == "[":
                    fin = texte.find("]", i)
                    if fin < 0:
                        raise UniteInconnue(code)
                    i = fin + 1
                else:
                    i += 1
            morceau = texte[debut:i]
            if morceau.isdigit():
                jetons.append(Jeton("facteur", morceau))
            else:
                jetons.append(Jeton("symbole", morceau, _symbole(morceau)))
            attend_composant = False
    if attend_composant or profondeur:
        raise UniteInconnue(code)
    return jetons


def unite_valide(code: str) -> bool:
    try:
        analyser_unite(code)
    except UniteInconnue:
        return False
    return True


def _texte_symbole(symbole: Symbole) -> str:
    atome = "L" if symbole.atome == "l" else symbole.atome
    exposant = "" if symbole.exposant is None else str(symbole.exposant)
    return f"{symbole.prefixe}{atome}{exposant}"


@lru_cache(maxsize=1024)  # a lab's units are few, and read again for every result
def forme_canonique(code: str) -> str:
    """L'unité telle qu'on la compare : le litre écrit ``L``, micro ``u`` (``mg/dl`` et
    ``mg/dL`` sont la même unité). ``UniteInconnue`` si elle n'est pas valide."""
    jetons = analyser_unite(code)
    return "".join(_texte_symbole(j.symbole) if j.symbole is not None else j.texte for j in jetons)


_EXPOSANTS: Final = str.maketrans("0123456789-+", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺")
_ATOMES_LISIBLES: Final = {
    "[IU]": "UI",
    "[iU]": "UI",
    "Cel": "°C",
    "[arb'U]": "U arb.",
    "%": "%",
    "[pH]": "pH",
    "m[Hg]": "mHg",
}


@lru_cache(maxsize=1024)
def unite_lisible(code: str) -> str:
    """L'unité pour la lire : ``umol/L`` → ``µmol/L``, ``m[IU]/L`` → ``mUI/L``, ``10*9/L`` →
    ``10⁹/L``, ``m2`` → ``m²`` ; sans dimension (``1`` ou vide) : rien. Une unité invalide est
    rendue telle quelle."""
    try:
        jetons = analyser_unite(code)
    except UniteInconnue:
        return code
    morceaux: list[str] = []
    for jeton in jetons:
        if jeton.symbole is None:
            morceaux.append(jeton.texte.strip("{}") if jeton.genre == "annotation" else jeton.texte)
            continue
        s = jeton.symbole
        prefixe = "µ" if s.prefixe == "u" else s.prefixe
        atome = _ATOMES_LISIBLES.get(s.atome, "L" if s.atome == "l" else s.atome)
        exposant = "" if s.exposant in {None, 1} else str(s.exposant).translate(_EXPOSANTS)
        if s.atome in {"10*", "10^"}:
            morceaux.append("10" + str(s.exposant or 1).translate(_EXPOSANTS))
        else:
            morceaux.append(f"{prefixe}{atome}{exposant}")
    texte = "".join(morceaux)
    return "" if texte == "1" else texte


# --- Conversions entre unités d'une même grandeur --------------------------------------------

D = Decimal


@dataclass(frozen=True)
class Grandeur:
    """Une grandeur et ses unités : facteur vers l'unité de référence (la première)."""

    nom: str
    unites: dict[str, Decimal]


GRANDEURS: Final = (
    Grandeur(
        "concentration massique",
        {
            "g/L": D(1), "mg/L": D("1e-3"), "ug/L": D("1e-6"), "ng/L": D("1e-9"),
            "pg/L": D("1e-12"), "g/dL": D(10), "mg/dL": D("1e-2"), "ug/dL": D("1e-5"),
            "ng/dL": D("1e-8"), "g/mL": D(1000), "mg/mL": D(1), "ug/mL": D("1e-3"),
            "ng/mL": D("1e-6"), "pg/mL": D("1e-9"),
        },
    ),
    Grandeur(
        "concentration molaire",
        {
            "mmol/L": D(1), "mol/L": D(1000), "umol/L": D("1e-3"), "nmol/L": D("1e-6"),
            "pmol/L": D("1e-9"), "mmol/mL": D(1000), "umol/mL": D(1),
        },
    ),
    Grandeur(
        "activité enzymatique",
        {
            "U/L": D(1), "mU/L": D("1e-3"), "kU/L": D(1000), "U/mL": D(1000), "mU/mL": D(1),
            "ukat/L": D(60), "nkat/L": D("0.06"),
        },
    ),
    Grandeur(
        "unités internationales",
        {
            "[IU]/L": D(1), "m[IU]/L": D("1e-3"), "u[IU]/L": D("1e-6"), "k[IU]/L": D(1000),
            "[IU]/mL": D(1000), "m[IU]/mL": D(1), "u[IU]/mL": D("1e-3"),
            "[iU]/L": D(1), "m[iU]/L": D("1e-3"), "u[iU]/mL": D("1e-3"), "[iU]/mL": D(1000),
        },
    ),
    Grandeur(
        "numération",
        {
            "10*9/L": D(1), "10*12/L": D(1000), "10*6/L": D("1e-3"), "10*3/uL": D(1),
            "10*6/uL": D(1000), "/uL": D("1e-3"), "10*3/mm3": D(1), "10*6/mm3": D(1000),
            "/mm3": D("1e-3"), "/L": D("1e-9"),
        },
    ),
    Grandeur("fraction", {"%": D(1), "L/L": D(100)}),
    Grandeur("volume cellulaire", {"fL": D(1), "um3": D(1)}),
    Grandeur("pression partielle", {"mm[Hg]": D(1), "kPa": D("7.50062")}),
    Grandeur("durée", {"s": D(1), "min": D(60), "h": D(3600)}),
)  # fmt: skip
CONVERSIONS: Final = {
    unite: (grandeur.nom, facteur)
    for grandeur in GRANDEURS
    for unite, facteur in grandeur.unites.items()
}


@lru_cache(maxsize=4096)
def facteur_de_conversion(de: str, vers: str) -> Decimal | None:
    """Le facteur qui convertit une valeur en ``de`` en ``vers`` (1 pour la même unité),
    ``None`` si elles ne sont pas de la même grandeur de la table (ou invalides)."""
    try:
        source, cible = forme_canonique(de), forme_canonique(vers)
    except UniteInconnue:
        return None
    if source == cible:
        return D(1)
    if source not in CONVERSIONS or cible not in CONVERSIONS:
        return None
    (grandeur_source, facteur_source), (grandeur_cible, facteur_cible) = (
        CONVERSIONS[source],
        CONVERSIONS[cible],
    )
    if grandeur_source != grandeur_cible:
        return None
    return facteur_source / facteur_cible
