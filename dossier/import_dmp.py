"""Importing a DMP record (IHE XDM archive of CI-SIS CDA documents) into a space.

The archive is read by ``dossier.xdm`` (hardened: a hostile archive is refused whole and
nothing is stored). Its patient must be the space's INS, else nothing is imported. Each
document is then stored as received, through the same vault and ingestion job as any other
(``document_creer``), with its type, dates, author and visibility taken from the metadata.
Importing the same archive twice adds nothing: the XDS uniqueId is unique per space, in the
database. A document whose uniqueId the space holds with other content is a *conflict*, kept
encrypted until the holder decides (``dossier.import_conflits``), never dropped."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from espace_sante.coffre import services as coffre
from espace_sante.journal.models import Action, TypeActeur
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.erreurs import Refus
from espace_sante.taches.services import tache_programmer
from profil.models import Espace, Statut

from . import import_conflits, xdm
from .import_conflits import Metadonnees
from .models import Document, ImportDMP, Source
from .services import document_creer, nature_des_octets
from .types import TYPES

VISIBILITE = {"MASQUE_PS", "INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX"}


@dataclass
class Rapport:
    """Each document's fate, by uniqueId (conflicts: by the conflict's uuid; refusals: by the
    document's rank in the archive, ``xdm.Archive.libelle``, with the reason)."""

    importes: list[str] = field(default_factory=list)
    deja_presents: list[str] = field(default_factory=list)
    conflits: list[str] = field(default_factory=list)
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
    rapport = Rapport(
        importes=list(deja_importes),
        refuses=[
            (archive.libelle(identifiant), motif_en_clair(motif))
            for identifiant, motif in archive.refus
        ],
    )
    reprise = set(rapport.importes)
    total = len(archive.documents)
    if suivi is not None:
        suivi(rapport, 0, total)
    for rang, entree in enumerate(archive.documents, start=1):
        if entree.identifiant_unique in reprise:
            continue
        with transaction.atomic():
            _importer_un(espace, entree, rapport, archive.libelle(entree.identifiant))
            if suivi is not None:
                suivi(rapport, rang, total)
    return rapport


def _metadonnees(entree: xdm.EntreeDocument) -> Metadonnees:
    codes = {c.code for c in entree.confidentialite}
    type_code = entree.type_document.code if entree.type_document else ""
    jour = _jour(entree.debut_acte) or _jour(entree.date_creation) or timezone.localdate()
    connu = TYPES.get(type_code)
    return Metadonnees(
        titre=entree.titre or (connu.libelle if connu else "Document importé du DMP"),
        nom_fichier=entree.chemin.rsplit("/", 1)[-1],
        date_acte=min(jour, timezone.localdate()),
        type_code=type_code or "51851-4",
        auteur=_auteur(entree),
        media_type=entree.type_mime or "application/octet-stream",
        masque_ps="MASQUE_PS" in codes,
        invisible_patient="INVISIBLE_PATIENT" in codes,
        invisible_representants="INVISIBLE_REPRESENTANTS_LEGAUX" in codes,
        type_libelle=entree.type_document.libelle if entree.type_document else "",
        type_systeme=entree.type_document.systeme if entree.type_document else "",
    )


INTERDIT = (
    "il est à la fois caché aux professionnels et pas encore visible pour vous, ce qui ne peut "
    "pas aller ensemble."
)

# What the archive's checks say of a line, in the person's words: the XDS metadata's names
# (uniqueId, patientId, SHA-1), paths and identifiers mean nothing to them.
_MOTIFS_EN_CLAIR = (
    (
        ("Métadonnées", "Chemin de document invalide"),
        "la description de ce document dans l'archive est incomplète ou abîmée.",
    ),
    (("Fichier du document absent",), "ce document manque dans l'archive."),
    (
        ("Le fichier est abîmé", "Le fichier est incomplet"),
        "le fichier est abîmé ou incomplet : il n'est pas celui que l'archive annonce.",
    ),
)


