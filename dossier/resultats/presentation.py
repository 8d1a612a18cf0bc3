"""The Résultats pages' content, ready to show, for the holder's pages and the
professional's alike (the links differ: ``Liens``): the list of analyses with their latest
value and flag, and one analysis' trend — values in one unit where UCUM allows
(``formats/ucum.py``'s table), a chart per group of comparable values drawn by
``espace_sante/lib/graphiques.py`` with the reference band, a mark where the unit or the
method changed, each point linking to its source document, and the values as a table."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from espace_sante.acces import Acces
from espace_sante.lib.graphiques import Courbe, Releve, courbe

from ..formats import ucum
from ..formats.cda.observations import Genre
from ..models import Document
from .selectors import Derniere, Lu, dernieres_valeurs_lues, resultats_analyse

# An interpretation (HL7 ObservationInterpretation) in words, and which way it leaves the
# norm: "haut", "bas", "anormal", or "" (within it, or not a matter of norm).
INTERPRETATIONS = {
    "N": ("normal", ""),
    "H": ("élevé", "haut"),
    "HH": ("très élevé", "haut"),
    "HU": ("très élevé", "haut"),
    ">": ("au-dessus du seuil mesurable", "haut"),
    "L": ("bas", "bas"),
    "LL": ("très bas", "bas"),
    "LU": ("très bas", "bas"),
    "<": ("sous le seuil mesurable", "bas"),
    "A": ("anormal", "anormal"),
    "AA": ("très anormal", "anormal"),
    "POS": ("positif", ""),
    "NEG": ("négatif", ""),
    "DET": ("détecté", ""),
    "ND": ("non détecté", ""),
    "IND": ("indéterminé", ""),
    "S": ("sensible", ""),
    "I": ("intermédiaire", ""),
    "R": ("résistant", ""),
}
ZERO = uuid.UUID(int=0)


@dataclass(frozen=True)
class Liens:
    """Where the pages link: a document's page and an analysis' trend page, from one reversed
    address each (reversing one per row costs more than the rest of a row)."""

    document: str  # with the zero uuid in place of the document's
    analyse: str  # with ANALYSE_ZERO in place of the analysis' key

    def vers_document(self, document: Document) -> str:
        return self.document.replace(str(ZERO), str(document.uuid))

    def vers_analyse(self, analyse: str) -> str:
        return self.analyse.replace(ANALYSE_ZERO, analyse)


ANALYSE_ZERO = "0" * 64


def nombre_fr(nombre: Decimal | float | None) -> str:
    """``1.950`` → ``1,950`` (as written), ``0.0120`` → ``0,012`` for a computed one."""
    if nombre is None:
        return ""
    if isinstance(nombre, float):
        nombre = Decimal(repr(nombre))
    texte = f"{nombre:f}"
    return texte.replace("-", "\u2212").replace(".", ",")


def _arrondi(nombre: Decimal) -> Decimal:
    """A converted value, to 4 significant digits (a conversion adds no precision)."""
    if not nombre:
        return Decimal(0)
    chiffres = nombre.adjusted() - 3
    return nombre.quantize(Decimal(1).scaleb(min(chiffres, 0))).normalize()


@dataclass(frozen=True)
class Etat:
    """The flag of a result: words, and whether it is out of the norm (and which way)."""

    libelle: str
    sens: str  # "haut", "bas", "anormal", ""

    @property
    def hors_normes(self) -> bool:
        return bool(self.sens)

    @property
    def texte(self) -> str:
        """What the page writes: "Hors normes : élevé", "normal", or a dash."""
        if self.sens:
            return _("Hors normes : %(etat)s") % {"etat": self.libelle}
        return self.libelle or "—"


def etat(resultat: Lu) -> Etat:
    """The laboratory's interpretation; without one, the number against its range."""
    if resultat.interpretation:
        libelle, sens = INTERPRETATIONS.get(resultat.interpretation, (resultat.interpretation, ""))
        return Etat(libelle, sens)
    if resultat.nombre is not None:
        if resultat.haut is not None and resultat.nombre > resultat.haut:
            return Etat(_("au-dessus de la référence"), "haut")
        if resultat.bas is not None and resultat.nombre < resultat.bas:
            return Etat(_("en dessous de la référence"), "bas")
        if resultat.bas is not None or resultat.haut is not None:
            return Etat(_("dans la référence"), "")
    return Etat("", "")


def valeur_lisible(resultat: Lu) -> str:
    """The value with its unit, as the laboratory wrote it (a number keeps its digits)."""
    if resultat.genre != Genre.NOMBRE:
        return resultat.valeur
    unite = ucum.unite_lisible(resultat.unite)
    return f"{nombre_fr(resultat.nombre)}\u00a0{unite}".strip()


