"""Rule 4: the habilitation matrix — which document types each profession reads (data that
operators edit: docs/MATRICE.md). The medical profile counts as a type too (DESIGN.md §6)."""

from __future__ import annotations

from django.db.models import Q

from professionnels.models import Habilitation

TYPE_PROFIL = "DOCPAT08"  # the profile counts as this type for the matrix (DESIGN.md §6)
TYPE_DIRECTIVES = "EXPPAT_3"  # the directives anticipées


def matrice(profession: str) -> dict[str, bool]:
    """This profession's row of the matrix: type code → may read (``*``: unlisted types)."""
    return dict(
        Habilitation.objects.filter(profession=profession).values_list("type_code", "lecture")
    )


def lit(lignes: dict[str, bool], type_code: str) -> bool:
    """Rule 4 for one type, from one profession's row of the matrix."""
    return lignes.get(type_code, lignes.get(Habilitation.TOUS_LES_AUTRES, False))


def types_lisibles(lignes: dict[str, bool]) -> Q:
    """Rule 4 as a filter on documents, from one profession's row of the matrix."""
    lignes = dict(lignes)
    par_defaut = lignes.pop(Habilitation.TOUS_LES_AUTRES, False)
    if par_defaut:
        return ~Q(type_code__in=[code for code, lu in lignes.items() if not lu])
    return Q(type_code__in=[code for code, lu in lignes.items() if lu])


def peut_lire_type(*, profession: str, type_code: str) -> bool:
    return lit(matrice(profession), type_code)
