from __future__ import annotations

import logging

from espace_sante.lib.logging import MasqueDonneesSensibles, masquer


def test_ins_and_codes_are_masked_in_log_lines() -> None:
    assert "277076322082910" not in masquer("recherche 277076322082910 en cours")
    assert "2 77 07 63 220 829 10" not in masquer("INS 2 77 07 63 220 829 10")
    assert masquer("POST /activation/?code=ABCD-EFGH") == "POST /activation/?code=[masqué]"


def test_the_filter_rewrites_records() -> None:
    enregistrement = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "ins=%s", ("170012A00456789",), None
    )
    assert MasqueDonneesSensibles().filter(enregistrement)
    assert "170012A00456789" not in enregistrement.getMessage()


def test_a_reader_s_failure_is_logged_with_its_place_but_not_its_text(caplog) -> None:  # type: ignore[no-untyped-def]
    """An error raised while reading health content may quote it; the log keeps its type and
    where it was raised, never its text (``logger.exception`` would print it)."""
    import logging

    from espace_sante.lib.logging import erreur_sans_contenu

    journal = logging.getLogger("tests.lecteur")
    with caplog.at_level(logging.ERROR, logger="tests.lecteur"):
        lu = "glycémie 5,4 mmol/L"  # what a document said
        try:
            float(lu)
        except ValueError:
            erreur_sans_contenu(journal, "lecture du document %s impossible", "abc")
    (enregistrement,) = caplog.records
    texte = enregistrement.getMessage() + (caplog.text or "")
    assert "lecture du document abc impossible (ValueError)" in texte
    assert "test_logs.py" in texte  # where it was raised
    assert "5,4" not in texte and "glycémie" not in texte
    assert enregistrement.exc_info is None
