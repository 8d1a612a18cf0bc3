"""``lire_cda(octets)`` lit un document CDA R2 venu d'ailleurs (dépôt d'un professionnel, import
DMP, archive XDM) et en rend les faits utiles : type, titre, date, patient (avec son INS),
auteurs, organisation, sections du corps structuré converties en HTML sûr, ou PDF intégré d'un
document de niveau 1.

Niveau : 1 pour un corps non structuré (``nonXMLBody``) ; pour un corps structuré, 3 si au
moins une section porte des ``entry`` (données codées), 2 sinon (texte seul).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from .analyse import CDAInvalide, H, analyser, attr, texte_de
from .narratif import narratif_en_html

OID_INS_NIR_PRODUCTION: Final = "1.2.250.1.213.1.4.8"
OID_INS_NIR_TEST: Final = "1.2.250.1.213.1.4.10"
OID_INS_NIR_DEMO: Final = "1.2.250.1.213.1.4.11"
OIDS_INS_NIR: Final = frozenset({OID_INS_NIR_PRODUCTION, OID_INS_NIR_TEST, OID_INS_NIR_DEMO})
OID_RPPS: Final = "1.2.250.1.71.4.2.1"


class Identifiant(NamedTuple):
    """Un identifiant HL7 (``II``) : OID de l'émetteur et valeur."""

    racine: str
    extension: str


class Auteur(NamedTuple):
    """Un auteur du document : personne (ou, à défaut, organisation ou logiciel)."""

    nom: str
    identifiant: Identifiant | None
    specialite: str = ""
    organisation: str = ""

    @property
    def rpps(self) -> str | None:
        """Le numéro RPPS, tel qu'écrit (souvent préfixé de « 8 »), s'il y en a un."""
        if self.identifiant and self.identifiant.racine == OID_RPPS:
            return self.identifiant.extension or None
        return None


@dataclass(frozen=True)
class Patient:
    """Le patient de ``recordTarget``. ``nom``/``prenoms`` sont ceux de naissance (qualifiant
    ``BR`` ou sans qualifiant), ``nom_utilise``/``prenom_utilise`` ceux d'usage (``CL``)."""

    nom: str = ""
    prenoms: str = ""
    nom_utilise: str = ""
    prenom_utilise: str = ""
    date_naissance: dt.date | None = None
    sexe: str = ""
    ins: tuple[Identifiant, ...] = ()

    @property
    def nom_complet(self) -> str:
        return " ".join(p for p in (self.prenoms, self.nom) if p)

    @property
    def ins_nir(self) -> str | None:
        """La valeur de l'INS-NIR, s'il y en a une et une seule (plusieurs valeurs différentes
        rendent le patient ambigu : ``None``)."""
        valeurs = {i.extension for i in self.ins}
        return valeurs.pop() if len(valeurs) == 1 else None


@dataclass(frozen=True)
class Section:
    """Une section du corps structuré ; ``html`` est le bloc narratif en HTML sûr."""

    titre: str
    html: str
    sous_sections: tuple[Section, ...] = ()
    code: str = ""


@dataclass(frozen=True)
class DocumentCDA:
    code: str
    code_systeme: str
    code_libelle: str
    titre: str
    date: dt.date | None
    confidentialite: str
    langue: str
    patient: Patient
    auteurs: tuple[Auteur, ...]
    organisation: str
    niveau: int
    sections: tuple[Section, ...] = ()
    pdf_integre: bytes | None = field(default=None, repr=False)
    type_media: str = ""
    identifiant: Identifiant | None = None
    identifiant_lot: Identifiant | None = None
    version: int | None = None

    @property
    def ins_nir(self) -> str | None:
        return self.patient.ins_nir


def ins_du_patient(doc: DocumentCDA) -> str | None:
    """L'INS-NIR du patient du document (OID de production, de test ou de démonstration)."""
    return doc.patient.ins_nir


def lire_cda(donnees: bytes) -> DocumentCDA:
    """Lit un document CDA R2 ; lève ``CDAInvalide`` s'il est hostile, illisible ou pas un CDA."""
    return document_de(analyser(donnees))


def document_de(racine: Any) -> DocumentCDA:
    """``lire_cda`` sur un document déjà analysé (``analyse.analyser``) : l'ingestion analyse
    une seule fois et passe l'arbre à chacun de ses lecteurs (en-tête, vaccinations, résultats)."""
    return _document(racine)


