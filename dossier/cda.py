"""Lecture sûre des documents CDA R2 du CI-SIS (DESIGN.md §8).

``lire_cda(octets)`` lit un document CDA R2 venu d'ailleurs (dépôt d'un professionnel, import
DMP, archive XDM) et en rend les faits utiles : type, titre, date, patient (avec son INS),
auteurs, organisation, sections du corps structuré converties en HTML sûr, ou PDF intégré d'un
document de niveau 1. Le module est pur : ni Django, ni base, ni réseau.

Le document est hostile jusqu'à preuve du contraire. Avant toute analyse :

- au-delà de ``TAILLE_MAX`` (20 Mio) il est refusé ;
- l'encodage est déterminé ici (marque d'ordre des octets, forme des premiers octets, puis
  déclaration XML) parmi une liste fermée (UTF-8, UTF-16, US-ASCII, ISO-8859-1/15,
  windows-1252) ; le texte est décodé par Python, puis l'analyseur reçoit de l'UTF-8 avec un
  encodage imposé : libxml2 ne voit que ce qui a été contrôlé (un ``encoding="UTF-7"``
  permettrait sinon d'écrire ``+ADw-!DOCTYPE`` sans que la chaîne ``<!DOCTYPE`` apparaisse) ;
- toute déclaration ``<!DOCTYPE`` ou ``<!ENTITY`` est refusée, où qu'elle soit (y compris dans
  un commentaire ou une section CDATA : faux positif assumé) ; il n'y a donc ni entité interne
  (« billion laughs ») ni entité externe ;
- plus de ``MARQUES_MAX`` balises et attributs (``<`` et ``=``) : refusé, car chaque nœud coûte
  une centaine d'octets en mémoire (20 Mio de ``<a/>`` occuperaient 650 Mo).

L'analyseur lxml est durci (pas d'entités, pas de réseau, pas de DTD, pas de ``huge_tree`` :
un nœud texte ne peut dépasser 10 Mo, ce qui borne un PDF intégré à environ 7,5 Mo ; commentaires
et instructions de traitement retirés). Puis la profondeur est bornée à ``PROFONDEUR_MAX``
(libxml2 s'arrête de lui-même à 256) et la racine doit être ``{urn:hl7-org:v3}ClinicalDocument``.
Rien n'est jamais lu sur le réseau ni sur le disque. Tout refus est une ``CDAInvalide`` dont le
``message`` est en français et peut être montré à la personne.

Le bloc narratif (``section/text``) est converti en HTML par liste blanche : seules les balises
de ``BALISES_HTML`` sortent, avec pour seuls attributs ``colspan`` et ``rowspan`` (entiers de 1
à 1000) ; tout texte est échappé ; un élément inconnu (``script``, ``img``, élément d'un autre
espace de noms…) est transparent : son texte reste, échappé, ses enfants sont convertis. Le
résultat est une ``str`` ordinaire : c'est à l'appelant de la marquer sûre pour l'afficher.

Niveau : 1 pour un corps non structuré (``nonXMLBody``) ; pour un corps structuré, 3 si au
moins une section porte des ``entry`` (données codées), 2 sinon (texte seul).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from lxml import etree

NS_HL7: Final = "urn:hl7-org:v3"
_H: Final = "{" + NS_HL7 + "}"

TAILLE_MAX: Final = 20 * 1024 * 1024
PROFONDEUR_MAX: Final = 100
MARQUES_MAX: Final = 1_000_000

OID_INS_NIR_PRODUCTION: Final = "1.2.250.1.213.1.4.8"
OID_INS_NIR_TEST: Final = "1.2.250.1.213.1.4.10"
OID_INS_NIR_DEMO: Final = "1.2.250.1.213.1.4.11"
OIDS_INS_NIR: Final = frozenset({OID_INS_NIR_PRODUCTION, OID_INS_NIR_TEST, OID_INS_NIR_DEMO})
OID_RPPS: Final = "1.2.250.1.71.4.2.1"

BALISES_HTML: Final = frozenset(
    {
        "p",
        "ol",
        "ul",
        "li",
        "table",
        "caption",
        "colgroup",
        "col",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "th",
        "td",
        "span",
        "strong",
        "em",
        "u",
        "br",
        "sub",
        "sup",
    }
)
ATTRIBUTS_HTML: Final = frozenset({"colspan", "rowspan"})

_BLANCS: Final = re.compile(r"[ \t\r\n]+")


class CDAInvalide(Exception):
    """Le document n'est pas un CDA R2 lisible sans risque ; ``message`` le dit en français."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
    return _document(_analyser(donnees))


