"""The matrix's cells for the 51 document types added from the national value set J07 (dossier
migration 0009): each type is now in a family (professionnels/matrice.py, docs/MATRICE.md), so
a pharmacist reads a rapid diagnostic test (TROD) as any other biology. Until now these types
had no cell on databases seeded before them (the profession's ``*`` answer: médecins only) or
a closed one on databases seeded after; the cells the families open are opened and the
others stay as they are."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone

TYPES_AJOUTES = (
    "ATTEST-RESID", "ATTEST-HEBGT", "AUTORIS-SOINS", "BIL_AUTO", "IMG-KOS", "PIECE-IDENTITE",
    "PRESC-PEDI", "PRESC-ORTHOPHO", "PRESC-ORTHOPTIE", "FEUILLE-DE-STYLE", "FICHE-CONTACTS",
    "EXPORT_DUI", "11506-3", "18761-7", "28653-4", "29274-8", "34120-6", "34794-8", "34842-5",
    "34875-5", "47420-5", "56445-0", "56446-8", "59283-2", "67851-6", "68817-6", "78341-5",
    "74465-6", "75468-9", "75482-0", "75492-9", "75496-0", "78513-9", "80565-5", "80771-9",
    "80788-3", "80820-4", "83869-8", "83981-1", "85208-7", "88348-8", "93024-8", "96349-6",
    "96173-0", "57057-2", "57075-4", "89235-6", "78489-2", "89233-1", "101881-1", "E1762",
)


def ouvrir(apps: Any, schema_editor: Any) -> None:
    # import différé : the seed of the code being migrated to, read when the migration runs
    from professionnels.matrice import lignes_initiales, semer

    Habilitation = apps.get_model("professionnels", "Habilitation")
    semer(Habilitation)
    ouvertes = [
        (profession, code)
        for profession, code, lecture in lignes_initiales()
        if lecture and code in TYPES_AJOUTES
    ]
    for profession, code in ouvertes:
        Habilitation.objects.filter(profession=profession, type_code=code, lecture=False).update(
            lecture=True, modifie_le=timezone.now()
        )


class Migration(migrations.Migration):
    dependencies = [("professionnels", "0003_revendications_rpps")]

    operations = [migrations.RunPython(ouvrir, migrations.RunPython.noop)]
