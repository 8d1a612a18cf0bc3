"""Les vaccinations codées d'un document CDA R2 : note de vaccination (VAC-NOTE), historique
de remboursements (CNAM-HR), et toute section « Historique des vaccinations » d'un autre
document (DESIGN.md §6 et §8). Module pur : ni Django, ni base.

Une vaccination est un ``substanceAdministration`` réalisé (``moodCode="EVN"``, pas de
``negationInd="true"``, statut absent ou ``completed``) qui porte un modèle d'entrée
« vaccination » (IHE PCC Immunizations, FR-Vaccination du CI-SIS, C-CDA Immunization Activity)
ou qui est une entrée directe d'une section de vaccinations (modèles IHE, CCD, CI-SIS, C-CDA,
ou code LOINC 11369-6). Les vaccins recommandés (``moodCode="INT"``) et les traitements
d'une autre section ne sont pas des vaccinations.

De chacune : le vaccin (codes ATC, CIS, CIP et nom du produit, rangés dans une famille par
``profil.codes_vaccins``), la date d'injection, le numéro de lot, le rang de la dose, le rappel
(``code="BOOSTER"``), la personne qui a vacciné. Une vaccination sans date, à la date
impossible (invalide, incomplète, avant la naissance, après le document) ou au vaccin inconnu
n'est pas reprise : une phrase en français le dit, que la page du document montre.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from espace_sante.lib.logging import erreur_sans_contenu
from profil.codes_vaccins import OID_ATC, OID_ATC_CNAM, CodeLu, VaccinationLue, famille_de

from .analyse import H, analyser, attr, texte_de
from .lecture import nom_affiche

__all__ = ["Immunisations", "immunisations_de", "lire_immunisations", "peut_contenir"]

MODELES_ENTREE: Final = frozenset(
    {
        "1.3.6.1.4.1.19376.1.5.3.1.4.12",  # IHE PCC Immunizations
        "1.2.250.1.213.1.1.3.45",  # FR-Vaccination (CI-SIS)
        "2.16.840.1.113883.10.20.22.4.52",  # C-CDA Immunization Activity
    }
)
MODELES_SECTION: Final = frozenset(
    {
        "1.3.6.1.4.1.19376.1.5.3.1.3.23",  # IHE PCC Immunizations Section
        "2.16.840.1.113883.10.20.1.6",  # CCD Immunizations Section
        "1.2.250.1.213.1.1.2.147",  # FR-Vaccinations (CI-SIS)
        "2.16.840.1.113883.10.20.22.2.2",  # C-CDA Immunizations Section
        "2.16.840.1.113883.10.20.22.2.2.1",  # … entries required
    }
)
CODE_SECTION: Final = "11369-6"  # LOINC « Historique des vaccinations »
CODE_RANG: Final = "30973-2"  # LOINC « Rang de la vaccination » (numéro de la dose)
STATUTS_ECARTES: Final = frozenset({"aborted", "cancelled", "nullified", "held", "suspended"})

logger = logging.getLogger(__name__)
ILLISIBLES: Final = (
    "Les vaccinations de ce document n'ont pas pu être lues : elles ne sont pas reprises dans le "
    "carnet de vaccination."
)

# Des bornes pour un document hostile : au-delà, le reste est signalé, pas lu.
VACCINATIONS_MAX: Final = 500
ANOMALIES_MAX: Final = 30

_MARQUEURS: Final = tuple(sorted(MODELES_ENTREE | MODELES_SECTION | {CODE_SECTION}))
_MARQUEURS_OCTETS: Final = {
    codec: tuple(m.encode(codec) for m in _MARQUEURS)
    for codec in ("ascii", "utf-16-le", "utf-16-be")
}
# Un horodatage HL7 (TS) : année, mois et jour (chacun peut manquer), heure, fuseau.
_HORODATAGE = re.compile(
    r"([0-9]{4})([0-9]{2})?([0-9]{2})?(?:[0-9]{2,6}(?:\.[0-9]{1,6})?)?(?:[+-][0-9]{2,4})?"
)


@dataclass(frozen=True)
class Immunisations:
    """Ce que le document dit des vaccinations : celles à reprendre dans le carnet, et une
    phrase par vaccination écartée."""

    vaccinations: tuple[VaccinationLue, ...] = ()
    anomalies: tuple[str, ...] = field(default=())

    def faits(self) -> dict[str, Any]:
        """Pour les faits du document (la page du document les montre)."""
        return {"reprises": len(self.vaccinations), "ignorees": list(self.anomalies)}


def peut_contenir(donnees: bytes) -> bool:
    """Un tri rapide avant toute analyse : le document nomme-t-il un modèle ou une section de
    vaccination (dans un encodage compatible ASCII ou en UTF-16) ?"""
    debut = donnees[:4]
    if debut.startswith(b"\xff\xfe"):
        codec = "utf-16-le"
    elif debut.startswith(b"\xfe\xff"):
        codec = "utf-16-be"
    elif b"\x00" in debut:  # UTF-16 sans marque (l'analyse refuse l'UTF-32) : « <\0 » ou « \0< »
        codec = "utf-16-le" if debut[1:2] == b"\x00" else "utf-16-be"
    else:
        codec = "ascii"
    return any(marqueur in donnees for marqueur in _MARQUEURS_OCTETS[codec])


def lire_immunisations(
    donnees: bytes, *, naissance: date | None, jusqu_au: date, racine: Any = None
) -> Immunisations | None:
    """Les vaccinations d'un document CDA (``None`` s'il n'en contient aucune). ``naissance``
    et ``jusqu_au`` bornent les dates possibles. Ne lève rien : un document que ``lire_cda`` a
    lu mais dont les vaccinations ne se lisent pas le dit (``ILLISIBLES``). ``racine`` : l'arbre
    déjà analysé de ces octets, s'il l'est (il n'est alors pas analysé de nouveau)."""
    if not peut_contenir(donnees):
        return None
    try:
        if racine is None:
            racine = analyser(donnees)
        return immunisations_de(racine, naissance=naissance, jusqu_au=jusqu_au)
    except Exception:  # le document a été lu : une faute ici ne doit pas le refuser, juste se dire
        erreur_sans_contenu(logger, "lecture des vaccinations impossible")
        return Immunisations(anomalies=(ILLISIBLES,))


def immunisations_de(
    racine: Any, *, naissance: date | None, jusqu_au: date
) -> Immunisations | None:
    """Les vaccinations d'un document déjà analysé (``analyse.analyser``)."""
    entrees = list(_entrees(racine))
    if not entrees:
        return None
    textes = _Textes(racine)
    lues: dict[tuple[str, date], VaccinationLue] = {}
    anomalies: list[str] = []
    ecartees = 0
    for rang, entree in enumerate(entrees):
        if rang >= VACCINATIONS_MAX:
            ecartees += len(entrees) - rang
            break
        resultat = _vaccination(entree, textes, naissance=naissance, jusqu_au=jusqu_au)
        if isinstance(resultat, str):
            if len(anomalies) < ANOMALIES_MAX:
                anomalies.append(resultat)
            else:
                ecartees += 1
        else:  # le même vaccin le même jour, écrit deux fois : une seule vaccination
            lues.setdefault((resultat.famille, resultat.date), resultat)
    if ecartees:
        anomalies.append(
            "Vaccinations de ce document non reprises dans le carnet de vaccination : "
            f"{ecartees} (le document en contient trop, ou trop d'erreurs)."
        )
    return Immunisations(vaccinations=tuple(lues.values()), anomalies=tuple(anomalies))


# --- Trouver les vaccinations ----------------------------------------------------------------


def _modeles(element: Any) -> set[str]:
    return {attr(modele, "root") for modele in element.iterfind(H + "templateId")}


def _est_section_vaccins(section: Any) -> bool:
    return attr(section.find(H + "code"), "code") == CODE_SECTION or not _modeles(
        section
    ).isdisjoint(MODELES_SECTION)


def _entrees(racine: Any) -> Iterator[Any]:
    """Chaque ``substanceAdministration`` qui est une vaccination réalisée, une fois chacune,
    dans l'ordre du document."""
    # The elements are kept alive while their ids are compared: lxml makes a Python proxy per
    # element on access and frees it when unreferenced, and a later proxy may take the freed
    # address — a set of bare ids let an unrelated entry pass as a vaccination now and then.
    elements_directs = [
        administration
        for section in racine.iter(H + "section")
        if _est_section_vaccins(section)
        for administration in section.iterfind(f"{H}entry/{H}substanceAdministration")
    ]
    directes = {id(administration) for administration in elements_directs}
    for administration in racine.iter(H + "substanceAdministration"):
        if id(administration) not in directes and _modeles(administration).isdisjoint(
            MODELES_ENTREE
        ):
            continue
        if attr(administration, "moodCode") not in ("", "EVN"):
            continue  # recommandée, prévue : pas faite
        if attr(administration, "negationInd").lower() == "true":
            continue  # notée comme non faite
        statut = attr(administration.find(H + "statusCode"), "code").lower()
        if statut in STATUTS_ECARTES:
            continue
        yield administration


class _Textes:
    """Les textes du bloc narratif désignés par ``<reference value="#id"/>``, indexés à la
    première demande (l'analyseur ne collecte pas les ``ID``)."""

    def __init__(self, racine: Any) -> None:
        self._racine = racine
        self._index: dict[str, str] | None = None

    def de(self, element: Any) -> str:
        """Le texte d'un ``originalText`` ou d'un ``text`` : sa référence, sinon son contenu."""
        if element is None:
            return ""
        reference = attr(element.find(H + "reference"), "value")
        if reference.startswith("#"):
            if self._index is None:
                self._index = {}
                for noeud in self._racine.iter():
                    identifiant = noeud.get("ID") if isinstance(noeud.tag, str) else None
                    if identifiant and identifiant not in self._index:
                        self._index[identifiant] = texte_de(noeud)
            texte = self._index.get(reference[1:], "")
            if texte:
                return texte
        return texte_de(element)


# --- Lire une vaccination --------------------------------------------------------------------


def _codes(element_code: Any) -> list[CodeLu]:
    if element_code is None:
        return []
    codes = [element_code, *element_code.iterfind(H + "translation")]
    return [
        CodeLu(attr(c, "codeSystem"), attr(c, "code"), attr(c, "displayName"))
        for c in codes
        if attr(c, "code")
    ]


def _texte_court(texte: str, longueur: int) -> str:
    texte = " ".join(texte.split())
    return texte if len(texte) <= longueur else texte[: longueur - 1].rstrip() + "…"


def _vaccination(
    administration: Any, textes: _Textes, *, naissance: date | None, jusqu_au: date
) -> VaccinationLue | str:
    """La vaccination, ou la phrase qui dit pourquoi elle n'est pas reprise."""
    materiel = administration.find(f"{H}consumable/{H}manufacturedProduct/{H}manufacturedMaterial")
    element_code = materiel.find(H + "code") if materiel is not None else None
    codes = _codes(element_code)
    # Le nom du produit : le libellé d'un code de produit (CIS, CIP) avant ``name``, que les
    # exemples du CI-SIS remplissent parfois de la classe ATC ; le libellé d'une classe après.
    libelle = attr(element_code, "displayName")
    classe = attr(element_code, "codeSystem") in (OID_ATC, OID_ATC_CNAM)
    noms = [
        "" if classe else libelle,
        texte_de(materiel.find(H + "name")) if materiel is not None else "",
        textes.de(element_code.find(H + "originalText")) if element_code is not None else "",
        *(code.libelle for code in codes),
        textes.de(administration.find(H + "text")),
    ]
    produit = next((nom for nom in noms if nom), "")
    quoi = f"La vaccination « {_texte_court(produit, 80)} »" if produit else "Une vaccination"

    jour, probleme = _date(_horodatage(administration), naissance=naissance, jusqu_au=jusqu_au)
    if jour is None:
        return f"{quoi} : {probleme}. Elle n'est pas reprise dans le carnet de vaccination."
    if not codes and not produit:
        return (
            f"Une vaccination du {jour:%d/%m/%Y} ne nomme aucun vaccin. "
            "Elle n'est pas reprise dans le carnet de vaccination."
        )
    famille = famille_de(codes, noms)
    if famille is None:
        nommes = ", ".join(str(code) for code in codes[:3])
        return (
            f"{quoi} du {jour:%d/%m/%Y}"
            + (f" (code {nommes})" if nommes else "")
            + " : ce vaccin n'est pas reconnu. Elle n'est pas reprise dans le carnet de "
            "vaccination."
        )
    return VaccinationLue(
        famille=famille,
        date=jour,
        produit=_texte_court(produit, 200),
        code=str(codes[0])[:100] if codes else "",
        lot=_texte_court(_lot(materiel), 50),
        rang=_rang(administration),
        rappel=attr(administration.find(H + "code"), "code").upper() == "BOOSTER",
        vaccinateur=_texte_court(_vaccinateur(administration), 200),
    )


def _horodatage(administration: Any) -> str:
    for moment in administration.iterfind(H + "effectiveTime"):
        for element in (moment, moment.find(H + "center"), moment.find(H + "low")):
            valeur = attr(element, "value")
            if valeur:
                return valeur
    return ""


def _date(valeur: str, *, naissance: date | None, jusqu_au: date) -> tuple[date | None, str]:
    """(la date, "") ou (None, ce qui ne va pas, en français)."""
    if not valeur:
        return None, "la date d'injection manque"
    lue = _HORODATAGE.fullmatch(valeur)
    if lue is None:
        return None, f"la date d'injection est illisible ({_texte_court(valeur, 30)})"
    annee, mois, jour = lue.group(1), lue.group(2), lue.group(3)
    if mois is None or jour is None:
        ecrite = f"{mois}/{annee}" if mois else annee
        return None, f"la date d'injection est incomplète ({ecrite} : il manque le jour)"
    ecrite = f"{jour}/{mois}/{annee}"
    try:
        resultat = date(int(annee), int(mois), int(jour))
    except ValueError:
        return None, f"la date d'injection est impossible ({ecrite})"
    if naissance is not None and resultat < naissance:
        return None, f"la date d'injection ({ecrite}) précède la naissance"
    if resultat > jusqu_au:
        return None, f"la date d'injection ({ecrite}) est postérieure au document"
    return resultat, ""


def _lot(materiel: Any) -> str:
    if materiel is None:
        return ""
    return texte_de(materiel.find(H + "lotNumberText"))


def _rang(administration: Any) -> int | None:
    for observation in administration.iterfind(f"{H}entryRelationship/{H}observation"):
        if attr(observation.find(H + "code"), "code") != CODE_RANG:
            continue
        valeur = attr(observation.find(H + "value"), "value")
        if valeur.isascii() and valeur.isdigit() and 0 < int(valeur) <= 99:
            return int(valeur)
    return None


def _vaccinateur(administration: Any) -> str:
    """La personne (à défaut l'organisation) qui a vacciné : ``performer`` de l'acte ; pas le
    pharmacien qui a délivré le vaccin (``supply``), ni l'auteur du document."""
    for entite in administration.iterfind(f"{H}performer/{H}assignedEntity"):
        nom = nom_affiche(entite.find(f"{H}assignedPerson/{H}name")) or texte_de(
            entite.find(f"{H}representedOrganization/{H}name")
        )
        if nom:
            return nom
    return ""
