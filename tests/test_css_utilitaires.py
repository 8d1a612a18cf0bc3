"""The pages link a subset of DSFR's utility sheet (issue 20, point 10): it must hold every
utility class the templates and the code use (icons first), and be exactly what
scripts/css_utilitaires.py writes today."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import tinycss2

RACINE = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "css_utilitaires", RACINE / "scripts" / "css_utilitaires.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("css_utilitaires", module)
    spec.loader.exec_module(module)
    return module


def _classes_de(css: str) -> set[str]:
    regles = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return {
        jeton.value
        for regle in regles
        if isinstance(regle, tinycss2.ast.QualifiedRule)
        for avant, jeton in zip(regle.prelude, regle.prelude[1:], strict=False)
        if isinstance(avant, tinycss2.ast.LiteralToken) and avant.value == "."
    }


def test_every_utility_class_the_pages_use_is_in_the_subset() -> None:
    script = _script()
    complete = (script.dsfr_dist() / "utility" / "utility.min.css").read_text(encoding="utf-8")
    utilitaires = _classes_de(complete)
    utilisees = script.classes_utilisees(script.fichiers_sources()) & utilitaires
    presentes = _classes_de(script.SORTIE.read_text(encoding="utf-8"))
    manquantes = utilisees - presentes
    assert not manquantes, f"run scripts/css_utilitaires.py: {sorted(manquantes)}"
    assert any(c.startswith("fr-icon-") for c in utilisees)


def test_the_committed_subset_is_what_the_script_writes() -> None:
    assert _script().main(["--check"]) == 0


def test_the_component_subset_keeps_what_the_pages_and_dsfrs_script_use() -> None:
    script = _script()
    css = script.SORTIE_COMPOSANTS.read_text(encoding="utf-8")
    presentes = _classes_de(css)
    # used in our templates; set by DSFR's script when the phone menu opens
    assert {"fr-header__tools-links", "fr-btn", "fr-modal--opened"} <= presentes
    assert "fr-card--download" not in script.classes_utilisees(script.fichiers_sources())
    assert "../dsfr/dist/fonts/Marianne-Regular.woff2" in css
    assert len(css) < 0.6 * len((script.dsfr_dist() / "dsfr.min.css").read_text(encoding="utf-8"))


def test_the_subset_keeps_a_used_icon_and_drops_an_unused_one() -> None:
    script = _script()
    css = script.sous_ensemble({"fr-icon-logout-box-r-line"})
    assert "logout-box-r-line.svg" in css
    assert "../dsfr/dist/icons/system/logout-box-r-line.svg" in css
    assert "fr-icon-zoom-in-line" not in css
    assert len(css) < 20_000


def test_a_template_word_becomes_a_used_class(tmp_path: Path) -> None:
    gabarit = tmp_path / "page.html"
    gabarit.write_text('<a class="fr-btn fr-icon-lock-line">x</a>', encoding="utf-8")
    assert {"fr-btn", "fr-icon-lock-line"} <= _script().classes_utilisees([gabarit])
