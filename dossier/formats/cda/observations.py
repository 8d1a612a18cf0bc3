"""Les résultats codés d'un compte rendu de biologie structuré (CR-BIO de niveau 3, IHE PaLM) :
code LOINC, libellé, valeur (quantité avec son unité UCUM, code ou texte), intervalle de
référence, interprétation (H, L, N…), date de l'observation, méthode et prélèvement.

Où : dans toute ``entry`` d'un CDA qui porte le modèle « Laboratory Report Data Processing
Entry » (``1.3.6.1.4.1.19376.1.3.1``) ou son équivalent CI-SIS (``1.2.250.1.213.1.1.3.21``),
les ``observation`` de son ``act``, directement (``entryRelationship``) ou dans des
``organizer`` (batteries, prélèvements). Les autres entrées (document attaché, commentaires)
ne sont pas des résultats.

Une observation mal formée n'arrête rien : elle est rendue dans ``ignorees`` avec son motif en
français (valeur absente, valeur non numérique, unité inconnue, date impossible…), les autres
sont lues. Même analyse durcie que ``lire_cda`` (``analyse.py``). Module pur : ni Django, ni
base, ni réseau.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from .. import ucum
from .analyse import H, analyser, attr, nom_local, texte_de
from .lecture import date_cda

OID_LOINC: Final = "2.16.840.1.113883.6.1"
MODELES_ENTREE_BIOLOGIE: Final = frozenset({"1.3.6.1.4.1.19376.1.3.1", "1.2.250.1.213.1.1.3.21"})
# Ce qu'un document doit contenir pour valoir la peine d'être relu (test sur les octets).
MARQUES: Final = tuple(f'"{modele}"'.encode() for modele in MODELES_ENTREE_BIOLOGIE)
XSI_TYPE: Final = "{http://www.w3.org/2001/XMLSchema-instance}type"
OBSERVATIONS_MAX: Final = 2000
LIBELLE_MAX: Final = 200
TEXTE_MAX: Final = 500
DATE_MIN: Final = dt.date(1900, 1, 1)
# Un nombre HL7 (REAL, PQ.value) : pas de virgule, pas d'espace, exposant borné.
_NOMBRE: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,2})?")
_VALEUR_MAX: Final = Decimal("1e15")
STATUTS_ANNULES: Final = frozenset({"aborted", "cancelled", "nullified", "obsolete"})


class Genre:
    """Ce qu'est une valeur : un nombre (tracé), un code, un texte, un intervalle."""

    NOMBRE = "nombre"
    CODE = "code"
    TEXTE = "texte"


@dataclass(frozen=True)
class Observation:
    """Un résultat lu. ``valeur`` est le texte du nombre tel qu'écrit (``"1.950"``) pour un
    nombre, le libellé du code ou le texte sinon ; ``bas``/``haut`` bornent la référence,
    dans l'unité du résultat."""

    rang: int
    code: str
    libelle: str
    genre: str
    valeur: str
    unite: str = ""
    bas: str = ""
    haut: str = ""
    reference: str = ""  # l'intervalle en texte, quand il n'est pas numérique
    interpretation: str = ""  # code HL7 ObservationInterpretation : H, L, N, HH, LL, A…
    methode: str = ""
    prelevement: str = ""
    date: dt.date | None = None


@dataclass(frozen=True)
class Ignoree:
    """Une observation écartée : son rang, de quoi la reconnaître, pourquoi."""

    rang: int
    code: str
    libelle: str
    motif: str


@dataclass(frozen=True)
class LectureObservations:
    observations: tuple[Observation, ...] = ()
    ignorees: tuple[Ignoree, ...] = ()
    motifs: dict[str, int] = field(default_factory=dict)


def contient_des_resultats(donnees: bytes) -> bool:
    """Un test rapide sur les octets : le document porte-t-il une entrée de biologie ?"""
    return any(marque in donnees for marque in MARQUES)