# --- Analyse XML durcie ----------------------------------------------------------------------

_DECLARATION_ENCODAGE = re.compile(
    rb"\A<\?xml[ \t\r\n][^>]*?encoding[ \t\r\n]*=[ \t\r\n]*"
    rb"""(["'])([A-Za-z][A-Za-z0-9._-]{0,39})\1"""
)
_CODECS_ADMIS: Final = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "iso-8859-1": "latin-1",
    "iso_8859-1": "latin-1",
    "latin1": "latin-1",
    "latin-1": "latin-1",
    "iso-8859-15": "iso8859-15",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
}
_ENCODAGES_REFUSES: Final = (
    b"\x00\x00\xfe\xff",  # UCS-4 / UTF-32
    b"\xff\xfe\x00\x00",
    b"\x00\x00\x00<",
    b"<\x00\x00\x00",
    b"\x00\x00<\x00",
    b"\x00<\x00\x00",
    b"\x4c\x6f\xa7\x94",  # EBCDIC
)


def _en_utf8_controle(donnees: bytes) -> bytes:
    """Décode le document selon un encodage admis, refuse toute déclaration de type ou d'entité,
    et rend les octets UTF-8 que l'analyseur lira (encodage imposé)."""
    if donnees.startswith(_ENCODAGES_REFUSES):
        raise CDAInvalide("L'encodage du document n'est pas pris en charge (UTF-32 ou EBCDIC).")
    if donnees.startswith(b"\xef\xbb\xbf"):
        codec = "utf-8-sig"
    elif donnees.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    elif donnees.startswith(b"<\x00"):
        codec = "utf-16-le"
    elif donnees.startswith(b"\x00<"):
        codec = "utf-16-be"
    else:
        declaration = _DECLARATION_ENCODAGE.match(donnees)
        nom = declaration.group(2).decode("ascii").lower() if declaration else "utf-8"
        if nom not in _CODECS_ADMIS:
            raise CDAInvalide(f"L'encodage déclaré « {nom} » n'est pas pris en charge.")
        codec = _CODECS_ADMIS[nom]
    try:
        texte = donnees.decode(codec)
    except UnicodeDecodeError:
        raise CDAInvalide("Le document contient des octets invalides pour son encodage.") from None
    if "<!DOCTYPE" in texte or "<!ENTITY" in texte:
        raise CDAInvalide(
            "Le document contient une déclaration de type (DOCTYPE) ou d'entité : "
            "elle est refusée par sécurité."
        )
    if codec in {"utf-8", "utf-8-sig"}:
        return donnees
    return texte.encode("utf-8")


