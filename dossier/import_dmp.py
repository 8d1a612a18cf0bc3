"""Importing a DMP record (IHE XDM archive of CI-SIS CDA documents) into a space.

The archive is read by ``dossier.xdm`` (hardened: a hostile archive is refused whole and
nothing is stored). Its patient must be the space's INS, else nothing is imported. Each
document is then stored as received, through the same vault and ingestion job as any other
(``document_creer``), with its type, dates, author and visibility taken from the metadata.
Importing the same archive twice adds nothing: the XDS uniqueId is unique per space, in the
database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from espace_sante.coffre import services as coffre
from espace_sante.journal.models import TypeActeur
from espace_sante.journal.services import Acteur
from profil.models import Espace

from . import xdm
from .models import Document, ImportDMP, Source
from .services import Refus, document_creer
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


def archive_importer(*, espace: Espace, contenu: bytes) -> Rapport:
    """Import every acceptable document of the archive; report each one's fate. Raises
    ``xdm.ArchiveRefusee`` (nothing stored) for a hostile archive or another patient's."""
    archive = xdm.lire_archive(contenu)
    archive.exiger_patient(espace.ins)
    rapport = Rapport(refuses=list(archive.refus))
    for entree in archive.documents:
        codes = {c.code for c in entree.confidentialite}
        type_code = entree.type_document.code if entree.type_document else ""
        jour = _jour(entree.debut_acte) or _jour(entree.date_creation) or timezone.localdate()
        if Document.objects.filter(
            espace=espace, identifiant_unique=entree.identifiant_unique
        ).exists():
            rapport.deja_presents.append(entree.identifiant_unique)
            continue
        if {"MASQUE_PS", "INVISIBLE_PATIENT"} <= codes:
            rapport.refuses.append(
                (entree.identifiant, "masqué aux professionnels et invisible au patient à la fois")
            )
            continue
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
                    auteur=_auteur(entree),
                    source=Source.IMPORT_DMP,
                    media_type=entree.type_mime or "application/octet-stream",
                    masque_ps="MASQUE_PS" in codes,
                    invisible_patient="INVISIBLE_PATIENT" in codes,
                    invisible_representants="INVISIBLE_REPRESENTANTS_LEGAUX" in codes,
                    identifiant_unique=entree.identifiant_unique,
                )
        except IntegrityError:  # imported meanwhile by a job for the same archive
            rapport.deja_presents.append(entree.identifiant_unique)
        except Refus as refus:
            rapport.refuses.append((entree.identifiant, refus.message))
        else:
            rapport.importes.append(entree.identifiant_unique)
    return rapport


# --- The job -------------------------------------------------------------------------------------


def import_demander(*, acces: Any, fichier: Any) -> ImportDMP:
    """The uploaded archive (already encrypted in the vault) waits for the job."""
    with transaction.atomic():
        blob = coffre.blob_enregistrer(fichier.attente)
        demande = ImportDMP.objects.create(
            espace=acces.espace, blob=blob, demande_par=acces.utilisateur
        )
        transaction.on_commit(partial(_programmer, demande.pk))
    return demande


def _programmer(demande_id: int) -> None:
    from .tasks import import_dmp_executer

    import_dmp_executer.delay(demande_id)


def import_executer(*, demande_id: int) -> str:
    """Run (or run again: importing is idempotent) one import. The archive is read from the
    vault, authenticated, then removed once the report is written."""
    demande = ImportDMP.objects.select_related("espace", "blob").filter(pk=demande_id).first()
    if demande is None or demande.etat in {ImportDMP.Etat.TERMINE, ImportDMP.Etat.REFUSE}:
        return "ignoré"
    ImportDMP.objects.filter(pk=demande.pk).update(etat=ImportDMP.Etat.EN_COURS)
    resultat: dict[str, Any]
    try:
        if demande.blob is None:
            raise xdm.ArchiveRefusee("L'archive n'est plus disponible.")
        contenu = b"".join(coffre.blob_lire(demande.blob, verifier_empreinte=True))
        rapport = archive_importer(espace=demande.espace, contenu=contenu)
    except xdm.ArchiveRefusee as refus:
        etat, resultat = ImportDMP.Etat.REFUSE, {"motif": refus.message}
    else:
        etat = ImportDMP.Etat.TERMINE
        resultat = {
            "importes": rapport.importes,
            "deja_presents": rapport.deja_presents,
            "refuses": [list(r) for r in rapport.refuses],
        }
    with transaction.atomic():
        blob = demande.blob
        ImportDMP.objects.filter(pk=demande.pk).update(
            etat=etat, rapport=resultat, termine_le=timezone.now(), blob=None
        )
        if blob is not None:
            coffre.blob_supprimer(blob)
    return str(etat)
