"""Text and RTF files: the control characters a text may not hold, its encoding and its number
of lines."""

from __future__ import annotations

import codecs
import re

from .commun import TAILLE_DEBUT, Description, FichierCorrompu, Nature

CONTROLES_INTERDITS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")  # C0 but \t \n \f \r
"""What a text never holds (binary data); the detection looks for it too."""
_MORCEAU = 1024 * 1024


def _encodage(donnees: bytes) -> str:
    """UTF-8 if valid, else Windows-1252 if it decodes, else Latin-1 (which decodes anything).
    Decoded by 1 MiB pieces and thrown away: no 100 MiB string is built."""
    for encodage in ("utf-8", "windows-1252"):
        decodeur = codecs.getincrementaldecoder(encodage)()
        try:
            for debut in range(0, len(donnees), _MORCEAU):
                decodeur.decode(donnees[debut : debut + _MORCEAU])
            decodeur.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encodage
    return "iso-8859-1"


def decrire_texte(nature: Nature, donnees: bytes) -> Description:
    if b"\x00" in donnees or CONTROLES_INTERDITS.search(donnees.removeprefix(codecs.BOM_UTF8)):
        raise FichierCorrompu("Ce fichier contient des données binaires : ce n'est pas du texte.")
    encodage = _encodage(donnees)
    if nature is Nature.RTF:
        page_de_code = re.search(rb"\\ansicpg(\d+)", donnees[:TAILLE_DEBUT])
        if page_de_code is not None:
            encodage = f"windows-{int(page_de_code.group(1))}"
    fins = donnees.count(b"\n") + donnees.count(b"\r") - donnees.count(b"\r\n")
    nombre = fins + (0 if donnees.endswith((b"\n", b"\r")) else 1)
    return Description(nature=nature, apercu_possible=False, encodage=encodage, lignes=nombre)