def observations_biologie(
    donnees: bytes, *, date_document: dt.date | None = None, aujourd_hui: dt.date | None = None
) -> LectureObservations:
    """Les résultats de biologie du document (``CDAInvalide`` s'il n'est pas un CDA lisible).
    ``date_document`` sert aux observations sans date ; une date après ``aujourd_hui`` (plus un
    jour, pour les fuseaux) est impossible."""
    return lire_observations(
        analyser(donnees), date_document=date_document, aujourd_hui=aujourd_hui
    )


def lire_observations(
    racine: Any, *, date_document: dt.date | None = None, aujourd_hui: dt.date | None = None
) -> LectureObservations:
    """``observations_biologie`` sur un document déjà analysé."""
    limite = (aujourd_hui or dt.date.today()) + dt.timedelta(days=1)
    identifiants = _textes_references(racine)
    lues: list[Observation] = []
    ignorees: list[Ignoree] = []
    trouvees = [
        trouvee
        for entree in racine.iterfind(f".//{H}entry")
        if (acte := entree.find(H + "act")) is not None
        and (_modeles(entree) | _modeles(acte)) & MODELES_ENTREE_BIOLOGIE
        for trouvee in _observations(acte, _prelevement(acte))
    ]
    if len(trouvees) > OBSERVATIONS_MAX:
        ignorees.append(Ignoree(OBSERVATIONS_MAX + 1, "", "", "trop de résultats dans le document"))
    for rang, (element, prelevement) in enumerate(trouvees[:OBSERVATIONS_MAX], start=1):
        contexte = _Contexte(identifiants, date_document, limite, prelevement)
        try:
            lues.append(_observation(element, rang, contexte))
        except _Ecart as ecart:
            ignorees.append(Ignoree(rang, ecart.code, ecart.libelle, ecart.motif))
    ignorees.sort(key=lambda ignoree: ignoree.rang)
    motifs: dict[str, int] = {}
    for ignoree in ignorees:
        motifs[ignoree.motif] = motifs.get(ignoree.motif, 0) + 1
    return LectureObservations(tuple(lues), tuple(ignorees), motifs)


# --- Parcours ----------------------------------------------------------------------------------


def _modeles(element: Any) -> set[str]:
    return {attr(modele, "root") for modele in element.iterfind(H + "templateId")}


def _textes_references(racine: Any) -> dict[str, str]:
    """Le texte de chaque élément du narratif qui porte un ``ID`` (``<content ID="r1">``) :
    ce que désignent les ``originalText/reference``."""
    return {
        identifiant: texte_de(element)
        for element in racine.iter()
        if (identifiant := element.get("ID")) and nom_local(element) != "observationMedia"
    }


def _prelevement(element: Any) -> str:
    """Le prélèvement (``specimen``) porté par un acte, une batterie ou une observation."""
    for specimen in element.iterfind(H + "specimen"):
        entite = specimen.find(f"{H}specimenRole/{H}specimenPlayingEntity/{H}code")
        if entite is not None:
            texte = attr(entite, "displayName") or texte_de(entite.find(H + "originalText"))
            if texte or attr(entite, "code"):
                return (texte or attr(entite, "code"))[:LIBELLE_MAX]
    return ""


def _observations(parent: Any, prelevement: str) -> list[tuple[Any, str]]:
    """Les observations d'un acte ou d'une batterie, dans l'ordre du document, avec le
    prélèvement le plus proche."""
    trouvees: list[tuple[Any, str]] = []
    for lien in parent:
        if nom_local(lien) not in {"entryRelationship", "component"}:
            continue
        for enfant in lien:
            nom = nom_local(enfant)
            if nom == "observation" and attr(enfant, "moodCode") in {"", "EVN"}:
                trouvees.append((enfant, _prelevement(enfant) or prelevement))
            elif nom == "organizer":
                trouvees += _observations(enfant, _prelevement(enfant) or prelevement)
    return trouvees


# --- Une observation ---------------------------------------------------------------------------


class _Ecart(Exception):
    def __init__(self, motif: str, code: str = "", libelle: str = "") -> None:
        super().__init__(motif)
        self.motif, self.code, self.libelle = motif, code, libelle


@dataclass(frozen=True)
class _Contexte:
    identifiants: dict[str, str]
    date_document: dt.date | None
    limite: dt.date
    prelevement: str


