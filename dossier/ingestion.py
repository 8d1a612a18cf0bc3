"""The ingestion job: a deposited document is read from the vault, checked by its content,
given its previews and marked available (or in error with a reason in plain words), once,
whatever the retries (DESIGN.md §8). Split from ``services.py``, which creates documents and
queues this job."""

from __future__ import annotations

import dataclasses
import json
import logging
import weakref
from datetime import date, timedelta
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.acces import depot_refuse
from espace_sante.coffre import services as coffre
from espace_sante.coffre.models import Blob
from espace_sante.journal.models import Action
from espace_sante.lib import sql
from espace_sante.lib.erreurs import Refus
from espace_sante.taches.services import tache_programmer
from profil.carnet_vaccinal import vaccinations_document_enregistrer
from profil.models import Espace

from .formats import detection
from .formats.cda import lecture as lecteur_cda
from .formats.cda.analyse import CDAInvalide, analyser
from .formats.cda.immunisations import lire_immunisations
from .formats.commun import FichierCorrompu, FichierRefuse
from .import_dmp import imports_relancer_en_suspens
from .models import Apercu, Document, Nature, Statut
from .resultats import lecture as resultats
from .services import _journal, document_notifier
from .types import type_declare

logger = logging.getLogger(__name__)


def _faits(description: Any, cda: Any) -> dict[str, Any]:
    faits: dict[str, Any] = {}
    if description is not None:
        for cle, valeur in dataclasses.asdict(description).items():
            if valeur is not None:
                faits[cle] = valeur.isoformat() if isinstance(valeur, date) else valeur
    if cda is not None:
        faits["cda"] = {
            "code": cda.code,
            "code_libelle": cda.code_libelle,
            "titre": cda.titre,
            "date": cda.date.isoformat() if cda.date else None,
            "auteurs": [auteur.nom for auteur in cda.auteurs],
            "organisation": cda.organisation,
            "niveau": cda.niveau,
        }
    return json.loads(json.dumps(faits, default=str))


def _type_du_cda(cda: Any) -> dict[str, Any]:
    """A structured document's own type wins over the one chosen in a form, whoever deposited
    it (docs/TYPES.md): the national table's category, or "Autres documents" with the
    document's code and label when J07 does not know the code."""
    declare = type_declare(cda.code, libelle=cda.code_libelle, systeme=cda.code_systeme)
    return {
        "type_code": cda.code[:64],
        "categorie": declare.categorie,
        "type_libelle": " ".join(cda.code_libelle.split())[:200],
        "type_systeme": cda.code_systeme[:64],
    }


