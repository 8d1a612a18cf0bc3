"""The habilitation matrix as first seeded (profession × document type → may read).

Sources and choices are written down in docs/MATRICE.md. Operators edit the matrix in the admin
afterwards; this module only gives the initial rows (and the rows for types added later)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dossier.types import TYPES

from .models import Habilitation
from .nomenclature import Profession as P
from .nomenclature import Specialite

# Families of document types, by code. Every code of the national value set J07 is in one
# family (tests/professionnels/test_matrice.py): none falls under a profession's ``*`` answer.
PRESCRIPTIONS = {
    "57833-6", "57832-8", "57828-6", "PRESC-AAT", "PRESC-BIO", "PRESC-KINE", "PRESC-INF",
    "PRESC-PEDI", "PRESC-ORTHOPHO", "PRESC-ORTHOPTIE", "75468-9", "75496-0", "PROT_ALD",
    "18776-5", "77604-7", "83869-8", "80771-9", "80788-3", "DOCPAT02",
}  # fmt: skip
DISPENSATIONS = {
    "60593-1", "DISP_AUT", "61357-0", "78601-2", "80565-5", "93024-8", "56445-0", "80820-4",
}  # fmt: skip
BIOLOGIE = {"11502-2", "96173-0", "60568-3", "DOCPAT05"}
GENETIQUE = {"51969-4"}
IMAGERIE = {"18748-4", "55115-0", "52040-3", "IMG-KOS", "DOCPAT04"}
VACCINATION = {"11369-6", "87273-9", "96874-3"}
SYNTHESES = {"SYNTH", "60591-5", "34133-9", "101881-1", "DOCPAT01", "DOCPAT08"}
URGENCE = {"74207-2", "60280-5", "15507-7", "78341-5"}
COMPTES_RENDUS = {
    "11488-4", "11490-0", "34112-3", "34874-8", "11505-5", "70004-7", "77436-4", "34749-2",
    "11506-3", "18761-7", "29274-8", "34120-6", "34794-8", "34875-5", "47420-5", "59283-2",
    "67851-6", "68817-6", "75482-0", "75492-9", "78513-9", "85208-7", "96349-6",
    "DOCPAT03", "DOCPAT06",
}  # fmt: skip
MEDICO_SOCIAL = {"28653-4", "34842-5", "83981-1", "88348-8", "BIL_AUTO", "EXPORT_DUI"}
ACCOUCHEMENT = {"15508-5", "57055-6", "57057-2", "57075-4", "89235-6", "78489-2", "89233-1"}
PSY = {"68599-0", "83901-9"}
DENTAIRE = {"28617-9", "83836-7"}
DIRECTIVES = {"EXPPAT_1", "EXPPAT_3"}
CERTIFICATS = {
    "89601-9", "86531-1", "59284-0", "CERT_DECL", "AUTORIS-SOINS", "DOCPAT07",
}  # fmt: skip
ADMINISTRATIF = {
    "51851-4", "ATTEST-DROITS-AM", "ATTEST-ASS-COMPL", "ATTEST-RESID", "ATTEST-HEBGT",
    "PIECE-IDENTITE", "FICHE-CONTACTS", "56446-8", "DOCPAT09", "REMB",
}  # fmt: skip
AUTRES_DU_PATIENT = {"EXPPAT_2", "74465-6"}
# Technical entries of the value set (a stylesheet, a generic "full document"): médecins only.
TECHNIQUES = {"FEUILLE-DE-STYLE", "E1762"}

FAMILLES = (
    PRESCRIPTIONS, DISPENSATIONS, BIOLOGIE, GENETIQUE, IMAGERIE, VACCINATION, SYNTHESES,
    URGENCE, COMPTES_RENDUS, MEDICO_SOCIAL, ACCOUCHEMENT, PSY, DENTAIRE, DIRECTIVES,
    CERTIFICATS, ADMINISTRATIF, AUTRES_DU_PATIENT, TECHNIQUES,
)  # fmt: skip

SOINS = PRESCRIPTIONS | SYNTHESES | URGENCE | VACCINATION | AUTRES_DU_PATIENT

# What each profession other than médecin reads. Médecins read every type, listed or not.
LECTURES: dict[str, set[str]] = {
    P.SAGE_FEMME: SOINS
    | DISPENSATIONS
    | BIOLOGIE
    | IMAGERIE
    | COMPTES_RENDUS
    | ACCOUCHEMENT
    | DIRECTIVES
    | CERTIFICATS,
    P.CHIRURGIEN_DENTISTE: SOINS
    | DISPENSATIONS
    | BIOLOGIE
    | IMAGERIE
    | COMPTES_RENDUS
    | ACCOUCHEMENT
    | DENTAIRE
    | CERTIFICATS,
    P.PHARMACIEN: PRESCRIPTIONS
    | DISPENSATIONS
    | BIOLOGIE
    | VACCINATION
    | SYNTHESES
    | URGENCE
    | AUTRES_DU_PATIENT,
    P.INFIRMIER: SOINS
    | DISPENSATIONS
    | BIOLOGIE
    | IMAGERIE
    | COMPTES_RENDUS
    | MEDICO_SOCIAL
    | ACCOUCHEMENT
    | DIRECTIVES,
    P.MASSEUR_KINE: SOINS | IMAGERIE | COMPTES_RENDUS,
    P.PEDICURE_PODOLOGUE: SOINS | BIOLOGIE | IMAGERIE | COMPTES_RENDUS,
    P.TECHNICIEN_LABORATOIRE: PRESCRIPTIONS | BIOLOGIE,
    P.MANIPULATEUR_ERM: PRESCRIPTIONS | IMAGERIE,
    P.PSYCHOLOGUE: SYNTHESES | PSY | MEDICO_SOCIAL | AUTRES_DU_PATIENT,
    P.DIETETICIEN: PRESCRIPTIONS | SYNTHESES | BIOLOGIE,
    P.ORTHOPHONISTE: PRESCRIPTIONS | SYNTHESES | COMPTES_RENDUS,
    P.ORTHOPTISTE: PRESCRIPTIONS | SYNTHESES | COMPTES_RENDUS,
    P.ERGOTHERAPEUTE: PRESCRIPTIONS | SYNTHESES | COMPTES_RENDUS | MEDICO_SOCIAL,
    P.PSYCHOMOTRICIEN: PRESCRIPTIONS | SYNTHESES | COMPTES_RENDUS,
    P.AUDIOPROTHESISTE: PRESCRIPTIONS | SYNTHESES,
    P.OPTICIEN: PRESCRIPTIONS,
    P.ORTHOPROTHESISTE: PRESCRIPTIONS | SYNTHESES,
    P.PODO_ORTHESISTE: PRESCRIPTIONS | SYNTHESES,
    P.ORTHOPEDISTE_ORTHESISTE: PRESCRIPTIONS | SYNTHESES,
    P.OCULARISTE: PRESCRIPTIONS,
    P.EPITHESISTE: PRESCRIPTIONS,
}

TOUS_LES_AUTRES = "*"
TOUTES_SPECIALITES = "*"

# What some specialties read, where they differ from their profession (docs/MATRICE.md): type
# code (or ``*`` for every type the specialty's rows do not list) → may read. A specialty with
# rows answers from them first; its profession's rows answer the rest.
PAR_SPECIALITE: dict[tuple[str, str], dict[str, bool]] = {
    # Occupational medicine reads nothing of the space (it may still deposit): the access the
    # law of 2 August 2021 opened to it (CSP L. 1111-17 IV) needs the worker's express consent,
    # which the grant of this space does not collect.
    **{
        (P.MEDECIN.value, specialite): {TOUS_LES_AUTRES: False}
        for specialite in Specialite.MEDECINE_DU_TRAVAIL_TOUTES
    },
}


def lignes_initiales() -> Iterator[tuple[str, str, bool]]:
    """(profession, type code, may read) for every profession and every catalogued type,
    plus each profession's answer for types the catalogue does not know (``*``)."""
    for profession in P:
        lus = LECTURES.get(profession, set())
        for code in TYPES:
            yield profession.value, code, profession == P.MEDECIN or code in lus
        yield profession.value, TOUS_LES_AUTRES, profession == P.MEDECIN


def lignes_specialites() -> Iterator[tuple[str, str, str, bool]]:
    """(profession, specialty, type code, may read): the rows of the specialties that read
    otherwise than their profession."""
    for (profession, specialite), lectures in PAR_SPECIALITE.items():
        for code, lecture in lectures.items():
            yield profession, specialite, code, lecture


def semer(modele: Any = None) -> int:
    """Insert the initial rows that are missing (existing cells, edited or not, are kept).
    ``modele`` is the historical model in a migration (before the specialty column existed,
    only the professions' rows). Returns how many rows were added."""
    if modele is None:
        modele = Habilitation
    avant = modele.objects.count()
    rangs = [
        modele(profession=profession, type_code=code, lecture=lecture)
        for profession, code, lecture in lignes_initiales()
    ]
    if any(champ.name == "specialite" for champ in modele._meta.get_fields()):
        rangs += [
            modele(profession=profession, specialite=specialite, type_code=code, lecture=lecture)
            for profession, specialite, code, lecture in lignes_specialites()
        ]
    modele.objects.bulk_create(rangs, ignore_conflicts=True)
    return int(modele.objects.count() - avant)