def _texte_original(element: Any, identifiants: dict[str, str]) -> str:
    """Le texte d'un ``originalText`` : le sien, ou celui du narratif qu'il désigne."""
    original = element.find(H + "originalText") if element is not None else None
    if original is None:
        return ""
    reference = attr(original.find(H + "reference"), "value")
    if reference.startswith("#"):
        return identifiants.get(reference[1:], "")
    return texte_de(original)


def _nombre(texte: str) -> Decimal | None:
    if not _NOMBRE.fullmatch(texte):
        return None
    try:
        nombre = Decimal(texte)
    except InvalidOperation:
        return None
    return nombre if nombre.is_finite() and abs(nombre) < _VALEUR_MAX else None


def _code_loinc(code_element: Any) -> Any:
    """The LOINC coding of an observation: its ``code``, or a ``translation`` of a local code."""
    if code_element is None or attr(code_element, "codeSystem") in {OID_LOINC, ""}:
        return code_element
    for traduction in code_element.iterfind(H + "translation"):
        if attr(traduction, "codeSystem") == OID_LOINC and attr(traduction, "code"):
            return traduction
    return None


def _observation(element: Any, rang: int, contexte: _Contexte) -> Observation:
    code_local = element.find(H + "code")
    code_element = _code_loinc(code_local)
    code = attr(code_element, "code")[:32]
    libelle = (
        _texte_original(code_local, contexte.identifiants)
        or attr(code_local, "displayName")
        or attr(code_element, "displayName")
        or code
    )[:LIBELLE_MAX]
    if not code:
        raise _Ecart("analyse sans code LOINC", attr(code_local, "code")[:32], libelle)
    if attr(element.find(H + "statusCode"), "code") in STATUTS_ANNULES:
        raise _Ecart("analyse annulée ou non réalisée", code, libelle)
    try:
        genre, valeur, unite = _valeur(element.find(H + "value"), contexte.identifiants)
        bas, haut, reference = _reference(element, unite)
        date = _date(element, contexte)
    except _Ecart as ecart:
        raise _Ecart(ecart.motif, code, libelle) from None
    return Observation(
        rang=rang,
        code=code,
        libelle=libelle,
        genre=genre,
        valeur=valeur,
        unite=unite,
        bas=bas,
        haut=haut,
        reference=reference,
        interpretation=attr(element.find(H + "interpretationCode"), "code")[:8],
        methode=_methode(element, contexte.identifiants),
        prelevement=_prelevement(element) or contexte.prelevement,
        date=date,
    )


def _type(valeur: Any) -> str:
    return attr(valeur, XSI_TYPE).rpartition(":")[2].upper()


def _unite(texte: str) -> str:
    unite = texte or "1"
    try:
        return ucum.forme_canonique(unite)
    except ucum.UniteInconnue:
        raise _Ecart(f"unité inconnue « {unite[:40]} »") from None


def _valeur(valeur: Any, identifiants: dict[str, str]) -> tuple[str, str, str]:
    """(genre, valeur, unité) ; ``_Ecart`` si la valeur manque ou ne se lit pas."""
    if valeur is None or attr(valeur, "nullFlavor"):
        raise _Ecart("valeur absente")
    genre = _type(valeur)
    if not genre and attr(valeur, "value"):  # no xsi:type: a quantity, as PQ is the usual
        genre = "PQ"
    if genre in {"PQ", "REAL", "INT"}:
        brut = attr(valeur, "value")
        if not brut:
            raise _Ecart("valeur absente")
        nombre = _nombre(brut)
        if nombre is None or (genre == "INT" and nombre != nombre.to_integral_value()):
            raise _Ecart(f"valeur non numérique « {brut[:40]} »")
        return Genre.NOMBRE, brut, _unite(attr(valeur, "unit")) if genre == "PQ" else "1"
    if genre in {"CD", "CE", "CV", "CO"}:
        texte = (
            attr(valeur, "displayName")
            or _texte_original(valeur, identifiants)
            or attr(valeur, "code")
        )
        if not texte:
            raise _Ecart("valeur absente")
        return Genre.CODE, texte[:TEXTE_MAX], ""
    if genre in {"ST", "ED", ""}:
        texte = texte_de(valeur)
        if not texte:
            raise _Ecart("valeur absente")
        return Genre.TEXTE, texte[:TEXTE_MAX], ""
    if genre == "BL":
        booleen = attr(valeur, "value")
        if booleen not in {"true", "false"}:
            raise _Ecart("valeur absente")
        return Genre.TEXTE, "oui" if booleen == "true" else "non", ""
    if genre in {"IVL_PQ", "RTO", "RTO_PQ_PQ", "RTO_INT_INT"}:
        return Genre.TEXTE, _intervalle_ou_rapport(valeur, genre), ""
    raise _Ecart(f"type de valeur non pris en charge ({genre[:20]})")


