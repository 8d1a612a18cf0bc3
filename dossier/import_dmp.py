"""Importing a DMP record (IHE XDM archive of CI-SIS CDA documents) into a space.

The archive is read by ``dossier.xdm`` (hardened: a hostile archive is refused whole and
nothing is stored). Its patient must be the space's INS, else nothing is imported. Each
document is then stored as received, through the same vault and ingestion job as any other
(``document_creer``), with its type, dates, author and visibility taken from the metadata.
Importing the same archive twice adds nothing: the XDS uniqueId is unique per space, in the
database."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from espace_sante.coffre import services as coffre
from espace_sante.coffre.champs import empreintes_possibles
from espace_sante.journal.models import Action, TypeActeur
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.erreurs import Refus
from espace_sante.taches.services import tache_programmer
from profil.models import Espace, Statut

from . import xdm
from .models import Document, ImportDMP, Source
from .services import document_creer
from .types import TYPES

VISIBILITE = {"MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX"}


@dataclass
class Rapport:
    importes: list[str] = field(default_factory=list)
    deja_presents: list[str] = field(default_factory=list)
    refuses: list[tuple[str, str]] = field(default_factory=list)


def _jour(valeur: dt.datetime | dt.date | None) -> dt.date | None:
    if isinstance(valeur, dt.datetime):
        return timezone.localtime(valeur).date() if timezone.is_aware(valeur) else valeur.date()
    return valeur


def _auteur(entree: xdm.EntreeDocument) -> Acteur:
    noms = []
    for auteur in entree.auteurs:
        personne = auteur.personne
        if personne is not None and (personne.nom or personne.prenom):
            prefixe = f"{personne.prefixe} " if personne.prefixe else ""
            noms.append(f"{prefixe}{personne.prenom} {personne.nom}".strip())
        noms += [institution.nom for institution in auteur.institutions if institution.nom]
    return Acteur(
        type=TypeActeur.PROFESSIONNEL, id="", nom=", ".join(noms)[:200] or "Import du DMP"
    )


Suivi = Callable[[Rapport, int, int], None]


def archive_importer(
    *,
    espace: Espace,
    contenu: bytes | None = None,
    archive: xdm.Archive | None = None,
    deja_importes: Iterable[str] = (),
    suivi: Suivi | None = None,
) -> Rapport:
    """Import every acceptable document of the archive; report each one's fate. Raises
    ``xdm.ArchiveRefusee`` (nothing stored) for a hostile archive or another patient's.

    ``deja_importes``: the uniqueIds a killed run of the same import already stored (they are
    reported as imported, not as already present). ``suivi(rapport, traites, total)`` is called
    after each document, inside the transaction that stores it: the progress it records can
    never disagree with the documents stored."""
    if archive is None:
        if contenu is None:
            raise ValueError("an archive or its bytes are needed")
        archive = xdm.lire_archive(contenu)
    archive.exiger_patient(espace.ins)
    rapport = Rapport(importes=list(deja_importes), refuses=list(archive.refus))
    reprise = set(rapport.importes)
    total = len(archive.documents)
    if suivi is not None:
        suivi(rapport, 0, total)
    for rang, entree in enumerate(archive.documents, start=1):
        if entree.identifiant_unique in reprise:
            continue
        with transaction.atomic():
            _importer_un(espace, entree, rapport)
            if suivi is not None:
                suivi(rapport, rang, total)
    return rapport


def _importer_un(espace: Espace, entree: xdm.EntreeDocument, rapport: Rapport) -> None:
    codes = {c.code for c in entree.confidentialite}
    type_code = entree.type_document.code if entree.type_document else ""
    jour = _jour(entree.debut_acte) or _jour(entree.date_creation) or timezone.localdate()
    uid = entree.identifiant_unique
    if Document.objects.filter(espace=espace, identifiant_unique=uid).exists():
        rapport.deja_presents.append(entree.identifiant_unique)
        return
    if {"MASQUE_PS", "INVISIBLE_PATIENT"} <= codes:
        rapport.refuses.append(
            (entree.identifiant, "masqué aux professionnels et invisible au patient à la fois")
        )
        return
    connu = TYPES.get(type_code)
    try:
        with transaction.atomic():
            document_creer(
                espace=espace,
                contenu=entree.contenu,
                nom_fichier=entree.chemin.rsplit("/", 1)[-1],
                titre=entree.titre or (connu.libelle if connu else "Document importé du DMP"),
                date_acte=min(jour, timezone.localdate()),
                type_code=type_code or "51851-4",
                type_libelle=entree.type_document.libelle if entree.type_document else "",
                type_systeme=entree.type_document.systeme if entree.type_document else "",
                auteur=_auteur(entree),
                source=Source.IMPORT_DMP,
                media_type=entree.type_mime or "application/octet-stream",
                masque_ps="MASQUE_PS" in codes,
                invisible_patient="INVISIBLE_PATIENT" in codes,
                invisible_representants="INVISIBLE_REPRESENTANTS_LEGAUX" in codes,
                identifiant_unique=entree.identifiant_unique,
            )
    except IntegrityError:  # imported meanwhile by another job for the same space
        rapport.deja_presents.append(entree.identifiant_unique)
    except Refus as refus:
        rapport.refuses.append((entree.identifiant, refus.message))
    else:
        rapport.importes.append(entree.identifiant_unique)


# --- The job -------------------------------------------------------------------------------------


def import_demander(
    *,
    espace: Espace,
    attente: coffre.BlobEnAttente,
    acteur: Acteur,
    empreinte: str = "",
    par_operateur: bool = False,
    demande_par: Any = None,
) -> ImportDMP:
    """The archive (already encrypted in the vault) waits for the job, queued on commit."""
    with transaction.atomic():
        blob = coffre.blob_enregistrer(attente)
        demande = ImportDMP.objects.create(
            espace=espace,
            blob=blob,
            demande_par=demande_par,
            empreinte=empreinte,
            par_operateur=par_operateur,
        )
        evenement_enregistrer(
            action=Action.IMPORT_DMP_DEMANDE,
            acteur=acteur,
            espace_uuid=espace.uuid,
            objet_type="import_dmp",
            objet_id=str(demande.uuid),
        )
        import_programmer(demande)
    return demande


def import_programmer(demande: ImportDMP) -> None:
    _programmer(demande.pk)


def _programmer(demande_id: int) -> None:
    """The import job, recorded in the current transaction (the outbox: docs/TACHES.md), by
    its name: the tasks module imports this one."""
    tache_programmer(
        "dossier.tasks.import_dmp_executer",
        demande_id,
        objet_type="import_dmp",
        objet_id=demande_id,
    )


def _rapport_json(rapport: Rapport) -> dict[str, Any]:
    return {
        "importes": rapport.importes,
        "deja_presents": rapport.deja_presents,
        "refuses": [list(r) for r in rapport.refuses],
    }


def import_executer(*, demande_id: int) -> str:
    """Run one import, or run it again after a kill: what the killed run stored is kept and
    reported as imported (its progress was written with each document), the rest follows. The
    archive is read from the vault, authenticated, then removed once the report is written."""
    demande = ImportDMP.objects.select_related("espace", "blob").filter(pk=demande_id).first()
    if demande is None or demande.etat in {ImportDMP.Etat.TERMINE, ImportDMP.Etat.REFUSE}:
        return "ignoré"
    reprise = demande.rapport.get("importes", []) if demande.etat == ImportDMP.Etat.EN_COURS else []
    ImportDMP.objects.filter(pk=demande.pk).update(
        etat=ImportDMP.Etat.EN_COURS, modifie_le=timezone.now()
    )

    def suivi(rapport: Rapport, traites: int, total: int) -> None:
        ImportDMP.objects.filter(pk=demande.pk).update(
            rapport=_rapport_json(rapport), traites=traites, total=total, modifie_le=timezone.now()
        )

    resultat: dict[str, Any]
    try:
        if demande.blob is None:
            raise xdm.ArchiveRefusee("L'archive n'est plus disponible.")
        contenu = b"".join(coffre.blob_lire(demande.blob, verifier_empreinte=True))
        rapport = archive_importer(
            espace=demande.espace, contenu=contenu, deja_importes=reprise, suivi=suivi
        )
    except xdm.ArchiveRefusee as refus:
        etat, resultat = ImportDMP.Etat.REFUSE, {"motif": refus.message}
    else:
        etat, resultat = ImportDMP.Etat.TERMINE, _rapport_json(rapport)
    with transaction.atomic():
        blob = demande.blob
        maintenant = timezone.now()
        ImportDMP.objects.filter(pk=demande.pk).update(
            etat=etat, rapport=resultat, termine_le=maintenant, modifie_le=maintenant, blob=None
        )
        evenement_enregistrer(
            action=Action.IMPORT_DMP_TERMINE,
            acteur=Acteur.systeme(),
            espace_uuid=demande.espace.uuid,
            objet_type="import_dmp",
            objet_id=str(demande.uuid),
            details={
                "etat": str(etat),
                **{cle: len(v) for cle, v in resultat.items() if isinstance(v, list)},
            },
        )
        if blob is not None:
            coffre.blob_supprimer(blob)
    return str(etat)


def imports_relancer_en_suspens(*, depuis: dt.timedelta = dt.timedelta(minutes=30)) -> int:
    """Queue again the imports a lost message or worker left waiting or running: those with no
    sign of life for ``depuis`` (a running import writes one with each document). The job
    resumes them."""
    limite = timezone.now() - depuis
    demandes = list(
        ImportDMP.objects.filter(
            etat__in=[ImportDMP.Etat.EN_ATTENTE, ImportDMP.Etat.EN_COURS], modifie_le__lt=limite
        ).values_list("pk", flat=True)
    )
    for pk in demandes:
        _programmer(pk)
    return len(demandes)


# --- Bulk migration by operators (``manage.py import_dmp_archives DIR``) --------------------------

ETATS_ACCUEILLANTS = (Statut.CREE, Statut.ACTIF)  # never into an opposed, closed, suspended space


@dataclass
class Migration:
    """What ``archives_migrer`` did with each archive, by archive file name."""

    programmees: list[str] = field(default_factory=list)
    reprises: list[str] = field(default_factory=list)
    deja_importees: list[str] = field(default_factory=list)
    refusees: list[tuple[str, str]] = field(default_factory=list)
    en_suspens: list[str] = field(default_factory=list)  # no free slot in time: run again
    demandes: list[int] = field(default_factory=list)


def _ins_de(archive: xdm.Archive) -> str:
    patients = {d.patient.valeur for d in archive.documents}
    if archive.soumission.patient is not None:
        patients.add(archive.soumission.patient.valeur)
    if len(patients) != 1:
        raise xdm.ArchiveRefusee(
            "L'archive ne désigne pas un patient unique." if patients else "L'archive est vide."
        )
    return patients.pop()


def archives_migrer(
    chemins: Iterable[Path],
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

    for chemin in chemins:
        nom = chemin.name
        try:
            if chemin.stat().st_size > limite:
                raise xdm.ArchiveRefusee("L'archive dépasse la taille maximale admise.")
            contenu = chemin.read_bytes()
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
                noter(nom, "déjà importée")
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
            _programmer(precedente.pk)
            noter(nom, "reprise")
            continue
        demande = import_demander(
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
        noter(nom, "programmée")
    return migration


def migration_attendre(
    migration: Migration, *, delai: float, attente: float = 0.5
) -> dict[str, int]:
    """Wait (at most ``delai`` seconds) for the queued imports; sum up their reports."""
    fin = time.monotonic() + delai
    en_cours = [ImportDMP.Etat.EN_ATTENTE, ImportDMP.Etat.EN_COURS]
    while (
        ImportDMP.objects.filter(pk__in=migration.demandes, etat__in=en_cours).exists()
        and time.monotonic() < fin
    ):
        time.sleep(attente)
    bilan = dict.fromkeys(
        ["terminees", "refusees", "inachevees", "importes", "deja_presents", "refuses"], 0
    )
    for demande in ImportDMP.objects.filter(pk__in=migration.demandes):
        if demande.etat == ImportDMP.Etat.TERMINE:
            bilan["terminees"] += 1
            for cle in ("importes", "deja_presents", "refuses"):
                bilan[cle] += len(demande.rapport.get(cle, []))
        elif demande.etat == ImportDMP.Etat.REFUSE:
            bilan["refusees"] += 1
        else:
            bilan["inachevees"] += 1
    return bilan