def reference_lisible(resultat: Lu, facteur: Decimal = Decimal(1), unite: str = "") -> str:
    """The reference range in words (converted by ``facteur`` into ``unite``)."""
    unite = ucum.unite_lisible(unite or resultat.unite)
    bas = _arrondi(resultat.bas * facteur) if resultat.bas is not None else None
    haut = _arrondi(resultat.haut * facteur) if resultat.haut is not None else None
    if bas is not None and haut is not None:
        return f"{nombre_fr(bas)} – {nombre_fr(haut)} {unite}".strip()
    if haut is not None:
        return f"< {nombre_fr(haut)} {unite}".strip()
    if bas is not None:
        return f"> {nombre_fr(bas)} {unite}".strip()
    return resultat.reference


# --- The list of analyses ----------------------------------------------------------------------


@dataclass(frozen=True)
class LigneAnalyse:
    libelle: str
    valeur: str
    date: object
    etat: Etat
    nombre: int
    url: str
    document_url: str
    secret: bool

    @property
    def source(self) -> str:
        """The source link's words for a screen reader (the link itself says "Document")."""
        return _("source du dernier résultat de %(analyse)s") % {"analyse": self.libelle}


def analyses(dernieres: list[Derniere], liens: Liens) -> list[LigneAnalyse]:
    """One row per analysis, by name; out-of-norm ones say so."""
    lignes = [
        LigneAnalyse(
            libelle=d.resultat.libelle,
            valeur=valeur_lisible(d.resultat),
            date=d.resultat.date,
            etat=etat(d.resultat),
            nombre=d.nombre,
            url=liens.vers_analyse(d.resultat.analyse),
            document_url=liens.vers_document(d.resultat.document),
            secret=d.resultat.document.invisible_representants,
        )
        for d in dernieres
    ]
    return sorted(lignes, key=lambda ligne: (ligne.libelle.casefold(), ligne.libelle))


# --- One analysis' trend -----------------------------------------------------------------------


@dataclass(frozen=True)
class LigneTableau:
    date: object
    valeur: str
    convertie: str  # the value in the chart's unit, when it was converted
    reference: str
    etat: Etat
    methode: str
    prelevement: str
    document_url: str
    marque: str  # what changed since the previous value of its chart


@dataclass
class Groupe:
    """Comparable values (one unit, or units the table converts into each other), drawn on
    one chart in the unit of the latest of them."""

    unite: str
    resultats: list[Lu] = field(default_factory=list)
    facteurs: list[Decimal] = field(default_factory=list)


@dataclass(frozen=True)
class Tendance:
    libelle: str
    code: str
    graphiques: list[tuple[Courbe, str]]  # the chart, and its unit in words
    lignes: list[LigneTableau]
    separes: bool  # values in units that do not convert: drawn apart
    dernier: Lu


def _groupes(numeriques: list[Lu]) -> list[Groupe]:
    """The values grouped by convertible unit, the group of the latest value first; each
    value with its factor into its group's unit (that of the group's latest value)."""
    groupes: list[Groupe] = []
    for resultat in reversed(numeriques):  # latest first: it sets its group's unit
        for groupe in groupes:
            facteur = ucum.facteur_de_conversion(resultat.unite, groupe.unite)
            if facteur is not None:
                groupe.resultats.append(resultat)
                groupe.facteurs.append(facteur)
                break
        else:
            groupes.append(Groupe(resultat.unite, [resultat], [Decimal(1)]))
    for groupe in groupes:
        groupe.resultats.reverse()
        groupe.facteurs.reverse()
    return groupes


def _marque(precedent: Lu | None, resultat: Lu) -> str:
    if precedent is None:
        return ""
    changements = []
    if precedent.unite != resultat.unite:
        changements.append(
            _("unité : %(avant)s → %(apres)s")
            % {
                "avant": ucum.unite_lisible(precedent.unite) or "—",
                "apres": ucum.unite_lisible(resultat.unite) or "—",
            }
        )
    if precedent.methode != resultat.methode:
        changements.append(
            _("méthode : %(avant)s → %(apres)s")
            % {"avant": precedent.methode or "—", "apres": resultat.methode or "—"}
        )
    return " ; ".join(changements)


def _bande(groupe: Groupe, valeurs: list[float]) -> tuple[float, float] | None:
    """The reference range of the group's latest value, in the group's unit."""
    dernier, facteur = groupe.resultats[-1], groupe.facteurs[-1]
    bas = float(dernier.bas * facteur) if dernier.bas is not None else None
    haut = float(dernier.haut * facteur) if dernier.haut is not None else None
    if bas is not None and haut is not None:
        return (bas, haut) if bas <= haut else None
    if haut is not None:
        return (min(0.0, *valeurs), haut)
    if bas is not None:
        return (bas, max(bas, *valeurs))
    return None