_TECHNIQUE = re.compile(r"METADATA|XDM|IHE_|uniqueId|patientId|OID|urn:|'[^']*'")
ARCHIVE_ILLISIBLE = (
    "ce fichier n'est pas une archive du DMP complète et intacte (il manque la description de "
    "ses documents, ou elle contient des fichiers qu'une archive du DMP ne contient pas)."
)


def motif_archive_en_clair(motif: str) -> str:
    """Why a whole archive was refused, in plain words (no file path or identifier)."""
    return ARCHIVE_ILLISIBLE if _TECHNIQUE.search(motif) else motif


def motif_en_clair(motif: str) -> str:
    """Why an archive's line was refused, in plain words (no technical identifier)."""
    for debuts, en_clair in _MOTIFS_EN_CLAIR:
        if motif.startswith(debuts):
            return en_clair
    return motif


def _importer_un(
    espace: Espace, entree: xdm.EntreeDocument, rapport: Rapport, libelle: str
) -> None:
    meta = _metadonnees(entree)
    if _deja_la(espace, entree, meta, rapport, libelle):
        return
    if meta.masque_ps and meta.invisible_patient:
        rapport.refuses.append((libelle, INTERDIT))
        return
    try:
        with transaction.atomic():
            document_creer(
                espace=espace,
                contenu=entree.contenu,
                nom_fichier=meta.nom_fichier,
                titre=meta.titre,
                date_acte=meta.date_acte,
                type_code=meta.type_code,
                type_libelle=meta.type_libelle,
                type_systeme=meta.type_systeme,
                auteur=meta.auteur,
                source=Source.IMPORT_DMP,
                media_type=meta.media_type,
                masque_ps=meta.masque_ps,
                invisible_patient=meta.invisible_patient,
                invisible_representants=meta.invisible_representants,
                identifiant_unique=entree.identifiant_unique,
            )
    except IntegrityError:  # imported meanwhile by another job for the same space
        if not _deja_la(espace, entree, meta, rapport, libelle):
            raise
    except Refus as refus:
        rapport.refuses.append((libelle, refus.message))
    else:
        rapport.importes.append(entree.identifiant_unique)


def _deja_la(
    espace: Espace, entree: xdm.EntreeDocument, meta: Metadonnees, rapport: Rapport, libelle: str
) -> bool:
    """Whether the space already holds a document with this uniqueId; if so, the document is
    "déjà présent" (the same content as one of its versions) or a conflict (other content),
    unless it is refused anyway."""
    uid = entree.identifiant_unique
    existant = (
        Document.objects.filter(espace=espace, identifiant_unique=uid)
        .select_related("blob", "version_precedente")
        .first()
    )
    if existant is None:
        return False
    sha256 = hashlib.sha256(entree.contenu).hexdigest()
    if import_conflits.contenu_connu(existant, sha256):
        rapport.deja_presents.append(uid)
        return True
    if meta.masque_ps and meta.invisible_patient:
        rapport.refuses.append((libelle, INTERDIT))
        return True
    try:
        nature_des_octets(entree.contenu)  # what could never be imported is no conflict
    except Refus as refus:
        rapport.refuses.append((libelle, refus.message))
        return True
    conflit = import_conflits.conflit_constater(
        espace=espace,
        identifiant_unique=uid,
        contenu=entree.contenu,
        sha256=sha256,
        metadonnees=meta,
    )
    rapport.conflits.append(str(conflit.uuid))
    return True


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
        "conflits": rapport.conflits,
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
        etat, resultat = ImportDMP.Etat.REFUSE, {"motif": motif_archive_en_clair(refus.message)}
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


# --- Which spaces receive an import -------------------------------------------------------------

ETATS_ACCUEILLANTS = (Statut.CREE, Statut.ACTIF)  # never into an opposed, closed, suspended space