# --- Lecture de l'en-tête --------------------------------------------------------------------


def _identifiant(element: Any) -> Identifiant | None:
    racine = attr(element, "root")
    return Identifiant(racine, attr(element, "extension")) if racine else None


_TS = re.compile(
    r"([0-9]{4})([0-9]{2})([0-9]{2})"
    r"(?:[0-9]{2}(?:[0-9]{2}(?:[0-9]{2}(?:\.[0-9]{1,6})?)?)?)?(?:[+-][0-9]{2,4})?"
)


def date_cda(valeur: str) -> dt.date | None:
    """La date d'un horodatage HL7 (``TS``) : ``20240115`` ou ``20240115103000+0100`` (date
    locale telle qu'écrite, sans conversion de fuseau). ``None`` si la précision est moindre
    que le jour ou si la valeur est invalide."""
    correspondance = _TS.fullmatch(valeur.strip())
    if correspondance is None:
        return None
    annee, mois, jour = (int(g) for g in correspondance.groups())
    try:
        return dt.date(annee, mois, jour)
    except ValueError:
        return None


def _qualifiants(partie: Any) -> set[str]:
    return set(attr(partie, "qualifier").upper().split())


def _parties(nom: Any, genre: str) -> list[tuple[set[str], str]]:
    return [(_qualifiants(p), t) for p in nom.iterfind(H + genre) if (t := texte_de(p))]


def _premier(parties: list[tuple[set[str], str]], qualifiant: str) -> str:
    return next((t for q, t in parties if qualifiant in q), "")


def _patient(role: Any) -> Patient:
    if role is None:
        return Patient()
    ins = tuple(
        ident
        for element in role.iterfind(H + "id")
        if (ident := _identifiant(element)) and ident.racine in OIDS_INS_NIR and ident.extension
    )
    personne = role.find(H + "patient")
    if personne is None:
        return Patient(ins=ins)
    nom, prenoms, nom_utilise, prenom_utilise = "", "", "", ""
    element_nom = personne.find(H + "name")
    if element_nom is not None:
        familles = _parties(element_nom, "family")
        prenoms_l = _parties(element_nom, "given")
        nom = (
            _premier(familles, "BR")
            or next((t for q, t in familles if not q), "")
            or " ".join(t for _, t in familles)
        )
        sans_qualifiant = [t for q, t in prenoms_l if not q]
        prenoms = " ".join(sans_qualifiant) or _premier(prenoms_l, "BR")
        if not prenoms:
            prenoms = " ".join(t for q, t in prenoms_l if "CL" not in q)
        nom_utilise = _premier(familles, "CL")
        prenom_utilise = _premier(prenoms_l, "CL")
        if not familles and not prenoms_l:
            nom = texte_de(element_nom)
    return Patient(
        nom=nom,
        prenoms=prenoms,
        nom_utilise=nom_utilise,
        prenom_utilise=prenom_utilise,
        date_naissance=date_cda(attr(personne.find(H + "birthTime"), "value")),
        sexe=attr(personne.find(H + "administrativeGenderCode"), "code"),
        ins=ins,
    )


def nom_affiche(element_nom: Any) -> str:
    if element_nom is None:
        return ""
    prenoms = [t for _, t in _parties(element_nom, "given")]
    familles = [t for _, t in _parties(element_nom, "family")]
    if not prenoms and not familles:
        return texte_de(element_nom)
    return " ".join([*prenoms, *familles])


def _auteur(assigne: Any) -> Auteur:
    identifiants = [i for e in assigne.iterfind(H + "id") if (i := _identifiant(e))]
    identifiant = next((i for i in identifiants if i.racine == OID_RPPS), None) or next(
        iter(identifiants), None
    )
    organisation = texte_de(assigne.find(f"{H}representedOrganization/{H}name"))
    nom = (
        nom_affiche(assigne.find(f"{H}assignedPerson/{H}name"))
        or organisation
        or texte_de(assigne.find(f"{H}assignedAuthoringDevice/{H}softwareName"))
    )
    return Auteur(
        nom=nom,
        identifiant=identifiant,
        specialite=attr(assigne.find(H + "code"), "displayName"),
        organisation=organisation,
    )


def _version(racine: Any) -> int | None:
    valeur = attr(racine.find(H + "versionNumber"), "value")
    return int(valeur) if valeur.isascii() and valeur.isdigit() and len(valeur) < 10 else None