def _graphique(groupe: Groupe, libelle: str, liens: Liens) -> Courbe:
    unite = ucum.unite_lisible(groupe.unite)
    valeurs = [
        float(r.nombre * f)
        for r, f in zip(groupe.resultats, groupe.facteurs, strict=True)
        if r.nombre is not None
    ]
    releves, marques = [], []
    precedent: Lu | None = None
    for rang, (resultat, facteur) in enumerate(zip(groupe.resultats, groupe.facteurs, strict=True)):
        assert resultat.nombre is not None
        converti = resultat.nombre if facteur == 1 else _arrondi(resultat.nombre * facteur)
        etiquette = etat(resultat).libelle
        releves.append(
            Releve(
                jour=resultat.date,
                valeur=float(converti),
                valeur_basse=None,
                libelle=f"{resultat.date:%d/%m/%Y} : {nombre_fr(converti)} {unite}".strip()
                + (f" ({etiquette})" if etiquette else "")
                + " — "
                + _("ouvrir le document source"),
                lien=liens.vers_document(resultat.document),
            )
        )
        if marque := _marque(precedent, resultat):
            marques.append((rang, marque))
        precedent = resultat
    bande = _bande(groupe, valeurs)
    premier, dernier = groupe.resultats[0].date, groupe.resultats[-1].date
    description = ngettext(
        "%(n)s valeur, le %(debut)s",
        "%(n)s valeurs, du %(debut)s au %(fin)s",
        len(releves),
    ) % {"n": len(releves), "debut": f"{premier:%d/%m/%Y}", "fin": f"{dernier:%d/%m/%Y}"}
    if unite:
        description += _(", en %(unite)s") % {"unite": unite}
    if bande is not None:
        description += _(" ; zone de référence du dernier résultat : %(ref)s") % {
            "ref": reference_lisible(groupe.resultats[-1], groupe.facteurs[-1], groupe.unite)
        }
    if marques:
        description += " ; " + ngettext(
            "%(n)s changement d'unité ou de méthode marqué",
            "%(n)s changements d'unité ou de méthode marqués",
            len(marques),
        ) % {"n": len(marques)}
    return courbe(
        releves,
        reference=bande,
        titre=f"{libelle} ({unite})" if unite else libelle,
        description=description,
        marques=marques,
        unite=unite,
        noms=(libelle, ""),
        positif=min([*valeurs, *(bande or ())]) >= 0,
    )


def tendance(resultats: list[Lu], liens: Liens) -> Tendance:
    """The trend of one analysis (``resultats``: oldest first, at least one)."""
    dernier = resultats[-1]
    numeriques = [r for r in resultats if r.nombre is not None]
    groupes = _groupes(numeriques)
    conversion: dict[int, tuple[Decimal, str, str]] = {}
    for groupe in groupes:
        precedent: Lu | None = None
        for resultat, facteur in zip(groupe.resultats, groupe.facteurs, strict=True):
            conversion[id(resultat)] = (facteur, groupe.unite, _marque(precedent, resultat))
            precedent = resultat
    lignes = []
    for resultat in reversed(resultats):
        facteur, unite, marque = conversion.get(id(resultat), (Decimal(1), resultat.unite, ""))
        convertie = ""
        if resultat.nombre is not None and unite != resultat.unite:
            convertie = (
                f"{nombre_fr(_arrondi(resultat.nombre * facteur))} {ucum.unite_lisible(unite)}"
            )
        lignes.append(
            LigneTableau(
                date=resultat.date,
                valeur=valeur_lisible(resultat),
                convertie=convertie.strip(),
                reference=reference_lisible(resultat),
                etat=etat(resultat),
                methode=resultat.methode,
                prelevement=resultat.prelevement,
                document_url=liens.vers_document(resultat.document),
                marque=marque,
            )
        )
    return Tendance(
        libelle=dernier.libelle,
        code=dernier.code,
        graphiques=[
            (_graphique(groupe, dernier.libelle, liens), ucum.unite_lisible(groupe.unite))
            for groupe in groupes
        ],
        lignes=lignes,
        separes=len(groupes) > 1,
        dernier=dernier,
    )


def secret_montre(resultats: list[Lu]) -> Document | None:
    """A minor's secret document among those whose values are shown (the journal marks the
    reading so: ``marque_secret``)."""
    return next((r.document for r in resultats if r.document.invisible_representants), None)


# --- The pages' contexts (the holder's views and the professional's) ---------------------------

ANALYSE_VALIDE = frozenset("0123456789abcdef")


def contexte_liste(*, acces: Acces, liens: Liens) -> tuple[dict[str, Any], Document | None]:
    """The list page's context, and a minor's secret document among those shown (for the
    journal). Queries: one whatever the number of results (none when the patient's side finds
    it in the cache)."""
    dernieres = dernieres_valeurs_lues(acces=acces)
    lignes = analyses(dernieres, liens)
    return (
        {
            "acces": acces,
            "analyses": lignes,
            "hors_normes": sum(1 for ligne in lignes if ligne.etat.hors_normes),
        },
        secret_montre([d.resultat for d in dernieres]),
    )


def contexte_analyse(
    *, acces: Acces, analyse: str, liens: Liens
) -> tuple[dict[str, Any], Document | None]:
    """One analysis' page context (404 when the reader sees none of its results), and a
    minor's secret document among those shown. Queries: one."""
    if len(analyse) != 64 or not set(analyse) <= ANALYSE_VALIDE:
        raise Http404
    resultats = resultats_analyse(acces=acces, analyse=analyse)
    if not resultats:
        raise Http404
    return (
        {"acces": acces, "tendance": tendance(resultats, liens), "analyse": analyse},
        secret_montre(resultats),
    )
