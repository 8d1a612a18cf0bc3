"""Rule 4: the habilitation matrix — which document types each profession reads, and where a
specialty reads otherwise, what it reads (data that operators edit: docs/MATRICE.md). The
medical profile counts as a type too (DESIGN.md §6).

A professional's row is read in one query: their specialty's rows first — a type listed
there, or the specialty's ``*`` for every type it does not list — then their profession's
(``*`` included). A specialty without rows reads as its profession."""

from __future__ import annotations

from django.db.models import Q

from professionnels.models import Habilitation

TYPE_PROFIL = "DOCPAT08"  # the profile counts as this type for the matrix (DESIGN.md §6)
TYPE_DIRECTIVES = "EXPPAT_3"  # the directives anticipées


def matrice(profession: str, specialite: str = "") -> dict[str, bool]:
    """This professional's row of the matrix: type code → may read (``*``: unlisted types),
    their specialty's rows over their profession's."""
    toutes = Habilitation.TOUTES_SPECIALITES
    specialites = [toutes, specialite] if specialite and specialite != toutes else [toutes]
    profession_seule: dict[str, bool] = {}
    de_la_specialite: dict[str, bool] = {}
    for code, lecture, de_qui in Habilitation.objects.filter(
        profession=profession, specialite__in=specialites
    ).values_list("type_code", "lecture", "specialite"):
        (profession_seule if de_qui == toutes else de_la_specialite)[code] = lecture
    if Habilitation.TOUS_LES_AUTRES in de_la_specialite:
        return de_la_specialite  # the specialty answers for every type
    return profession_seule | de_la_specialite


def lit(lignes: dict[str, bool], type_code: str) -> bool:
    """Rule 4 for one type, from one professional's row of the matrix."""
    return lignes.get(type_code, lignes.get(Habilitation.TOUS_LES_AUTRES, False))


def types_lisibles(lignes: dict[str, bool]) -> Q:
    """Rule 4 as a filter on documents, from one professional's row of the matrix."""
    lignes = dict(lignes)
    par_defaut = lignes.pop(Habilitation.TOUS_LES_AUTRES, False)
    if par_defaut:
        return ~Q(type_code__in=[code for code, lu in lignes.items() if not lu])
    return Q(type_code__in=[code for code, lu in lignes.items() if lu])


def peut_lire_type(*, profession: str, type_code: str, specialite: str = "") -> bool:
    return lit(matrice(profession, specialite), type_code)
