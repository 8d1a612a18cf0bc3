"""Active spaces made in bulk, with NIRs that pass the key check."""

from __future__ import annotations

from datetime import date
from typing import Any

PREFIXE_NOM = "BENCHINGEST"  # the birth names of the Celery benches' spaces


def nir(sexe: str, naissance: date, rang: int) -> str:
    """A test NIR, distinct for each ``rang``, with its key."""
    from espace_sante.lib.identifiants import nir_cle

    corps = f"{'1' if sexe == 'M' else '2'}{naissance.year % 100:02d}{naissance.month:02d}75"
    corps += f"{rang:06d}"
    return f"{corps}{nir_cle(corps):02d}"


def espaces_creer(nombre: int) -> None:
    """``nombre`` active spaces without holder, named ``PREFIXE_NOM`` and their rank."""
    from espace_sante.lib.identifiants import OID_INS_NIR_TEST
    from profil.models import Espace, Statut

    espaces = []
    for rang in range(1, nombre + 1):
        naissance = date(1950 + rang % 50, 1 + rang % 12, 1 + rang % 28)
        sexe = "F" if rang % 2 else "M"
        espaces.append(
            Espace(
                ins=nir(sexe, naissance, rang),
                ins_oid=OID_INS_NIR_TEST,
                nom_naissance=f"{PREFIXE_NOM}{rang}",
                prenoms="Camille",
                date_naissance=naissance,
                sexe=sexe,
                statut=Statut.ACTIF,
            )
        )
    Espace.objects.bulk_create(espaces)


def espaces_lister() -> list[Any]:
    """The spaces ``espaces_creer`` made, in order."""
    from profil.models import Espace

    return list(Espace.objects.filter(nom_naissance__startswith=PREFIXE_NOM).order_by("pk"))