def _parseur() -> Any:
    # Un parseur par appel : les parseurs lxml ne se partagent pas entre fils d'exécution.
    return etree.XMLParser(
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


_TROP_PROFOND: Final = (
    f"Le document est imbriqué trop profondément (plus de {PROFONDEUR_MAX} niveaux)."
)


def _analyser(donnees: bytes) -> Any:
    if not isinstance(donnees, bytes | bytearray | memoryview):
        raise TypeError("lire_cda attend des octets (bytes).")
    donnees = bytes(donnees)
    if len(donnees) > TAILLE_MAX:
        raise CDAInvalide("Le document dépasse la taille maximale de 20 Mio.")
    if not donnees.strip():
        raise CDAInvalide("Le document est vide.")
    a_lire = _en_utf8_controle(donnees)
    if a_lire.count(b"<") + a_lire.count(b"=") > MARQUES_MAX:
        raise CDAInvalide("Le document contient trop de balises et d'attributs.")
    try:
        racine = etree.fromstring(a_lire, _parseur())
    except etree.XMLSyntaxError as erreur:
        raise CDAInvalide(_message_syntaxe(erreur)) from None
    except (etree.LxmlError, ValueError):
        raise CDAInvalide("Le document n'est pas un XML lisible.") from None
    if racine is None:
        raise CDAInvalide("Le document n'est pas un XML lisible.")
    infos = racine.getroottree().docinfo
    if infos.doctype or infos.internalDTD is not None:  # déjà refusé plus haut ; par prudence
        raise CDAInvalide("Le document contient une déclaration de type (DOCTYPE).")
    if racine.find("/".join(["*"] * PROFONDEUR_MAX)) is not None:
        raise CDAInvalide(_TROP_PROFOND)
    if racine.tag != _H + "ClinicalDocument":
        raise CDAInvalide(
            "Le document n'est pas un CDA R2 : l'élément racine n'est pas "
            "ClinicalDocument (espace de noms urn:hl7-org:v3)."
        )
    return racine


def _message_syntaxe(erreur: Any) -> str:
    if erreur.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
        if "depth" in str(erreur.msg).lower():
            return _TROP_PROFOND
        return (
            "Le document dépasse une limite de l'analyseur XML "
            "(par exemple un texte de plus de 10 Mo d'un seul tenant)."
        )
    ligne = getattr(erreur, "lineno", None)
    ou = f" (ligne {ligne})" if ligne else ""
    return f"Le document n'est pas un XML bien formé{ou}."


# --- Lecture de l'en-tête --------------------------------------------------------------------


def _attr(element: Any, nom: str) -> str:
    if element is None:
        return ""
    return str(element.get(nom) or "").strip()


def _texte(element: Any) -> str:
    """Le texte d'un élément et de ses descendants, espaces normalisés."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _identifiant(element: Any) -> Identifiant | None:
    racine = _attr(element, "root")
    return Identifiant(racine, _attr(element, "extension")) if racine else None


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
    return set(_attr(partie, "qualifier").upper().split())


def _parties(nom: Any, genre: str) -> list[tuple[set[str], str]]:
    return [(_qualifiants(p), t) for p in nom.iterfind(_H + genre) if (t := _texte(p))]


def _premier(parties: list[tuple[set[str], str]], qualifiant: str) -> str:
    return next((t for q, t in parties if qualifiant in q), "")


def _patient(role: Any) -> Patient:
    if role is None:
        return Patient()
    ins = tuple(
        ident
        for element in role.iterfind(_H + "id")
        if (ident := _identifiant(element)) and ident.racine in OIDS_INS_NIR and ident.extension
    )
    personne = role.find(_H + "patient")
    if personne is None:
        return Patient(ins=ins)
    nom, prenoms, nom_utilise, prenom_utilise = "", "", "", ""
    element_nom = personne.find(_H + "name")
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
            nom = _texte(element_nom)
    return Patient(
        nom=nom,
        prenoms=prenoms,
        nom_utilise=nom_utilise,
        prenom_utilise=prenom_utilise,
        date_naissance=date_cda(_attr(personne.find(_H + "birthTime"), "value")),
        sexe=_attr(personne.find(_H + "administrativeGenderCode"), "code"),
        ins=ins,
    )


def _nom_affiche(element_nom: Any) -> str:
    if element_nom is None:
        return ""
    prenoms = [t for _, t in _parties(element_nom, "given")]
    familles = [t for _, t in _parties(element_nom, "family")]
    if not prenoms and not familles:
        return _texte(element_nom)
    return " ".join([*prenoms, *familles])


def _auteur(assigne: Any) -> Auteur:
    identifiants = [i for e in assigne.iterfind(_H + "id") if (i := _identifiant(e))]
    identifiant = next((i for i in identifiants if i.racine == OID_RPPS), None) or next(
        iter(identifiants), None
    )
    organisation = _texte(assigne.find(f"{_H}representedOrganization/{_H}name"))
    nom = (
        _nom_affiche(assigne.find(f"{_H}assignedPerson/{_H}name"))
        or organisation
        or _texte(assigne.find(f"{_H}assignedAuthoringDevice/{_H}softwareName"))
    )
    return Auteur(
        nom=nom,
        identifiant=identifiant,
        specialite=_attr(assigne.find(_H + "code"), "displayName"),
        organisation=organisation,
    )


def _version(racine: Any) -> int | None:
    valeur = _attr(racine.find(_H + "versionNumber"), "value")
    return int(valeur) if valeur.isascii() and valeur.isdigit() and len(valeur) < 10 else None


def _document(racine: Any) -> DocumentCDA:
    cibles = racine.findall(_H + "recordTarget")
    if len(cibles) > 1:
        raise CDAInvalide("Le document concerne plusieurs patients : il n'est pas accepté.")
    patient = _patient(cibles[0].find(_H + "patientRole") if cibles else None)
    auteurs = tuple(
        _auteur(assigne) for assigne in racine.iterfind(f"{_H}author/{_H}assignedAuthor")
    )
    organisation = _texte(
        racine.find(
            f"{_H}custodian/{_H}assignedCustodian/{_H}representedCustodianOrganization/{_H}name"
        )
    ) or next((a.organisation for a in auteurs if a.organisation), "")
    code = racine.find(_H + "code")

    composant = racine.find(_H + "component")
    structure = composant.find(_H + "structuredBody") if composant is not None else None
    non_structure = composant.find(_H + "nonXMLBody") if composant is not None else None
    sections: tuple[Section, ...] = ()
    pdf: bytes | None = None
    type_media = ""
    if structure is not None:
        sections = tuple(_section(s) for s in structure.iterfind(f"{_H}component/{_H}section"))
        niveau = 3 if structure.find(f".//{_H}entry") is not None else 2
    elif non_structure is not None:
        niveau = 1
        pdf, type_media = _corps_non_structure(non_structure.find(_H + "text"))
    else:
        raise CDAInvalide("Le document n'a pas de corps (ni structuré, ni non structuré).")

    return DocumentCDA(
        code=_attr(code, "code"),
        code_systeme=_attr(code, "codeSystem"),
        code_libelle=_attr(code, "displayName"),
        titre=_texte(racine.find(_H + "title")),
        date=date_cda(_attr(racine.find(_H + "effectiveTime"), "value")),
        confidentialite=_attr(racine.find(_H + "confidentialityCode"), "code"),
        langue=_attr(racine.find(_H + "languageCode"), "code"),
        patient=patient,
        auteurs=auteurs,
        organisation=organisation,
        niveau=niveau,
        sections=sections,
        pdf_integre=pdf,
        type_media=type_media,
        identifiant=_identifiant(racine.find(_H + "id")),
        identifiant_lot=_identifiant(racine.find(_H + "setId")),
        version=_version(racine),
    )


# --- Corps non structuré (niveau 1) ----------------------------------------------------------


def _corps_non_structure(texte: Any) -> tuple[bytes | None, str]:
    """(PDF décodé ou ``None``, type de média). Seul un PDF est décodé ; les autres types
    (texte, RTF, JPEG, TIFF) sont seulement signalés par leur type de média."""
    if texte is None:
        raise CDAInvalide("Le corps non structuré ne contient aucun texte.")
    type_media = _attr(texte, "mediaType").split(";")[0].strip().lower() or "text/plain"
    if type_media != "application/pdf":
        return None, type_media
    if _attr(texte, "representation").upper() != "B64":
        raise CDAInvalide('Le PDF intégré doit être encodé en base64 (representation="B64").')
    if _attr(texte, "compression"):
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


# --- Corps structuré : sections et bloc narratif ---------------------------------------------


def _section(element: Any) -> Section:
    code = element.find(_H + "code")
    return Section(
        titre=_texte(element.find(_H + "title")) or _attr(code, "displayName"),
        html=narratif_en_html(element.find(_H + "text")),
        sous_sections=tuple(_section(s) for s in element.iterfind(f"{_H}component/{_H}section")),
        code=_attr(code, "code"),
    )


def narratif_en_html(texte: Any) -> str:
    """Le bloc narratif CDA (élément ``text`` d'une section) en HTML sûr, par liste blanche."""
    if texte is None:
        return ""
    sortie: list[str] = []
    _contenu(texte, sortie)
    return "".join(sortie).strip()


def _echapper(texte: str | None) -> str:
    """Texte échappé, blancs consécutifs réduits à une espace (comme HTML les affiche)."""
    return html.escape(_BLANCS.sub(" ", texte), quote=True) if texte else ""


def _local(element: Any) -> str | None:
    """Le nom local d'un élément HL7 ; ``None`` pour un autre espace de noms ou un non-élément."""
    balise = element.tag
    if isinstance(balise, str) and balise.startswith(_H):
        return balise[len(_H) :]
    return None


def _contenu(element: Any, sortie: list[str]) -> None:
    sortie.append(_echapper(element.text))
    for enfant in element:
        _element(enfant, sortie)
        sortie.append(_echapper(enfant.tail))


def _texte_seul(element: Any, sortie: list[str]) -> None:
    sortie.append(_echapper("".join(element.itertext())))


def _entre_parentheses(element: Any, sortie: list[str]) -> None:
    texte = _echapper("".join(element.itertext())).strip()
    if texte:
        sortie.append(f" ({texte})")


def _styles(element: Any) -> list[str]:
    """``styleCode`` (jetons séparés par des espaces, « BoldItalics » vu dans la nature)."""
    jetons = _attr(element, "styleCode").lower().split()
    balises = []
    if any("bold" in j for j in jetons):
        balises.append("strong")
    if any("italic" in j for j in jetons):
        balises.append("em")
    if any("underline" in j for j in jetons):
        balises.append("u")
    return balises


def _avec_styles(element: Any, sortie: list[str]) -> None:
    styles = _styles(element)
    sortie.extend(f"<{b}>" for b in styles)
    _contenu(element, sortie)
    sortie.extend(f"</{b}>" for b in reversed(styles))


_ENTIER_CELLULE = re.compile(r"[0-9]{1,4}")


def _attributs_cellule(element: Any) -> str:
    attributs = []
    for nom in ("colspan", "rowspan"):
        valeur = _attr(element, nom)
        if _ENTIER_CELLULE.fullmatch(valeur) and 1 <= int(valeur) <= 1000:
            attributs.append(f' {nom}="{int(valeur)}"')
    return "".join(attributs)


_SIMPLES: Final = {
    "thead": "thead",
    "tbody": "tbody",
    "tfoot": "tfoot",
    "tr": "tr",
    "sub": "sub",
    "sup": "sup",
}


def _element(element: Any, sortie: list[str]) -> None:
    nom = _local(element)
    if nom is None:
        if isinstance(element.tag, str):  # élément d'un autre espace de noms : transparent
            _contenu(element, sortie)
        return
    if nom == "paragraph":
        sortie.append("<p>")
        _avec_styles(element, sortie)
        sortie.append("</p>")
    elif nom == "content":
        sortie.append("<span>")
        _avec_styles(element, sortie)
        sortie.append("</span>")
    elif nom == "list":
        _liste(element, sortie)
    elif nom == "item":  # hors d'une liste
        sortie.append("<span>")
        _avec_styles(element, sortie)
        sortie.append("</span>")
    elif nom == "table":
        sortie.append("<table>")
        _contenu(element, sortie)
        sortie.append("</table>")
    elif nom == "caption":
        parent = element.getparent()
        if parent is not None and _local(parent) == "table":
            sortie.append("<caption>")
            _avec_styles(element, sortie)
            sortie.append("</caption>")
        else:
            sortie.append("<strong>")
            _contenu(element, sortie)
            sortie.append("</strong> ")
    elif nom in {"td", "th"}:
        sortie.append(f"<{nom}{_attributs_cellule(element)}>")
        _avec_styles(element, sortie)
        sortie.append(f"</{nom}>")
    elif nom == "colgroup":
        sortie.append("<colgroup>")
        sortie.extend("<col>" for enfant in element if _local(enfant) == "col")
        sortie.append("</colgroup>")
    elif nom == "col":
        sortie.append("<col>")
    elif nom == "br":  # vide selon le schéma ; un contenu éventuel reste, en texte
        sortie.append("<br>")
        _contenu(element, sortie)
    elif nom in _SIMPLES:
        balise = _SIMPLES[nom]
        sortie.append(f"<{balise}>")
        _contenu(element, sortie)
        sortie.append(f"</{balise}>")
    elif nom == "linkHtml":
        _texte_seul(element, sortie)
    elif nom == "footnote":
        _entre_parentheses(element, sortie)
    elif nom == "renderMultiMedia":  # l'objet n'est jamais chargé ; sa légende reste
        legende = element.find(_H + "caption")
        if legende is not None:
            _entre_parentheses(legende, sortie)
    elif nom == "footnoteRef":
        return
    else:  # élément HL7 inconnu du bloc narratif : transparent
        _contenu(element, sortie)


def _liste(element: Any, sortie: list[str]) -> None:
    balise = "ol" if _attr(element, "listType").lower() == "ordered" else "ul"
    for legende in element.iterfind(_H + "caption"):
        sortie.append("<p><strong>")
        _contenu(legende, sortie)
        sortie.append("</strong></p>")
    sortie.append(f"<{balise}>")
    if element.text and element.text.strip():
        sortie.append(f"<li>{_echapper(element.text)}</li>")
    for enfant in element:
        nom = _local(enfant)
        if nom == "item":
            sortie.append("<li>")
            _avec_styles(enfant, sortie)
            sortie.append("</li>")
        elif nom != "caption" and isinstance(enfant.tag, str):
            sortie.append("<li>")
            _element(enfant, sortie)
            sortie.append("</li>")
        if enfant.tail and enfant.tail.strip():
            sortie.append(f"<li>{_echapper(enfant.tail)}</li>")
    sortie.append(f"</{balise}>")


# --- Données de remboursement (CNAM-HR, type REMB) : les entrées ----------------------------

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
    racine = _analyser(donnees)
    entrees: list[EntreeRemboursement] = []
    for section in racine.iterfind(f".//{_H}section"):
        code = section.find(_H + "code")
        nature = _NATURE_SECTION.get(_attr(code, "code"))
        traduction = _attr(code.find(_H + "translation") if code is not None else None, "code")
        nature = _NATURE_SECTION.get(traduction, nature)
        if nature is None:
            continue
        for entree in section.iterfind(_H + "entry"):
            acte = next((e for e in entree if isinstance(e.tag, str)), None)
            lue = _entree_remboursement(acte, nature) if acte is not None else None
            if lue is not None:
                entrees.append(lue)
    return entrees


def _premiere_date(acte: Any, chemins: tuple[str, ...]) -> dt.date | None:
    for chemin in chemins:
        for element in acte.iterfind(chemin):
            jour = date_cda(_attr(element, "value"))
            if jour is not None:
                return jour
    return None


def _code_connu(elements: Any) -> tuple[str, str, str]:
    """(système, code, libellé) du premier code d'un système CNAM-HR connu."""
    for element in elements:
        systeme = OID_SYSTEMES_CNAM_HR.get(_attr(element, "codeSystem"))
        if systeme and _attr(element, "code"):
            return systeme, _attr(element, "code"), _attr(element, "displayName")
    return "", "", ""


def _entree_remboursement(acte: Any, nature: str) -> EntreeRemboursement | None:
    nom = _local(acte)
    atc = ""
    professionnel = ""
    if nom == "substanceAdministration":
        materiel = acte.find(f"{_H}consumable/{_H}manufacturedProduct/{_H}manufacturedMaterial")
        traductions = (
            list(materiel.iterfind(f"{_H}code/{_H}translation")) if materiel is not None else []
        )
        systeme, code, libelle = _code_connu(traductions)
        libelle = _texte(materiel.find(_H + "name")) if materiel is not None else libelle or ""
        atc = next(
            (_attr(t, "code") for t in traductions if _attr(t, "codeSystem") in _OID_ATC), ""
        )
        jour = _premiere_date(
            acte, (f".//{_H}supply/{_H}performer/{_H}time", f".//{_H}supply/{_H}author/{_H}time")
        )
        professionnel = _texte(
            acte.find(
                f".//{_H}supply/{_H}performer/{_H}assignedEntity/{_H}representedOrganization/{_H}name"
            )
        )
        quantite = _attr(acte.find(f".//{_H}supply/{_H}quantity"), "value")
    elif nom == "supply":
        systeme, code, libelle = _code_connu(
            acte.iterfind(
                f"{_H}participant/{_H}participantRole/{_H}playingDevice/{_H}code/{_H}translation"
            )
        )
        jour = _premiere_date(acte, (f"{_H}performer/{_H}time", f"{_H}effectiveTime/{_H}low"))
        professionnel = _texte(
            acte.find(f"{_H}performer/{_H}assignedEntity/{_H}representedOrganization/{_H}name")
        )
        quantite = _attr(acte.find(_H + "quantity"), "value")
    elif nom in {"encounter", "procedure"}:
        code_element = acte.find(_H + "code")
        candidats = [code_element] if code_element is not None else []
        if code_element is not None:
            candidats += list(code_element.iterfind(f"{_H}qualifier/{_H}value"))
        systeme, code, libelle = _code_connu(candidats)
        jour = _premiere_date(acte, (f"{_H}effectiveTime", f"{_H}effectiveTime/{_H}low"))
        for entite in acte.iterfind(f"{_H}performer/{_H}assignedEntity"):
            specialite = _attr(entite.find(_H + "code"), "code")
            if specialite.startswith("G15_40"):  # chirurgien-dentiste (profession 40)
                nature = "dentaire"
            professionnel = _nom_affiche(entite.find(f"{_H}assignedPerson/{_H}name")) or _texte(
                entite.find(f"{_H}representedOrganization/{_H}name")
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
