"""L'analyse XML durcie d'un document CDA R2, commune à tous ses lecteurs, et les accesseurs
qu'ils partagent.

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

Un document « autoprésentable » du CI-SIS est une feuille de style XSLT (racine
``xsl:stylesheet``, que ``<?xml-stylesheet href="#"?>`` applique à elle-même dans un
navigateur) qui porte le CDA dans ``data:Contenu`` (espace ``urn:asip-sante:ci-sis``). Après
toutes les vérifications ci-dessus, faites sur le fichier entier, le CDA en est détaché et rendu
seul : la feuille de style n'est jamais exécutée ni transmise, ses ``document()``, ``xsl:import``
ou scripts ne sont que du texte laissé de côté (docs/TYPES.md).
"""

from __future__ import annotations

import re
from typing import Any, Final

from lxml import etree

NS_HL7: Final = "urn:hl7-org:v3"
H: Final = "{" + NS_HL7 + "}"
"""Le préfixe des balises HL7 telles que lxml les nomme : ``H + "section"``."""
XSLT: Final = "{http://www.w3.org/1999/XSL/Transform}"
CONTENU_CISIS: Final = "{urn:asip-sante:ci-sis}Contenu"

TAILLE_MAX: Final = 20 * 1024 * 1024
PROFONDEUR_MAX: Final = 100
MARQUES_MAX: Final = 1_000_000


class CDAInvalide(Exception):
    """Le document n'est pas un CDA R2 lisible sans risque ; ``message`` le dit en français."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


def analyser(donnees: bytes) -> Any:
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
    if racine.tag in {XSLT + "stylesheet", XSLT + "transform"}:
        return _cda_autopresentable(racine)
    if racine.tag != H + "ClinicalDocument":
        raise CDAInvalide(
            "Le document n'est pas un CDA R2 : l'élément racine n'est pas "
            "ClinicalDocument (espace de noms urn:hl7-org:v3)."
        )
    return racine


def _cda_autopresentable(feuille: Any) -> Any:
    """Le CDA d'un document autoprésentable, détaché de sa feuille de style (jamais exécutée) :
    un seul ``data:Contenu``, enfant de la racine, qui porte un seul ``ClinicalDocument``."""
    contenus = feuille.findall(CONTENU_CISIS)
    cdas = [cda for contenu in contenus for cda in contenu.findall(H + "ClinicalDocument")]
    if len(contenus) != 1 or len(cdas) != 1:
        raise CDAInvalide(
            "Ce document autoprésentable (CDA accompagné de sa feuille de style) doit contenir "
            "un et un seul document CDA : il n'est pas accepté."
        )
    cda = cdas[0]
    contenus[0].remove(cda)  # seul désormais : la feuille de style part avec le reste
    return cda


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


# --- Accesseurs partagés par les lecteurs ----------------------------------------------------


def attr(element: Any, nom: str) -> str:
    if element is None:
        return ""
    return str(element.get(nom) or "").strip()


def texte_de(element: Any) -> str:
    """Le texte d'un élément et de ses descendants, espaces normalisés."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def nom_local(element: Any) -> str | None:
    """Le nom local d'un élément HL7 ; ``None`` pour un autre espace de noms ou un non-élément."""
    balise = element.tag
    if isinstance(balise, str) and balise.startswith(H):
        return balise[len(H) :]
    return None