def _intervalle_ou_rapport(valeur: Any, genre: str) -> str:
    """``< 0.5 g/L``, ``> 60``, ``1/64`` : un texte (ni tracé, ni converti)."""

    def borne(nom: str) -> str:
        element = valeur.find(H + nom)
        brut = attr(element, "value")
        if not brut:
            return ""
        if _nombre(brut) is None:
            raise _Ecart(f"valeur non numérique « {brut[:40]} »")
        unite = _unite(attr(element, "unit")) if attr(element, "unit") else ""
        lisible = ucum.unite_lisible(unite)
        return f"{brut} {lisible}".strip()

    if genre.startswith("RTO"):
        numerateur, denominateur = borne("numerator"), borne("denominator")
        if not numerateur or not denominateur:
            raise _Ecart("valeur absente")
        return f"{numerateur}/{denominateur}"
    bas, haut = borne("low"), borne("high")
    if bas and haut:
        return f"{bas} – {haut}"
    if bas or haut:
        return f"> {bas}" if bas else f"< {haut}"
    raise _Ecart("valeur absente")


def _reference(element: Any, unite: str) -> tuple[str, str, str]:
    """L'intervalle de référence normal : (bas, haut) dans l'unité du résultat quand il est
    numérique et convertible, et son texte sinon. Un intervalle illisible est omis (le
    résultat reste)."""
    for intervalle in element.iterfind(f"{H}referenceRange/{H}observationRange"):
        interpretation = attr(intervalle.find(H + "interpretationCode"), "code")
        if interpretation not in {"", "N"}:
            continue
        texte = texte_de(intervalle.find(H + "text"))[:TEXTE_MAX]
        valeur = intervalle.find(H + "value")
        if valeur is None or _type(valeur) != "IVL_PQ" or not unite:
            return "", "", texte
        bornes = []
        for nom in ("low", "high"):
            borne = valeur.find(H + nom)
            nombre = _nombre(attr(borne, "value"))
            if nombre is None or attr(borne, "nullFlavor"):
                bornes.append("")
                continue
            facteur = ucum.facteur_de_conversion(attr(borne, "unit") or "1", unite)
            if facteur is None:
                return "", "", texte
            bornes.append(_texte_decimal(nombre * facteur))
        return bornes[0], bornes[1], texte
    return "", "", ""


def _texte_decimal(nombre: Decimal) -> str:
    return f"{nombre.normalize():f}"


def _date(element: Any, contexte: _Contexte) -> dt.date:
    temps = element.find(H + "effectiveTime")
    brut = attr(temps, "value") or attr(
        temps.find(H + "low") if temps is not None else None, "value"
    )
    if not brut:
        if contexte.date_document is None:
            raise _Ecart("date absente")
        return contexte.date_document
    jour = date_cda(brut)
    if jour is None and brut.isdigit() and len(brut) < 8:
        raise _Ecart(f"date incomplète « {brut[:30]} »")
    if jour is None or jour < DATE_MIN:
        raise _Ecart(f"date impossible « {brut[:30]} »")
    if jour > contexte.limite:
        raise _Ecart(f"date dans le futur « {brut[:30]} »")
    return jour


def _methode(element: Any, identifiants: dict[str, str]) -> str:
    methode = element.find(H + "methodCode")
    if methode is None:
        return ""
    return (
        attr(methode, "displayName")
        or _texte_original(methode, identifiants)
        or attr(methode, "code")
    )[:LIBELLE_MAX]