def _document(racine: Any) -> DocumentCDA:
    cibles = racine.findall(H + "recordTarget")
    if len(cibles) > 1:
        raise CDAInvalide("Le document concerne plusieurs patients : il n'est pas accepté.")
    patient = _patient(cibles[0].find(H + "patientRole") if cibles else None)
    auteurs = tuple(_auteur(assigne) for assigne in racine.iterfind(f"{H}author/{H}assignedAuthor"))
    organisation = texte_de(
        racine.find(
            f"{H}custodian/{H}assignedCustodian/{H}representedCustodianOrganization/{H}name"
        )
    ) or next((a.organisation for a in auteurs if a.organisation), "")
    code = racine.find(H + "code")

    composant = racine.find(H + "component")
    structure = composant.find(H + "structuredBody") if composant is not None else None
    non_structure = composant.find(H + "nonXMLBody") if composant is not None else None
    sections: tuple[Section, ...] = ()
    pdf: bytes | None = None
    type_media = ""
    if structure is not None:
        sections = tuple(_section(s) for s in structure.iterfind(f"{H}component/{H}section"))
        niveau = 3 if structure.find(f".//{H}entry") is not None else 2
    elif non_structure is not None:
        niveau = 1
        pdf, type_media = _corps_non_structure(non_structure.find(H + "text"))
    else:
        raise CDAInvalide("Le document n'a pas de corps (ni structuré, ni non structuré).")

    return DocumentCDA(
        code=attr(code, "code"),
        code_systeme=attr(code, "codeSystem"),
        code_libelle=attr(code, "displayName"),
        titre=texte_de(racine.find(H + "title")),
        date=date_cda(attr(racine.find(H + "effectiveTime"), "value")),
        confidentialite=attr(racine.find(H + "confidentialityCode"), "code"),
        langue=attr(racine.find(H + "languageCode"), "code"),
        patient=patient,
        auteurs=auteurs,
        organisation=organisation,
        niveau=niveau,
        sections=sections,
        pdf_integre=pdf,
        type_media=type_media,
        identifiant=_identifiant(racine.find(H + "id")),
        identifiant_lot=_identifiant(racine.find(H + "setId")),
        version=_version(racine),
    )


# --- Corps non structuré (niveau 1) ----------------------------------------------------------


def _corps_non_structure(texte: Any) -> tuple[bytes | None, str]:
    """(PDF décodé ou ``None``, type de média). Seul un PDF est décodé ; les autres types
    (texte, RTF, JPEG, TIFF) sont seulement signalés par leur type de média."""
    if texte is None:
        raise CDAInvalide("Le corps non structuré ne contient aucun texte.")
    type_media = attr(texte, "mediaType").split(";")[0].strip().lower() or "text/plain"
    if type_media != "application/pdf":
        return None, type_media
    if attr(texte, "representation").upper() != "B64":
        raise CDAInvalide('Le PDF intégré doit être encodé en base64 (representation="B64").')
    if attr(texte, "compression"):
        raise CDAInvalide("Le PDF intégré est compressé : ce n'est pas pris en charge.")
    brut = texte.text or ""
    if not brut.isascii():
        raise CDAInvalide("Le PDF intégré n'est pas un base64 valide.")
    contenu = brut.encode("ascii").translate(None, b" \t\r\n")
    if not contenu:
        raise CDAInvalide("Le PDF intégré est vide.")
    try:
        pdf = base64.b64decode(contenu, validate=True)
    except (binascii.Error, ValueError):
        raise CDAInvalide("Le PDF intégré n'est pas un base64 valide.") from None
    if base64.b64encode(pdf) != contenu:  # bourrage en trop, bits parasites : refusés
        raise CDAInvalide("Le PDF intégré n'est pas un base64 valide.")
    if not pdf.startswith(b"%PDF-"):
        raise CDAInvalide("Le contenu intégré annoncé comme PDF n'est pas un PDF.")
    return pdf, type_media


# --- Corps structuré : sections (leur bloc narratif : voir narratif.py) ----------------------


def _section(element: Any) -> Section:
    code = element.find(H + "code")
    return Section(
        titre=texte_de(element.find(H + "title")) or attr(code, "displayName"),
        html=narratif_en_html(element.find(H + "text")),
        sous_sections=tuple(_section(s) for s in element.iterfind(f"{H}component/{H}section")),
        code=attr(code, "code"),
    )
