"""The matrix's seed covers every document type of the catalogue (the national value set J07):
each type is in one family, so none falls under a profession's ``*``
answer (which opens nothing but to médecins); a migration opens the cells of the types added
from J07 on databases seeded before them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dossier.types import TYPES
from espace_sante.acces.matrice import peut_lire_type
from professionnels import matrice
from professionnels.models import Habilitation
from professionnels.nomenclature import Profession

TROD = "96173-0"


def test_every_type_of_the_catalogue_is_in_exactly_one_family() -> None:
    places = {code: [f for f in matrice.FAMILLES if code in f] for code in TYPES}
    sans_famille = sorted(code for code, familles in places.items() if not familles)
    en_double = sorted(code for code, familles in places.items() if len(familles) > 1)
    assert sans_famille == [] and en_double == []
    inconnus = sorted(set().union(*matrice.FAMILLES) - set(TYPES))
    assert inconnus == [], "codes de la matrice absents du catalogue"


def test_the_families_follow_the_categories_the_person_sees() -> None:
    """Biology is read as biology, imaging as imaging: a family never mixes those."""
    for code in matrice.BIOLOGIE:
        assert TYPES[code].categorie.value == "biologie", code
    for code in matrice.IMAGERIE:
        assert TYPES[code].categorie.value == "imagerie", code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("profession", "code", "lit"),
    [
        (Profession.PHARMACIEN, TROD, True),  # a rapid test is biology
        (Profession.INFIRMIER, "18761-7", True),  # a transfer note is a report
        (Profession.SAGE_FEMME, "57075-4", True),  # the birth-room synthesis of the child
        (Profession.PHARMACIEN, "56445-0", True),  # the pharmacy's medication review
        (Profession.MASSEUR_KINE, "PRESC-PEDI", True),
        (Profession.PHARMACIEN, "28653-4", False),  # social-sector documents: not a pharmacist's
        (Profession.INFIRMIER, "FEUILLE-DE-STYLE", False),
        (Profession.MEDECIN, "E1762", True),
    ],
)
def test_types_added_from_j07_are_read_as_their_family(
    profession: Profession, code: str, lit: bool
) -> None:
    assert Habilitation.objects.filter(profession=profession, type_code=code).exists()
    assert peut_lire_type(profession=profession, type_code=code) is lit


AVANT = [("professionnels", "0003_revendications_rpps")]
APRES = [("professionnels", "0004_matrice_types_j07")]


@pytest.fixture
def avant_migration(transactional_db) -> Iterator[MigrationExecutor]:  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(AVANT)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_opens_the_new_types_cells_and_keeps_the_others(avant_migration) -> None:  # type: ignore[no-untyped-def]
    anciens = avant_migration.loader.project_state(AVANT).apps.get_model(
        "professionnels", "Habilitation"
    )
    # The seed of migration 0002 (an earlier transactional test may have flushed it).
    matrice.semer(anciens)
    # A database seeded before the J07 types: no cell for the TROD; one seeded after: a closed one.
    anciens.objects.filter(type_code=TROD).delete()
    anciens.objects.filter(type_code="18761-7").update(lecture=False)
    # An operator's choice on an older type is kept.
    anciens.objects.filter(profession=Profession.PHARMACIEN, type_code="11502-2").update(
        lecture=False
    )

    avant_migration.loader.build_graph()
    avant_migration.migrate(APRES)
    nouveaux = avant_migration.loader.project_state(APRES).apps.get_model(
        "professionnels", "Habilitation"
    )
    lecture = {
        (profession, code): lu
        for profession, code, lu in nouveaux.objects.filter(
            type_code__in=[TROD, "18761-7", "11502-2"]
        ).values_list("profession", "type_code", "lecture")
    }
    assert lecture[(Profession.PHARMACIEN, TROD)] is True
    assert lecture[(Profession.TECHNICIEN_LABORATOIRE, TROD)] is True
    assert lecture[(Profession.OPTICIEN, TROD)] is False
    assert lecture[(Profession.INFIRMIER, "18761-7")] is True
    assert lecture[(Profession.PHARMACIEN, "18761-7")] is False
    assert lecture[(Profession.PHARMACIEN, "11502-2")] is False
