"""Fixtures shared by the reimbursement tests (no test here): the insurer's simulator on
loopback, and settings that make the job quick to test (backoff, rate, page size)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from dossier.assurance.simulateur import Simulateur


@pytest.fixture
def simulateur() -> Iterator[Simulateur]:
    with Simulateur() as simulateur:
        yield simulateur


@pytest.fixture
def assurance(settings, simulateur: Simulateur) -> Simulateur:  # type: ignore[no-untyped-def]
    """The settings pointed at the simulator; the rate limit high and a bucket of its own (a
    test that checks the rate sets its own)."""
    settings.ASSURANCE_URL = simulateur.url
    settings.ASSURANCE_DELAI = 5.0
    settings.ASSURANCE_LIMITE_PAGE = 25
    settings.ASSURANCE_PAGES_PAR_TACHE = 10
    settings.ASSURANCE_DEBIT = 10_000.0
    settings.ASSURANCE_RAFALE = 1_000
    settings.ASSURANCE_ATTENTE_MAX = 5.0
    settings.ASSURANCE_DEBIT_CLE = f"test:assurance:debit:{uuid.uuid4().hex}"
    settings.ASSURANCE_BACKOFF_BASE = 0.2
    settings.ASSURANCE_BACKOFF_MAX = 1.0
    settings.ASSURANCE_ESSAIS_MAX = 4
    return simulateur
