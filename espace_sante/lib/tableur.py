"""CSV cells a spreadsheet would run as formulas ("CSV injection", OWASP): a cell starting with
``=``, ``+``, ``-`` or ``@`` is a formula to Excel, LibreOffice and Google Sheets (``=HYPERLINK``
leaks data, ``+cmd|…`` ran commands through DDE), and so is one starting with a tab or a carriage
return followed by one of those. Files we read refuse such cells (``cellule_formule``); files we
write neutralise them (``cellule_neutralisee``, or ``ecrivain_csv`` for a whole file): a leading
apostrophe makes the spreadsheet show the text as it is."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def cellule_formule(valeur: str) -> bool:
    """Whether a spreadsheet could read this cell as a formula."""
    return valeur.startswith(DEBUTS_DE_FORMULE)


def cellule_neutralisee(valeur: Any) -> str:
    """The cell as text a spreadsheet shows and never runs (numbers and dates written by us
    are left as they are: only text starting like a formula is prefixed)."""
    texte = "" if valeur is None else str(valeur)
    if isinstance(valeur, str) and cellule_formule(texte):
        return "'" + texte
    return texte


class EcrivainCsv:
    """``csv.writer`` whose every cell goes through ``cellule_neutralisee``: the only way the
    project writes CSV (a test checks no module calls ``csv.writer`` itself)."""

    def __init__(self, flux: Any, **options: Any) -> None:
        self._ecrivain = csv.writer(flux, **options)

    def writerow(self, ligne: Iterable[Any]) -> Any:
        return self._ecrivain.writerow([cellule_neutralisee(c) for c in ligne])

    def writerows(self, lignes: Iterable[Iterable[Any]]) -> None:
        for ligne in lignes:
            self.writerow(ligne)


def ecrivain_csv(flux: Any, **options: Any) -> EcrivainCsv:
    return EcrivainCsv(flux, **options)
