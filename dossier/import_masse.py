"""The operators' bulk migration of DMP archives (``manage.py import_dmp_archives DIR``,
docs/IMPORT_DMP.md): find the archives of a folder (``archives_trouver``), match each to a
space by the INS its metadata name and queue its import (``archives_migrer``), then sum up the
imports' reports (``migration_attendre``). Archives are named by their path relative to the
folder given: the national kit holds one folder per archive, each with its ``IHE_XDM.ZIP``."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from espace_sante.coffre import services as coffre
from espace_sante.coffre.champs import empreintes_possibles
from espace_sante.journal.services import Acteur
from profil.models import Espace

from . import import_dmp, xdm
from .import_dmp import ETATS_ACCUEILLANTS
from .models import ConflitImport, ImportDMP

# --- Finding the archives ------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveTrouvee:
    nom: str  # its path relative to the folder given ("a/IHE_XDM.ZIP")
    chemin: Path  # where it really is: inside that folder


@dataclass
class Recherche:
    archives: list[ArchiveTrouvee] = field(default_factory=list)
    ignorees: list[tuple[str, str]] = field(default_factory=list)  # (name, why)


def _est_archive(nom: str) -> bool:
    return nom.casefold().endswith(".zip")


def archives_trouver(dossier: Path) -> Recherche:
    """Every file named ``*.zip`` whatever the case (``IHE_XDM.ZIP``, ``x.Zip``) in ``dossier``
    and its sub-folders, in order of their relative path. A symbolic link is followed only
    when it leads inside ``dossier``: one that leads out, a broken one, a folder that cannot
    be read, a second name for the same file are reported in ``ignorees``, never followed."""
    racine = dossier.resolve(strict=True)
    recherche = Recherche()
    dossiers_vus: set[Path] = set()
    fichiers_vus: dict[Path, str] = {}

    def parcourir(reel: Path, prefixe: str) -> None:
        if reel in dossiers_vus:
            return
        dossiers_vus.add(reel)
        try:
            with os.scandir(reel) as lecture:
                entrees = sorted(lecture, key=lambda e: e.name)
        except OSError as erreur:
            recherche.ignorees.append((prefixe or ".", f"dossier illisible ({erreur.strerror})"))
            return
        for entree in entrees:
            nom = f"{prefixe}{entree.name}"
            cible = Path(entree.path)
            if entree.is_symlink():
                try:
                    cible = cible.resolve(strict=True)
                except (OSError, RuntimeError):
                    recherche.ignorees.append((nom, "lien symbolique brisé : non suivi"))
                    continue
                if not cible.is_relative_to(racine):
                    recherche.ignorees.append(
                        (nom, "lien symbolique vers l'extérieur du dossier : non suivi")
                    )
                    continue
            if cible.is_dir():
                parcourir(cible, f"{nom}/")
            elif _est_archive(entree.name) and cible.is_file():
                if cible in fichiers_vus:
                    recherche.ignorees.append((nom, f"même fichier que {fichiers_vus[cible]}"))
                    continue
                fichiers_vus[cible] = nom
                recherche.archives.append(ArchiveTrouvee(nom=nom, chemin=cible))

    parcourir(racine, "")
    recherche.archives.sort(key=lambda a: a.nom)
    return recherche


def _lire(chemin: Path, limite: int) -> bytes:
    """The archive's bytes, never through a link (one put in its place since it was found
    makes this fail), nor beyond ``limite``."""
    descripteur = os.open(chemin, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descripteur, "rb") as fichier:
        trop = xdm.ArchiveRefusee("L'archive dépasse la taille maximale admise.")
        if os.fstat(fichier.fileno()).st_size > limite:
            raise trop
        contenu = fichier.read(limite + 1)  # it may have grown since
        if len(contenu) > limite:
            raise trop
        return contenu


# --- Queuing them --------------------------------------------------------------------------------


@dataclass
class Migration:
    """What ``archives_migrer`` did with each archive, by its name (``ArchiveTrouvee.nom``)."""

    programmees: list[str] = field(default_factory=list)
    reprises: list[str] = field(default_factory=list)
    deja_importees: list[str] = field(default_factory=list)
    refusees: list[tuple[str, str]] = field(default_factory=list)
    en_suspens: list[str] = field(default_factory=list)  # no free slot in time: run again
    demandes: list[int] = field(default_factory=list)
    noms: dict[int, str] = field(default_factory=dict)  # import id → archive name


def _ins_de(archive: xdm.Archive) -> str:
    patients = {d.patient.valeur for d in archive.documents}
    if archive.soumission.patient is not None:
        patients.add(archive.soumission.patient.valeur)
    if len(patients) != 1:
        raise xdm.ArchiveRefusee(
            "L'archive ne désigne pas un patient unique." if patients else "L'archive est vide."
        )
    return patients.pop()


def _conflits_en_attente(demande: ImportDMP) -> int:
    return ConflitImport.objects.filter(
        uuid__in=demande.rapport.get("conflits", []), decision=ConflitImport.Decision.A_DECIDER
    ).count()


def archives_migrer(
    archives: Iterable[ArchiveTrouvee],
    *,
    acteur: Acteur,
    concurrence: int = 2,
    delai: float = 3600.0,
    attente: float = 0.2,
    sur_archive: Callable[[str, str], None] | None = None,
) -> Migration:
    """Match each archive to a space by the INS its metadata name, and queue its import, with
    at most ``concurrence`` imports of this run waiting or running at any time. Safe to run
    again: an archive already imported (same SHA-256) is skipped, one a killed run left waiting
    is queued again (the job resumes it), and importing is idempotent anyway. A hostile
    archive, another patient's, or one with no space to receive it is refused and nothing of
    it is stored."""
    migration = Migration()
    limite = settings.VAULT_MAX_UPLOAD
    fin = time.monotonic() + delai

    def noter(nom: str, issue: str) -> None:
        if sur_archive is not None:
            sur_archive(nom, issue)

    def place_libre() -> bool:
        while (
            ImportDMP.objects.filter(
                pk__in=migration.demandes,
                etat__in=[ImportDMP.Etat.EN_ATTENTE, ImportDMP.Etat.EN_COURS],
            ).count()
            >= concurrence
        ):
            if time.monotonic() > fin:
                return False
            time.sleep(attente)
        return True

    for trouvee in archives:
        nom = trouvee.nom
        try:
            contenu = _lire(trouvee.chemin, limite)
            # Keyed under SECRET_KEY; an import recorded under a fallback key is found too.
            empreintes = empreintes_possibles(
                hashlib.sha256(contenu).hexdigest(), usage="archive-dmp"
            )
            empreinte = empreintes[0]
            precedente = (
                ImportDMP.objects.filter(empreinte__in=empreintes).order_by("-cree_le").first()
            )
            if precedente is not None and precedente.etat == ImportDMP.Etat.TERMINE:
                migration.deja_importees.append(nom)
                en_attente = _conflits_en_attente(precedente)
                noter(
                    nom,
                    "déjà importée"
                    + (
                        f" ; {en_attente} document(s) en conflit attendent le choix du titulaire"
                        if en_attente
                        else ""
                    ),
                )
                continue
            reprise = precedente is not None and precedente.etat != ImportDMP.Etat.REFUSE
            if not reprise:
                archive = xdm.lire_archive(contenu)
                espace = Espace.objects.filter(ins=_ins_de(archive)).first()
                if espace is None:
                    raise xdm.ArchiveRefusee("Aucun espace santé n'a l'INS de cette archive.")
                if espace.statut not in ETATS_ACCUEILLANTS:
                    raise xdm.ArchiveRefusee(
                        f"L'espace santé de cet INS est « {espace.get_statut_display()} »."
                    )
                cible: Espace = espace
        except xdm.ArchiveRefusee as refus:
            migration.refusees.append((nom, refus.message))
            noter(nom, f"refusée : {refus.message}")
            continue
        except OSError as erreur:
            migration.refusees.append((nom, f"illisible ({erreur.strerror or erreur})"))
            noter(nom, "illisible")
            continue
        if not place_libre():  # only an archive to queue waits for a free slot
            migration.en_suspens.append(nom)
            noter(nom, "non programmée : la file n'avance pas")
            continue
        if precedente is not None and reprise:
            migration.reprises.append(nom)
            migration.demandes.append(precedente.pk)
            migration.noms[precedente.pk] = nom
            import_dmp.import_programmer(precedente)
            noter(nom, "reprise")
            continue
        demande = import_dmp.import_demander(
            espace=cible,
            attente=coffre.blob_stocker(
                source=[contenu], media_type="application/zip", taille_max=limite
            ),
            acteur=acteur,
            empreinte=empreinte,
            par_operateur=True,
        )
        migration.programmees.append(nom)
        migration.demandes.append(demande.pk)
        migration.noms[demande.pk] = nom
        noter(nom, "programmée")
    return migration


# --- The summary ---------------------------------------------------------------------------------


@dataclass
class Bilan:
    """The imports of one run, once done (or given up waiting for)."""

    terminees: int = 0
    refusees: int = 0
    inachevees: int = 0
    importes: int = 0
    deja_presents: int = 0
    conflits: int = 0
    refuses: int = 0
    # What an operator should know of each archive: its conflicts and refused documents.
    details: list[tuple[str, str]] = field(default_factory=list)


def migration_attendre(migration: Migration, *, delai: float, attente: float = 0.5) -> Bilan:
    """Wait (at most ``delai`` seconds) for the queued imports; sum up their reports."""
    fin = time.monotonic() + delai
    en_cours = [ImportDMP.Etat.EN_ATTENTE, ImportDMP.Etat.EN_COURS]
    while (
        ImportDMP.objects.filter(pk__in=migration.demandes, etat__in=en_cours).exists()
        and time.monotonic() < fin
    ):
        time.sleep(attente)
    bilan = Bilan()
    for demande in ImportDMP.objects.filter(pk__in=migration.demandes).order_by("pk"):
        nom = migration.noms.get(demande.pk, str(demande.uuid))
        if demande.etat == ImportDMP.Etat.TERMINE:
            bilan.terminees += 1
            rapport = demande.rapport
            bilan.importes += len(rapport.get("importes", []))
            bilan.deja_presents += len(rapport.get("deja_presents", []))
            bilan.conflits += len(rapport.get("conflits", []))
            bilan.refuses += len(rapport.get("refuses", []))
            if rapport.get("conflits"):
                bilan.details.append(
                    (
                        nom,
                        f"{len(rapport['conflits'])} conflit(s) : même identifiant qu'un "
                        "document de l'espace, contenu différent ; le titulaire choisit sur "
                        "sa page d'import",
                    )
                )
            for libelle, motif in rapport.get("refuses", []):
                bilan.details.append((nom, f"{libelle} refusé : {motif}"))
        elif demande.etat == ImportDMP.Etat.REFUSE:
            bilan.refusees += 1
            bilan.details.append((nom, f"refusée par la tâche : {demande.rapport.get('motif')}"))
        else:
            bilan.inachevees += 1
    return bilan