class _Echec(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _prendre(document_id: int) -> Document | None:
    """Count one more attempt on a document "en traitement" and load what the job needs: the
    document's flags, its space's INS and holder, its blob. ``None`` if there is nothing to do.

    Written here rather than by the ORM: for this job, compiling these queries (a
    ``select_related`` over three models) cost more CPU than all its other database work. One
    statement on PostgreSQL (the update's returned row joined), two elsewhere. The values go
    through each field's own converters, as the ORM's; the instances are partial (a field not
    read here is loaded on access)."""
    connexion = connections[router.db_for_write(Document)]
    prise = _PRISES.get(connexion) or _prise(connexion)
    with connexion.cursor() as curseur:
        curseur.execute(prise.compter, [document_id, Statut.EN_TRAITEMENT])
        if prise.lire:
            if curseur.rowcount != 1:
                return None
            curseur.execute(prise.lire, [document_id])
        ligne = curseur.fetchone()
    if ligne is None:  # not "en traitement", or purged meanwhile
        return None
    instances = []
    for lecture in prise.lectures:
        instances.append(lecture.instance(ligne[: lecture.largeur]))
        ligne = ligne[lecture.largeur :]
    document, espace, blob = instances
    assert isinstance(document, Document) and isinstance(espace, Espace)
    assert isinstance(blob, Blob)
    document.espace, document.blob = espace, blob
    return document


# What the job and ``services.document_notifier`` read (anything else is loaded on access), the
# blob whole.
_LUS = (
    (
        "d",
        Document,
        ("id", "uuid", "espace", "blob", "source", "invisible_patient", "invisible_representants"),
    ),
    ("e", Espace, ("id", "ins", "titulaire", "date_naissance")),
    ("b", Blob, tuple(champ.name for champ in Blob._meta.concrete_fields)),
)


@dataclasses.dataclass(frozen=True)
class _Prise:
    compter: str  # on PostgreSQL, returns the row too
    lire: str | None
    lectures: list[sql.Lecture[Any]]


# By connection (one per thread): the converters are bound to its backend's operations.
_PRISES: weakref.WeakKeyDictionary[Any, _Prise] = weakref.WeakKeyDictionary()


def _prise(connexion: Any) -> _Prise:
    """The statements of ``_prendre`` and how to read their rows, for a connection."""
    nom = connexion.ops.quote_name
    lectures: list[sql.Lecture[Any]] = [
        sql.lecture(modele, connexion=connexion, alias=alias, noms=noms)
        for alias, modele, noms in _LUS
    ]
    document, espace, blob = (nom(m._meta.db_table) for m in (Document, Espace, Blob))
    compter = (
        f"UPDATE {document} SET tentatives = tentatives + 1 "  # noqa: S608 (no value in the text)
        "WHERE id = %s AND statut = %s AND blob_id IS NOT NULL"
    )
    choisir = "SELECT " + ", ".join(c for lecture in lectures for c in lecture.colonnes())
    joindre = f"JOIN {espace} e ON e.id = d.espace_id JOIN {blob} b ON b.id = d.blob_id"
    if connexion.vendor == "postgresql":
        retour = ", ".join(nom(str(champ.column)) for champ in lectures[0].champs)
        prise = _Prise(
            f"WITH d AS ({compter} RETURNING {retour}) {choisir} FROM d {joindre}", None, lectures
        )
    else:
        prise = _Prise(compter, f"{choisir} FROM {document} d {joindre} WHERE d.id = %s", lectures)
    _PRISES[connexion] = prise
    return prise


def _cda_du_patient(donnees: bytes, espace: Espace) -> tuple[Any, Any]:
    """A CDA read safely (parsed once: the header, vaccinations and results readers share the
    tree), whose patient is the space's (its INS), or ``_Echec``."""
    try:
        racine = analyser(donnees)
        cda = lecteur_cda.document_de(racine)
    except CDAInvalide as erreur:
        raise _Echec(erreur.message) from erreur
    ins = lecteur_cda.ins_du_patient(cda)
    if ins is None:
        raise _Echec(_("Ce document CDA ne porte pas l'INS du patient : il est refusé."))
    if ins != espace.ins:
        raise _Echec(_("Ce document concerne une autre personne (INS du patient différent)."))
    return racine, cda


def _decrire(validation: Any, nature: Any, donnees: bytes) -> Any:
    try:
        return validation.decrire(nature, donnees)
    except FichierCorrompu as erreur:
        raise _Echec(erreur.message) from erreur


def contenu_verifier(donnees: bytes, *, espace: Espace) -> Nature:
    """Every check a document's file passes (its nature, then its content: a CDA's safe
    reading and its patient's INS, the other formats' deep validation), at once, for a file
    kept outside the documents — a message's attachment. Its nature, or ``Refus`` with the
    same plain-French reason an upload would get."""
    from .formats import validation  # import différé : heavy libraries (document_ingerer)

    try:
        try:
            nature = detection.detecter(donnees[: detection.TAILLE_EXAMINEE], fin=donnees[-1024:])
        except FichierRefuse as refus:
            raise _Echec(refus.message) from refus
        if nature.name == "CDA":
            _cda_du_patient(donnees, espace)
        else:
            _decrire(validation, nature, donnees)
    except _Echec as echec:
        raise Refus(echec.message) from echec
    return Nature[nature.name]


def document_ingerer(*, document_id: int) -> str:
    """Check the content, read its facts, build previews, make it available. Idempotent: a
    document not "en traitement" is left alone; a run killed half-way is redone whole (the
    previews' rows roll back; their objects are orphans that vault_gc removes)."""
    # pydicom, pypdfium2 and pypdf (0.3 s and 20 MB) are for the worker that reads files, not
    # for every web process, which loads this module through the tasks module.
    # import différé : heavy libraries, for the worker only (above)
    from .formats import apercus as apercus_
    from .formats import validation  # import différé : heavy libraries (above)

    document = _prendre(document_id)
    if document is None:
        return "ignoré"
    assert document.blob is not None
    donnees = b"".join(coffre.blob_lire(document.blob, verifier_empreinte=True))
    try:
        try:
            nature = detection.detecter(donnees[: detection.TAILLE_EXAMINEE], fin=donnees[-1024:])
        except FichierRefuse as refus:
            raise _Echec(refus.message) from refus
        description, cda, racine, vaccins = None, None, None, None
        if nature.name == "CDA":
            racine, cda = _cda_du_patient(donnees, document.espace)
            vaccins = lire_immunisations(  # None unless it records vaccinations
                donnees,
                naissance=document.espace.date_naissance,
                jusqu_au=min(cda.date or timezone.localdate(), timezone.localdate()),
                racine=racine,
            )
        else:
            description = _decrire(validation, nature, donnees)
        observations = resultats.lire(donnees, cda, racine=racine) if cda is not None else None
        apercus: list[tuple[str, int, bytes, str]] = []
        if cda is not None and cda.pdf_integre:
            apercus.append((Apercu.Genre.PDF, 0, cda.pdf_integre, "application/pdf"))
        if description is not None and description.apercu_possible:
            try:
                miniature = apercus_.miniature(nature, donnees)
                if miniature:
                    apercus.append((Apercu.Genre.MINIATURE, 0, miniature, apercus_.TYPE_MINIATURE))
                if nature.name in {"JPEG", "PNG", "TIFF", "DICOM"}:
                    for rang, image in enumerate(apercus_.apercus(nature, donnees)):
                        apercus.append((Apercu.Genre.IMAGE, rang, image, apercus_.TYPE_APERCU))
            except FichierCorrompu:
                logger.warning("aperçu impossible pour le document %s", document_id)
                apercus = [a for a in apercus if a[0] == Apercu.Genre.PDF]
    except _Echec as echec:
        _marquer_en_erreur(document_id, echec.message)
        return "en_erreur"
    stockes = [
        (genre, rang, coffre.blob_stocker(source=[contenu], media_type=media))
        for genre, rang, contenu, media in apercus
    ]
    champs: dict[str, Any] = {
        "nature": Nature[nature.name],
        "faits": json.dumps(
            {**_faits(description, cda), **({"vaccinations": vaccins.faits()} if vaccins else {})},
            ensure_ascii=False,
        ),
        "statut": Statut.DISPONIBLE,
        "traite_le": timezone.now(),
    }
    if cda is not None and cda.code:
        champs.update(_type_du_cda(cda))
    connexion = connections[router.db_for_write(Document)]
    with transaction.atomic(using=connexion.alias):
        # One conditional update: if a concurrent run finished first, this one changes nothing
        # (its stored previews are orphan objects for vault_gc).
        if not _modifier_en_traitement(connexion, document_id, champs):
            return "ignoré"
        _apercus_creer(
            connexion,
            [
                (document_id, genre, rang, coffre.blob_enregistrer(a).pk)
                for genre, rang, a in stockes
            ],
        )
        if vaccins is not None:  # into the carnet de vaccination, with the document
            vaccinations_document_enregistrer(
                espace=document.espace,
                document_uuid=document.uuid,
                titre=document.titre,
                vaccinations=vaccins.vaccinations,
                secret_mineur=document.invisible_representants,
            )
        resultats.enregistrer(
            document_id=document_id,
            espace_id=document.espace.pk,
            lecture=observations,
            using=connexion.alias,
        )
        document_notifier(document)
    return "disponible"


# The job's two writes, as the ORM would make them but without compiling them each time (their
# compilation cost 0.75 ms of the 1.45 ms they took, about 5 % of the job): the values go
# through each field's own conversion (``faits`` is encrypted by its field).


def _modifier_en_traitement(connexion: Any, document_id: int, champs: dict[str, Any]) -> bool:
    nom = connexion.ops.quote_name
    modifies = [champ for champ in Document._meta.concrete_fields if champ.name in champs]
    with connexion.cursor() as curseur:
        curseur.execute(
            f"UPDATE {nom(Document._meta.db_table)} SET "  # noqa: S608 (no value in the text)
            + ", ".join(f"{nom(str(champ.column))} = %s" for champ in modifies)
            + " WHERE id = %s AND statut = %s",
            [
                *(champ.get_db_prep_save(champs[champ.name], connexion) for champ in modifies),
                document_id,
                Statut.EN_TRAITEMENT,
            ],
        )
        return curseur.rowcount == 1


def _apercus_creer(connexion: Any, lignes: list[tuple[int, str, int, Any]]) -> None:
    """Preview rows: (document id, kind, rank, blob id) each."""
    if not lignes:
        return
    nom = connexion.ops.quote_name
    champs = [
        next(champ for champ in Apercu._meta.concrete_fields if champ.name == nom_champ)
        for nom_champ in ("document", "genre", "rang", "blob")
    ]
    with connexion.cursor() as curseur:
        curseur.execute(
            f"INSERT INTO {nom(Apercu._meta.db_table)} "  # noqa: S608 (no value in the text)
            f"({', '.join(nom(str(champ.column)) for champ in champs)}) VALUES "
            + ", ".join(["(%s, %s, %s, %s)"] * len(lignes)),
            [
                champ.get_db_prep_save(valeur, connexion)
                for ligne in lignes
                for champ, valeur in zip(champs, ligne, strict=True)
            ],
        )


def _marquer_en_erreur(document_id: int, motif: str) -> None:
    """Refused after all: the document says why, and its content is not kept.

    A professional's deposit (``depot_refuse``) becomes the record of a refusal: what (its
    title and type), when (``traite_le``), by whom (its author), for which space, and the
    reason in plain words, which only its author reads (the access package keeps it out of the
    space's lists, counts, search and exports); it frees the uniqueId it may carry, and a new
    version refused gives the current place back to the version it was to replace. Any other
    refused file (a patient's upload, an import line) leaves the lists too: the holder's side
    is told once, by a notice on the documents page (``refus_a_signaler``)."""
    motif = motif[:300]
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("espace", "blob")
            .get(pk=document_id)
        )
        if document.statut != Statut.EN_TRAITEMENT:
            return
        blob = document.blob
        document.statut = Statut.EN_ERREUR
        document.motif_erreur = motif
        document.blob = None
        document.traite_le = timezone.now()
        champs = ["statut", "motif_erreur", "blob", "traite_le"]
        details: dict[str, Any] = {"motif": motif}
        # A refused file is no document of the space: its uniqueId (an import line's) is freed,
        # and a later import of it is tried again rather than told "déjà présent".
        if document.identifiant_unique:
            document.identifiant_unique = ""
            champs.append("identifiant_unique")
        if depot_refuse(document):
            details["depot_professionnel"] = True
            if document.version_precedente_id is not None:
                Document.objects.filter(
                    pk=document.version_precedente_id, statut=Statut.ARCHIVE
                ).update(statut=Statut.DISPONIBLE)
                document.version_precedente = None
                champs.append("version_precedente")
                details["version_retablie"] = True
        document.save(update_fields=champs)
        if blob is not None:
            coffre.blob_supprimer(blob)
        _journal(Action.DOCUMENT_REFUSE, acces=None, document=document, **details)


def documents_relancer_en_suspens(*, apres: timedelta = timedelta(minutes=10)) -> int:
    """Queue again documents still "en traitement" long after their deposit (a lost message,
    a worker killed before acknowledging): nothing acknowledged is left behind. Through the
    outbox (docs/TACHES.md), by the job's name: the tasks module imports this one."""
    limite = timezone.now() - apres
    ids = list(
        Document.objects.filter(statut=Statut.EN_TRAITEMENT, cree_le__lt=limite).values_list(
            "pk", flat=True
        )
    )
    for document_id in ids:
        tache_programmer(
            "dossier.tasks.document_ingerer",
            document_id,
            objet_type="document",
            objet_id=document_id,
        )
    return len(ids) + imports_relancer_en_suspens()
