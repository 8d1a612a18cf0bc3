"""Write static/css/dsfr-utilitaires.css: the rules of DSFR's utility sheet (icons, colours,
artwork: 450 KB) that the pages use, a few KB; and static/css/dsfr-composants.css, the same for
DSFR's main sheet (dsfr.min.css, 700 KB), whose classes DSFR's script also sets (its words are
kept as ``fr-<word>``).

The classes used are the ``fr-…`` words of the templates, of the Python code that produces
classes, of our scripts and of the django-dsfr templates our forms render (its form renderer,
not its component templates); a rule is kept when one of its selectors names only classes from
that set (or no class at all). Left out as well: DSFR's dark theme (base.html fixes the light
scheme) and Internet Explorer's ``min-width:0\\0`` media queries, which no other browser
matches (59 KB of the component subset, the dark theme 17 KB). The sheet is read with a CSS
parser (tinycss2), the icons' relative addresses rewritten for the new place.

    python scripts/css_utilitaires.py           # rewrite the subset
    python scripts/css_utilitaires.py --check   # exit 1 when the committed subset is stale

tests/test_css_utilitaires.py fails when a template uses a utility class missing from the subset.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import tinycss2
from tinycss2 import ast

RACINE = Path(__file__).resolve().parent.parent
SORTIE = RACINE / "static" / "css" / "dsfr-utilitaires.css"
SORTIE_COMPOSANTS = RACINE / "static" / "css" / "dsfr-composants.css"
# Where the scanned words come from: our templates, code and scripts.
SOURCES = (
    ("templates", "*.html"),
    ("static/js", "*.js"),
    *(
        (app, "*.py")
        for app in (
            "espace_sante",
            "dossier",
            "profil",
            "professionnels",
            "messagerie",
            "agenda",
            "proches",
            "ensemble",
            "interop",
        )
    ),
)
# django-dsfr's templates our pages render: its form renderer (DsfrBaseForm), not its components.
DSFR_GABARITS = (
    "django/forms/**/*.html",
    "dsfr/form_snippet.html",
    "dsfr/form_field_snippets/*.html",
    "dsfr/widgets/*.html",
)
MOT = re.compile(r"\bfr-[a-z0-9][a-z0-9_-]*[a-z0-9]")
# The subsets live in static/css/; the sheets' addresses are relative to dsfr/dist/utility/
# and dsfr/dist/.
ADRESSES = (
    ("../icons/", "../dsfr/dist/icons/"),
    ("../artwork/", "../dsfr/dist/artwork/"),
    ("fonts/", "../dsfr/dist/fonts/"),
    ("icons/", "../dsfr/dist/icons/"),
    ("artwork/", "../dsfr/dist/artwork/"),
)
# The quoted words of DSFR's script: the class names it sets, without their "fr-" prefix.
MOT_SCRIPT = re.compile(r"""["'`]([a-z][a-z0-9_]*(?:-{1,2}[a-z0-9_]+)*)["'`]""")


def dsfr_dist() -> Path:
    # import différé : only the script needs django-dsfr's location, not the module's importers
    import dsfr

    return Path(dsfr.__file__).resolve().parent / "static" / "dsfr" / "dist"


def fichiers_sources(racine: Path = RACINE) -> Iterator[Path]:
    for dossier, motif in SOURCES:
        yield from sorted((racine / dossier).rglob(motif))
    gabarits = dsfr_dist().parent.parent.parent / "templates"
    for motif in DSFR_GABARITS:
        yield from sorted(gabarits.glob(motif))


def classes_utilisees(fichiers: Iterable[Path]) -> set[str]:
    """Every ``fr-…`` word of ``fichiers``: the classes the pages may carry."""
    return {mot for f in fichiers for mot in MOT.findall(f.read_text(encoding="utf-8"))}


def _classes_du_selecteur(jetons: list[ast.Node]) -> set[str]:
    classes = set()
    for avant, jeton in zip([None, *jetons], jetons, strict=False):
        if (
            isinstance(jeton, ast.IdentToken)
            and isinstance(avant, ast.LiteralToken)
            and avant.value == "."
        ):
            classes.add(jeton.value)
    return classes


def _selecteurs(prelude: list[ast.Node]) -> list[list[ast.Node]]:
    selecteurs: list[list[ast.Node]] = [[]]
    for jeton in prelude:
        if isinstance(jeton, ast.LiteralToken) and jeton.value == ",":
            selecteurs.append([])
        else:
            selecteurs[-1].append(jeton)
    return selecteurs


def _sombre(selecteur: list[ast.Node]) -> bool:
    """A selector of DSFR's dark theme: base.html fixes the light scheme (data-fr-scheme)."""
    return "[data-fr-theme=dark]" in tinycss2.serialize(selecteur).replace(" ", "")


def _garde(regle: ast.QualifiedRule, classes: set[str]) -> bool:
    return any(
        _classes_du_selecteur(s) <= classes and not _sombre(s) for s in _selecteurs(regle.prelude)
    )


def _jamais(regle: ast.AtRule) -> bool:
    """A media query no browser we serve matches: Internet Explorer's ``min-width:0\\0`` hack
    (the escaped NUL makes it invalid elsewhere), in each of its comma-separated queries."""
    return regle.at_keyword == "media" and all(
        "\ufffd" in tinycss2.serialize(requete) for requete in _selecteurs(regle.prelude)
    )


def _adresse(valeur: str) -> str:
    for avant, apres in ADRESSES:
        if valeur.startswith(avant):
            return apres + valeur.removeprefix(avant)
    return valeur


def _adresses(jetons: list[ast.Node]) -> None:
    for jeton in jetons:
        if isinstance(jeton, ast.URLToken):
            jeton.value = _adresse(jeton.value)
            jeton.representation = f"url({jeton.value})"
        elif isinstance(jeton, ast.FunctionBlock) and jeton.lower_name == "url":
            for argument in jeton.arguments:
                if isinstance(argument, ast.StringToken):
                    argument.value = _adresse(argument.value)
                    argument.representation = f'"{argument.value}"'
                elif not isinstance(argument, ast.WhitespaceToken):
                    raise ValueError(f"url() with {argument!r}")


def filtrer(regles: Iterable[ast.Node], classes: set[str]) -> list[ast.Node]:
    """The rules of ``regles`` a page with ``classes`` may match, at-rules filtered inside."""
    gardees: list[ast.Node] = []
    for regle in regles:
        if isinstance(regle, ast.QualifiedRule):
            if _garde(regle, classes):
                _adresses(regle.content)
                gardees.append(regle)
        elif (
            isinstance(regle, ast.AtRule)
            and regle.content is not None
            and regle.at_keyword
            in {
                "media",
                "supports",
            }
        ):
            if _jamais(regle):
                continue
            dedans = filtrer(tinycss2.parse_rule_list(regle.content), classes)
            if dedans:
                regle.content = dedans
                gardees.append(regle)
        elif isinstance(regle, ast.AtRule):
            if regle.content is not None and regle.at_keyword == "font-face":
                _adresses(regle.content)
            gardees.append(regle)
    return gardees


def classes_du_script() -> set[str]:
    """The classes DSFR's script may set: each quoted word of it, as ``fr-<word>``."""
    script = (dsfr_dist() / "dsfr.module.min.js").read_text(encoding="utf-8")
    return {f"fr-{mot}" for mot in MOT_SCRIPT.findall(script)}


def sous_ensemble(classes: set[str], feuille: str = "utility/utility.min.css") -> str:
    texte = (dsfr_dist() / feuille).read_text(encoding="utf-8")
    regles = tinycss2.parse_stylesheet(texte, skip_comments=True, skip_whitespace=True)
    regles = [r for r in regles if not (isinstance(r, ast.AtRule) and r.at_keyword == "charset")]
    entete = (
        f"/* The DSFR rules Espace Santé uses, from dsfr/dist/{feuille} (MIT, DSFR).\n"
        "   Generated by scripts/css_utilitaires.py: do not edit by hand. */\n"
    )
    return entete + "\n".join(r.serialize() for r in filtrer(regles, classes)) + "\n"


def sorties() -> dict[Path, str]:
    classes = classes_utilisees(fichiers_sources())
    return {
        SORTIE: sous_ensemble(classes),
        SORTIE_COMPOSANTS: sous_ensemble(classes | classes_du_script(), "dsfr.min.css"),
    }


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--check", action="store_true", help="fail when the subset is stale")
    args = options.parse_args(argv)
    perimees = 0
    for sortie, texte in sorties().items():
        nom = sortie.relative_to(RACINE)
        if not args.check:
            sortie.write_text(texte, encoding="utf-8")
            print(f"{nom}: {len(texte.encode()) // 1024} KB")
        elif not sortie.exists() or sortie.read_text(encoding="utf-8") != texte:
            print(f"{nom} is stale: run scripts/css_utilitaires.py")
            perimees += 1
    return 1 if perimees else 0


if __name__ == "__main__":
    sys.exit(main())
