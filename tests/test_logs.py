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
