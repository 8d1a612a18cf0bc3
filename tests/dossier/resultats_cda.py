"""Structured lab reports (CR-BIO level 3, IHE PaLM entries) written by the tests, shaped like
the CI-SIS example: one act per report, its observations, their values and ranges."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dossier.models import Resultat, empreinte_analyse
from ensemble import demo

from ..conftest import en_ci


def fichier_partage(chemin: Path) -> bytes:
    """A national example file from ../shared/data; said clearly when absent (a failure in CI)."""
    if not chemin.exists():
        raison = f"{chemin} est absent : les exemples nationaux (../shared/data) sont nécessaires."
        if en_ci():
            pytest.fail(raison)
        pytest.skip(raison)
    return chemin.read_bytes()


# Made by the demo module (the demo command's lab reports are the same kind).
Obs = demo.ObservationBio
cr_bio = demo.cr_bio


def resultat(
    document,  # type: ignore[no-untyped-def]
    *,
    code: str = "3016-3",
    libelle: str = "TSH",
    valeur: str = "1.95",
    unite: str = "m[IU]/L",
    le: date = date(2024, 1, 15),
    rang: int = 1,
    **contenu: str,
) -> Resultat:
    """A result row of ``document`` (as ingestion stores it), for the page and policy tests."""
    import json

    valeurs = {"libelle": libelle, "genre": "nombre", "valeur": valeur, "unite": unite, **contenu}
    return Resultat.objects.create(
        espace_id=document.espace_id,
        document=document,
        rang=rang,
        code=code,
        analyse=empreinte_analyse(document.espace_id, code),
        date_observation=le,
        contenu=json.dumps(valeurs, ensure_ascii=False),
    )
