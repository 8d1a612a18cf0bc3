"""Document types and the categories shown to the person (DESIGN.md §3, docs/TYPES.md).

The types are every code of the national value set JDV_J07 (CI-SIS XDS typeCode), read from
``donnees/types_j07.json``, which ``scripts/types_documents.py`` generates from the value set
(code, code system and label are facts of the nomenclature). Where each type is shown — its
category — and which types the deposit forms offer are our choices, in
``donnees/categories_types.toml``. A code the value set does not know keeps the code and the
label its document gave (``type_declare``) and is shown under "Autres documents"."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Categorie(models.TextChoices):
    ORDONNANCES = "ordonnances", _("Ordonnances & soins")
    BIOLOGIE = "biologie", _("Biologie")
    IMAGERIE = "imagerie", _("Imagerie")
    COMPTES_RENDUS = "comptes_rendus", _("Comptes rendus & hospitalisation")
    VACCINATION = "vaccination", _("Vaccination")
    CERTIFICATS = "certificats", _("Certificats & attestations")
    REMBOURSEMENTS = "remboursements", _("Remboursements")
    MES_DOCUMENTS = "mes_documents", _("Mes documents")
    AUTRES = "autres_documents", _("Autres documents")


OID_LOINC = "2.16.840.1.113883.6.1"
OID_TYPES_FR = "1.2.250.1.213.1.1.4.12"

DONNEES = Path(__file__).resolve().parent / "donnees"


@dataclass(frozen=True)
class TypeDocument:
    """A document type. ``libelle`` is what people read (the label of J07, its "CR" spelled
    out); ``libelle_officiel`` is the label as the nomenclature writes it (what the FHIR export
    states); ``connu`` is False for a code J07 does not have, kept as its document gave it."""

    code: str
    libelle: str
    categorie: Categorie
    systeme: str = OID_LOINC
    depot_patient: bool = False
    libelle_officiel: str = ""
    depot_professionnel: bool = False
    connu: bool = True


_ABREVIATION = re.compile(r"^CR\b")


def libelle_lisible(libelle: str) -> str:
    """J07 writes "CR" for "compte rendu": spelled out for the person (and the history's
    sentences, which put the label in lower case)."""
    return _ABREVIATION.sub("Compte rendu", libelle)


def _table() -> tuple[dict[str, TypeDocument], list[str], dict[str, str]]:
    """The types from the generated value set and our choices; a J07 code our file has no
    category for is shown under "Autres documents" (the tests forbid it)."""
    j07: dict[str, Any] = json.loads((DONNEES / "types_j07.json").read_text("utf-8"))
    choix: dict[str, Any] = tomllib.loads((DONNEES / "categories_types.toml").read_text("utf-8"))
    categories = {
        code: Categorie(valeur) for valeur, codes in choix["categories"].items() for code in codes
    }
    patient = list(choix["formulaires"]["patient"])
    hors_pro = set(choix["formulaires"]["hors_formulaire_professionnel"])
    types = {
        c["code"]: TypeDocument(
            code=c["code"],
            libelle=libelle_lisible(c["libelle"]),
            categorie=categories.get(c["code"], Categorie.AUTRES),
            systeme=c["systeme"],
            depot_patient=c["code"] in patient,
            libelle_officiel=c["libelle"],
            depot_professionnel=c["code"] not in patient and c["code"] not in hors_pro,
        )
        for c in j07["concepts"]
    }
    return types, patient, j07["jeu_de_valeurs"]


TYPES, _ORDRE_PATIENT, JEU_DE_VALEURS = _table()
"""``TYPES``: every J07 code → its type, in the value set's order. ``JEU_DE_VALEURS``: the
identity of the value set the table was generated from (OID, date of its last update)."""

TYPES_DEPOT_PATIENT = [TYPES[code] for code in _ORDRE_PATIENT]
TYPES_DEPOT_PROFESSIONNEL = sorted(
    (t for t in TYPES.values() if t.depot_professionnel), key=lambda t: t.libelle
)
TYPE_PAR_DEFAUT_PATIENT = "EXPPAT_2"


def type_document(code: str) -> TypeDocument | None:
    return TYPES.get(code)


def type_declare(code: str, *, libelle: str = "", systeme: str = "") -> TypeDocument:
    """The type a document states: the table's when J07 has the code (whatever label the
    document gives it), else the document's own code and label under "Autres documents"."""
    connu = TYPES.get(code)
    if connu is not None:
        return connu
    libelle = " ".join(libelle.split())
    return TypeDocument(
        code=code,
        libelle=libelle or gettext("Type non répertorié (code %(code)s)") % {"code": code},
        categorie=Categorie.AUTRES,
        systeme=systeme,
        libelle_officiel=libelle,
        connu=False,
    )


def categorie_de(code: str, *, depot_patient: bool = False) -> Categorie:
    """The category of a type; a code J07 does not know goes to "Autres documents", whoever
    deposits it (``depot_patient`` no longer changes the answer: kept for its callers)."""
    connu = TYPES.get(code)
    return connu.categorie if connu is not None else Categorie.AUTRES
