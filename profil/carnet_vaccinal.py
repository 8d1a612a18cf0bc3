"""The carnet de vaccination: the vaccinations noted in the space and those read from the
documents, as one list (docs/VACCINATION.md, "Vaccinations read from the documents").

``dossier`` reads a document's vaccinations at its ingestion and hands them to
``vaccinations_document_enregistrer`` (and erases them with the document,
``vaccinations_document_effacer``); ``profil`` knows the document by its uuid only. Who reads
them is the access package's ``entrees_profil_lisibles``: an entry taken from a document is
read with its document. ``carnet`` merges what the reader may see: one line per vaccine and day,
naming every source (the space's own entry, each document)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from espace_sante.acces import Acces, entrees_profil_lisibles, marque_secret
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur, evenement_enregistrer

from .codes_vaccins import VaccinationLue, libelle_famille
from .models import Espace, OrigineVaccination, Vaccination, empreinte_vaccin
from .vaccination import FAMILLES

__all__ = [
    "LigneCarnet",
    "SourceDocument",
    "carnet",
    "vaccinations_document_effacer",
    "vaccinations_document_enregistrer",
]

# What a document's reading may change on an entry it wrote before (same vaccine, same day).
_CHAMPS_LUS = ("produit", "code", "lot", "rang", "rappel", "vaccinateur")


# --- Writes --------------------------------------------------------------------------------------


def vaccinations_document_enregistrer(
    *,
    espace: Espace,
    document_uuid: uuid.UUID,
    titre: str,
    vaccinations: Iterable[VaccinationLue],
    secret_mineur: bool = False,
) -> int:
    """The carnet's entries of one document become ``vaccinations`` (its reading at
    ingestion): new ones created, changed ones updated, those it no longer states removed.
    Idempotent: the same reading twice changes nothing and journals nothing. An entry of a
    document that is a minor's secret is one too. Returns the number of entries changed."""
    existantes = {
        (v.famille_empreinte, v.date): v
        for v in Vaccination.objects.filter(espace=espace, document_uuid=document_uuid)
    }
    nouvelles: list[Vaccination] = []
    modifiees: list[Vaccination] = []
    lues: set[tuple[str, date]] = set()
    for lue in vaccinations:
        cle = (empreinte_vaccin(espace.pk, lue.famille), lue.date)
        if cle in lues:
            continue
        lues.add(cle)
        valeurs = {nom: getattr(lue, nom) for nom in _CHAMPS_LUS}
        existante = existantes.get(cle)
        if existante is None:
            nouvelles.append(
                Vaccination(
                    espace=espace,
                    famille=lue.famille,
                    famille_empreinte=cle[0],
                    date=lue.date,
                    origine=OrigineVaccination.DOCUMENT,
                    document_uuid=document_uuid,
                    document_titre=titre[:200],
                    saisi_par_type=OrigineVaccination.DOCUMENT,
                    secret_mineur=secret_mineur,
                    **valeurs,
                )
            )
        elif any(getattr(existante, nom) != valeur for nom, valeur in valeurs.items()):
            for nom, valeur in valeurs.items():
                setattr(existante, nom, valeur)
            modifiees.append(existante)
    retirees = [v.pk for cle, v in existantes.items() if cle not in lues]
    changees = len(nouvelles) + len(modifiees) + len(retirees)
    if not changees:
        return 0
    with transaction.atomic():
        Vaccination.objects.bulk_create(nouvelles)
        for vaccination in modifiees:
            vaccination.save(update_fields=[*_CHAMPS_LUS])
        if retirees:
            Vaccination.objects.filter(pk__in=retirees).delete()
        evenement_enregistrer(
            action=Action.PROFIL_MODIFICATION if existantes else Action.PROFIL_AJOUT,
            acteur=Acteur.systeme(),
            espace_uuid=espace.uuid,
            objet_type="profil:vaccinations",
            objet_id=str(document_uuid),
            details={
                "section": "vaccinations",
                "document": str(document_uuid),
                "ajoutees": len(nouvelles),
                "modifiees": len(modifiees),
                "retirees": len(retirees),
                **marque_secret(next(iter([*nouvelles, *modifiees, *existantes.values()]))),
            },
        )
    return changees


def vaccinations_document_effacer(*, espace_id: int, document_uuid: uuid.UUID) -> int:
    """The entries read from a document go with it when it is erased for good (its purge,
    which ``dossier`` journals). Returns how many were erased."""
    effacees, _par_modele = Vaccination.objects.filter(
        espace_id=espace_id, document_uuid=document_uuid
    ).delete()
    return effacees


# --- Reads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceDocument:
    uuid: uuid.UUID
    titre: str


@dataclass
class LigneCarnet:
    """One vaccine on one day, with every source that states it. ``saisie`` is the entry noted
    in the space (its uuid for the edit link), if any; ``documents`` the documents."""

    famille: str
    date: date
    saisie: Vaccination | None = None
    documents: list[SourceDocument] = field(default_factory=list)
    produits: list[str] = field(default_factory=list)
    lots: list[str] = field(default_factory=list)
    vaccinateurs: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # as stored: "ATC J07BD52", "CIS 6…"
    rang: int | None = None
    rappel: bool = False

    @property
    def libelle(self) -> str:
        return libelle_famille(self.famille)

    @property
    def au_calendrier(self) -> bool:
        """Whether it counts for the calendar (a family of the calendar)."""
        return self.famille in FAMILLES

    def ajouter(self, vaccination: Vaccination) -> None:
        if vaccination.document_uuid is None:
            self.saisie = vaccination
        else:
            self.documents.append(
                SourceDocument(vaccination.document_uuid, str(vaccination.document_titre))
            )
        for liste, valeur in (
            (self.produits, vaccination.produit),
            (self.lots, vaccination.lot),
            (self.vaccinateurs, vaccination.vaccinateur),
            (self.codes, vaccination.code),
        ):
            if valeur and valeur not in liste:
                liste.append(str(valeur))
        self.rang = self.rang or vaccination.rang
        self.rappel = self.rappel or vaccination.rappel


def carnet(*, acces: Acces) -> list[LigneCarnet]:
    """The vaccinations the actor reads, one line per vaccine and day (the space's own entry
    and the documents' merged, not doubled), the latest first."""
    lignes: dict[tuple[str, date], LigneCarnet] = {}
    entrees = entrees_profil_lisibles(acces=acces, modele=Vaccination).order_by(
        "-date", "cree_le", "pk"
    )
    for vaccination in entrees:
        cle = (str(vaccination.famille), vaccination.date)
        ligne = lignes.get(cle)
        if ligne is None:
            ligne = lignes[cle] = LigneCarnet(famille=cle[0], date=cle[1])
        ligne.ajouter(vaccination)
    return list(lignes.values())
