"""Données de remboursement (CNAM-HR, type REMB) : les entrées d'un historique de remboursements,
lues avec la même analyse durcie que ``lire_cda``. Le document ne porte pas de montants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from .analyse import H, analyser, attr, nom_local, texte_de
from .lecture import date_cda, nom_affiche

OID_SYSTEMES_CNAM_HR: Final = {
    "1.2.250.1.215.200.1.1.1": "CIP13",
    "1.2.250.1.215.200.1.1.2": "UCD",
    "1.2.250.1.215.200.2.1": "LPP",
    "1.2.250.1.215.200.3.1": "GHS",
    "1.2.250.1.215.200.3.2": "DDP",
    "1.2.250.1.215.200.3.3": "NGAP",
    "1.2.250.1.215.200.3.4": "CCAM",
    "1.2.250.1.215.200.4.1": "NABM",
}
_OID_ATC: Final = frozenset({"1.2.250.1.215.200.1.2.1", "1.2.250.1.215.200.1.2.2"})
# Nature d'une entrée selon le code LOINC de sa section (et sa traduction pour les actes).
_NATURE_SECTION: Final = {
    "10160-0": "pharmacie",  # Médicaments
    "11369-6": "pharmacie",  # Vaccinations (vaccins délivrés)
    "46264-8": "dispositif",  # Dispositifs médicaux
    "46240-8": "hospitalisation",  # Hospitalisations
    "18726-0": "radiologie",
    "26436-6": "biologie",
    "67803-7": "consultation",  # Soins médicaux et dentaires
}


@dataclass(frozen=True)
class EntreeRemboursement:
    """Une entrée d'un historique de remboursements CNAM-HR : un soin remboursé. Le document
    ne donne pas de montants (il n'en porte pas)."""

    nature: str
    date: dt.date
    systeme: str
    code: str
    atc: str
    libelle: str
    professionnel: str
    quantite: int = 1


def entrees_remboursement(donnees: bytes) -> list[EntreeRemboursement]:
    """Les entrées d'un document CNAM-HR (même analyse durcie que ``lire_cda``) ; une entrée
    sans date ni code est ignorée. ``CDAInvalide`` si le document n'est pas un CDA lisible."""
    racine = analyser(donnees)
    entrees: list[EntreeRemboursement] = []
    for section in racine.iterfind(f".//{H}section"):
        code = section.find(H + "code")
        nature = _NATURE_SECTION.get(attr(code, "code"))
        traduction = attr(code.find(H + "translation") if code is not None else None, "code")
        nature = _NATURE_SECTION.get(traduction, nature)
        if nature is None:
            continue
        for entree in section.iterfind(H + "entry"):
            acte = next((e for e in entree if isinstance(e.tag, str)), None)
            lue = _entree_remboursement(acte, nature) if acte is not None else None
            if lue is not None:
                entrees.append(lue)
    return entrees


def _premiere_date(acte: Any, chemins: tuple[str, ...]) -> dt.date | None:
    for chemin in chemins:
        for element in acte.iterfind(chemin):
            jour = date_cda(attr(element, "value"))
            if jour is not None:
                return jour
    return None


def _code_connu(elements: Any) -> tuple[str, str, str]:
    """(système, code, libellé) du premier code d'un système CNAM-HR connu."""
    for element in elements:
        systeme = OID_SYSTEMES_CNAM_HR.get(attr(element, "codeSystem"))
        if systeme and attr(element, "code"):
            return systeme, attr(element, "code"), attr(element, "displayName")
    return "", "", ""


def _entree_remboursement(acte: Any, nature: str) -> EntreeRemboursement | None:
    nom = nom_local(acte)
    atc = ""
    professionnel = ""
    if nom == "substanceAdministration":
        materiel = acte.find(f"{H}consumable/{H}manufacturedProduct/{H}manufacturedMaterial")
        traductions = (
            list(materiel.iterfind(f"{H}code/{H}translation")) if materiel is not None else []
        )
        systeme, code, libelle = _code_connu(traductions)
        libelle = texte_de(materiel.find(H + "name")) if materiel is not None else libelle or ""
        atc = next((attr(t, "code") for t in traductions if attr(t, "codeSystem") in _OID_ATC), "")
        jour = _premiere_date(
            acte, (f".//{H}supply/{H}performer/{H}time", f".//{H}supply/{H}author/{H}time")
        )
        professionnel = texte_de(
            acte.find(
                f".//{H}supply/{H}performer/{H}assignedEntity/{H}representedOrganization/{H}name"
            )
        )
        quantite = attr(acte.find(f".//{H}supply/{H}quantity"), "value")
    elif nom == "supply":
        systeme, code, libelle = _code_connu(
            acte.iterfind(
                f"{H}participant/{H}participantRole/{H}playingDevice/{H}code/{H}translation"
            )
        )
        jour = _premiere_date(acte, (f"{H}performer/{H}time", f"{H}effectiveTime/{H}low"))
        professionnel = texte_de(
            acte.find(f"{H}performer/{H}assignedEntity/{H}representedOrganization/{H}name")
        )
        quantite = attr(acte.find(H + "quantity"), "value")
    elif nom in {"encounter", "procedure"}:
        code_element = acte.find(H + "code")
        candidats = [code_element] if code_element is not None else []
        if code_element is not None:
            candidats += list(code_element.iterfind(f"{H}qualifier/{H}value"))
        systeme, code, libelle = _code_connu(candidats)
        jour = _premiere_date(acte, (f"{H}effectiveTime", f"{H}effectiveTime/{H}low"))
        for entite in acte.iterfind(f"{H}performer/{H}assignedEntity"):
            specialite = attr(entite.find(H + "code"), "code")
            if specialite.startswith("G15_40"):  # chirurgien-dentiste (profession 40)
                nature = "dentaire"
            professionnel = nom_affiche(entite.find(f"{H}assignedPerson/{H}name")) or texte_de(
                entite.find(f"{H}representedOrganization/{H}name")
            )
            if professionnel:
                break
        if systeme == "NABM":
            nature = "biologie"
        elif systeme == "CCAM" and code.startswith("HB"):  # CCAM, chapitre des dents
            nature = "dentaire"
        quantite = ""
    else:
        return None
    if jour is None or not code:
        return None
    return EntreeRemboursement(
        nature=nature,
        date=jour,
        systeme=systeme,
        code=code[:30],
        atc=atc[:10],
        libelle=(libelle or code)[:300],
        professionnel=professionnel[:200],
        quantite=int(quantite)
        if quantite.isascii() and quantite.isdigit() and len(quantite) < 5
        else 1,
    )
