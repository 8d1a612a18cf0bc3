"""Le bloc narratif (``section/text``) d'un document CDA converti en HTML par liste blanche.

Seules les balises de ``BALISES_HTML`` sortent, avec pour seuls attributs ``colspan`` et
``rowspan`` (entiers de 1 à 1000) ; tout texte est échappé ; un élément inconnu (``script``,
``img``, élément d'un autre espace de noms…) est transparent : son texte reste, échappé, ses
enfants sont convertis. Le résultat est une ``str`` ordinaire : c'est à l'appelant de la marquer
sûre pour l'afficher.
"""

from __future__ import annotations

import html
import re
from typing import Any, Final

from .analyse import H, attr, nom_local

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
    jetons = attr(element, "styleCode").lower().split()
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
        valeur = attr(element, nom)
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
    nom = nom_local(element)
    if nom is None:
        if isinstance(element.tag, str):  # élément d'un autre espace de noms : transparent
            _contenu(element, sortie)
        return
    if nom == "paragraph":
        sortie.append("<p>")
        _avec_styles(element, sortie)
        sortie.append("</p>")
    elif nom in {"content", "item"}:  # un item hors d'une liste (dans une liste : _liste)
        sortie.append("<span>")
        _avec_styles(element, sortie)
        sortie.append("</span>")
    elif nom == "list":
        _liste(element, sortie)
    elif nom == "table":
        sortie.append("<table>")
        _contenu(element, sortie)
        sortie.append("</table>")
    elif nom == "caption":
        parent = element.getparent()
        if parent is not None and nom_local(parent) == "table":
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
        sortie.extend("<col>" for enfant in element if nom_local(enfant) == "col")
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
        legende = element.find(H + "caption")
        if legende is not None:
            _entre_parentheses(legende, sortie)
    elif nom == "footnoteRef":
        return
    else:  # élément HL7 inconnu du bloc narratif : transparent
        _contenu(element, sortie)


def _liste(element: Any, sortie: list[str]) -> None:
    balise = "ol" if attr(element, "listType").lower() == "ordered" else "ul"
    for legende in element.iterfind(H + "caption"):
        sortie.append("<p><strong>")
        _contenu(legende, sortie)
        sortie.append("</strong></p>")
    sortie.append(f"<{balise}>")
    if element.text and element.text.strip():
        sortie.append(f"<li>{_echapper(element.text)}</li>")
    for enfant in element:
        nom = nom_local(enfant)
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
