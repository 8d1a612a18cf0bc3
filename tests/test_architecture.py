"""The layers hold (docs/ARCHITECTURE.md): no import circle between our modules, even through
imports written inside functions, and a function-level import only where a tool requires it,
with its reason written next to it (``# import différé : …``). The layer contract itself is
``.importlinter``, run by ``make layers``."""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import grimp

RACINE = Path(__file__).resolve().parent.parent
PAQUETS = [
    nom
    for nom in ("espace_sante", "dossier", "profil", "professionnels", "ensemble")
    if importlib.util.find_spec(nom) is not None
]
MARQUE = "import différé"


def _composantes(graphe: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    bas: dict[str, int] = {}
    pile: list[str] = []
    sur_pile: set[str] = set()
    composantes: list[list[str]] = []
    travail: list[tuple[str, Iterator[str]]] = []

    def entrer(module: str) -> None:
        index[module] = bas[module] = len(index)
        pile.append(module)
        sur_pile.add(module)
        travail.append((module, iter(sorted(graphe.find_modules_directly_imported_by(module)))))

    for depart in sorted(graphe.modules):
        if depart in index:
            continue
        entrer(depart)
        while travail:
            module, suivants = travail[-1]
            for suivant in suivants:
                if suivant not in index:
                    entrer(suivant)
                    break
                if suivant in sur_pile:
                    bas[module] = min(bas[module], index[suivant])
            else:
                travail.pop()
                if travail:
                    parent = travail[-1][0]
                    bas[parent] = min(bas[parent], bas[module])
                if bas[module] == index[module]:
                    composante = []
                    while True:
                        membre = pile.pop()
                        sur_pile.discard(membre)
                        composante.append(membre)
                        if membre == module:
                            break
                    if len(composante) > 1:
                        composantes.append(sorted(composante))
    return composantes


def test_no_import_circle_between_our_modules() -> None:
    graphe = grimp.build_graph(*PAQUETS, exclude_type_checking_imports=True, cache_dir=None)
    assert _composantes(graphe) == []


def test_the_circle_finder_finds_a_circle() -> None:
    graphe = grimp.ImportGraph()
    for module in ("a", "a.b", "a.c", "a.d"):
        graphe.add_module(module)
    graphe.add_import(importer="a.b", imported="a.c")
    graphe.add_import(importer="a.c", imported="a.b")
    graphe.add_import(importer="a.d", imported="a.b")
    assert _composantes(graphe) == [["a.b", "a.c"]]


def _imports_differes(source: str) -> Iterator[int]:
    """Line numbers of the imports written inside a function."""
    for noeud in ast.walk(ast.parse(source)):
        if isinstance(noeud, ast.FunctionDef | ast.AsyncFunctionDef):
            for interieur in ast.walk(noeud):
                if isinstance(interieur, ast.Import | ast.ImportFrom):
                    yield interieur.lineno


def _sans_raison(source: str) -> list[int]:
    lignes = source.splitlines()
    manquantes = []
    for numero in _imports_differes(source):
        commentaire = [lignes[numero - 1]]
        precedente = numero - 2
        while precedente >= 0 and lignes[precedente].strip().startswith("#"):
            commentaire.append(lignes[precedente])
            precedente -= 1
        if not any(MARQUE in ligne for ligne in commentaire):
            manquantes.append(numero)
    return manquantes


def test_every_function_level_import_says_why() -> None:
    manquantes = []
    for paquet in PAQUETS:
        for chemin in sorted((RACINE / paquet).rglob("*.py")):
            if "migrations" in chemin.parts:
                continue
            for numero in _sans_raison(chemin.read_text(encoding="utf-8")):
                manquantes.append(f"{chemin.relative_to(RACINE)}:{numero}")
    assert manquantes == []


def test_the_reason_check_sees_a_missing_reason() -> None:
    source = (
        "def f():\n"
        "    import json\n"
        "def g():\n"
        "    # import différé : a tool requires it\n"
        "    import json\n"
        "def h():\n"
        "    import json  # import différé : same line\n"
    )
    assert _sans_raison(source) == [2]
