"""Everything that changes documents: one function each, journaled, side effects on commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.acces import (
    Acces,
    AccesPatient,
    AccesPro,
    destinataires_nouveau_document,
    est_auteur,
    marque_secret,
    peut_cacher_au_patient,
    peut_marquer_secret,
    peut_remplacer,
)
from espace_sante.coffre import services as coffre
from espace_sante.coffre.televersement import FichierChiffre
from espace_sante.comptes.models import TypeNotification
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.erreurs import Refus
from espace_sante.taches.services import tache_programmer
from profil.carnet_vaccinal import vaccinations_document_effacer

from .formats import detection
from .formats.commun import FichierRefuse
from .models import Document, Nature, ReglagesDossier, Source, Statut
from .types import TYPES, categorie_de

logger = logging.getLogger(__name__)
DELAI_CORBEILLE = timedelta(days=30)
TITRE_MAX = 200


def _journal(
    action: Action,
    *,
    acces: Acces | None,
    document: Document,
    ip: str | None = None,
    **details: Any,
) -> None:
    evenement_enregistrer(
        action=action,
        acteur=acces.acteur if acces is not None else Acteur.systeme(),
        espace_uuid=document.espace.uuid,
        objet_type="document",
        objet_id=str(document.uuid),
        ip=ip,
        details={**details, **marque_secret(document)},
    )


# --- Deposit -----------------------------------------------------------------------------------


def _nature_du_debut(fichier: FichierChiffre) -> Nature:
    """The nature from the file's start (as far as an XML root may lie: ``TAILLE_EXAMINEE``)."""
    fichier.open()
    debut = fichier.read(detection.TAILLE_EXAMINEE)
    fichier.close()
    try:
        return Nature[detection.detecter(debut).name]
    except FichierRefuse as refus:
        raise Refus(refus.message) from refus


def document_deposer(
    *,
    acces: Acces,
    fichier: FichierChiffre,
    titre: str,
    date_acte: date,
    type_code: str,
    dossier_utilisateur: str = "",
    invisible_patient: bool = False,
    masque_ps: bool = False,
    invisible_representants: bool = False,
    ip: str | None = None,
    type_de: Document | None = None,
    par_logiciel: bool = False,
) -> Document:
    """A deposit through a web form, by the patient (or a representative) or by a
    professional (``par_logiciel``: through their software, the FHIR API; source "api").
    The file is already encrypted and stored; its nature is checked from its first bytes now
    (a refusal keeps nothing), the rest by the ingestion job (where a structured document's
    own type replaces the one chosen here).

    Only a professional may hold a document back from the patient (``invisible_patient``)
    or from a minor's representatives; the DMP forbids holding it back from the patient and
    hiding it from professionals at once. ``type_de``: a new version keeps the type of the
    document it replaces, even one the form does not offer (its content may have said it)."""
    professionnel = acces.est_professionnel
    try:
        if not acces.espace.ouvert:
            raise Refus(_("Cet espace est fermé : aucun document ne peut y être ajouté."))
        type_document = TYPES.get(type_code)
        if type_de is not None:
            type_code = type_de.type_code
        elif type_document is None or type_document.depot_patient == professionnel:
            raise Refus(_("Choisissez un type de document dans la liste."))
        if date_acte > timezone.localdate():
            raise Refus(_("La date de l'acte ne peut pas être dans le futur."))
        titre = " ".join(titre.split())[:TITRE_MAX]
        if not titre:
            raise Refus(_("Donnez un titre au document."))
        if not peut_cacher_au_patient(acces) and (invisible_patient or invisible_representants):
            raise Refus(_("Seul un professionnel peut rendre un document invisible."))
        if invisible_patient and masque_ps:
            raise Refus(
                _(
                    "Un document ne peut pas être à la fois invisible pour le patient et masqué "
                    "aux professionnels."
                )
            )
        if invisible_representants and not peut_marquer_secret(acces):
            raise Refus(_("Le masquage aux représentants légaux ne vaut que pour un mineur."))
        nature = _nature_du_debut(fichier)
    except Refus:
        fichier.abandonner()
        raise
    reglage = ReglagesDossier.objects.filter(espace=acces.espace).first()
    par_defaut = bool(reglage and reglage.masquer_nouveaux) and not invisible_patient
    with transaction.atomic():
        blob = coffre.blob_enregistrer(fichier.attente)
        document = Document.objects.create(
            espace=acces.espace,
            type_code=type_code,
            categorie=categorie_de(type_code),
            type_libelle=type_de.type_libelle if type_de is not None else "",
            type_systeme=type_de.type_systeme if type_de is not None else "",
            titre=titre,
            date_acte=date_acte,
            auteur_type=acces.acteur.type,
            auteur_id=acces.acteur.id,
            auteur_nom=acces.acteur.nom,
            source=(
                (Source.API if par_logiciel else Source.PROFESSIONNEL)
                if professionnel
                else Source.PATIENT
            ),
            depose_par=acces.utilisateur,
            dossier_utilisateur=" ".join(dossier_utilisateur.split())[:100],
            nom_fichier=(fichier.name or "")[:255],
            blob=blob,
            nature=nature,
            media_type=blob.media_type,
            taille=blob.taille,
            sha256=blob.sha256_clair,
            masque_ps=masque_ps or par_defaut,
            invisible_patient=invisible_patient,
            invisible_representants=invisible_representants,
        )
        _journal(Action.DOCUMENT_DEPOSE, acces=acces, document=document, ip=ip)
        _programmer_ingestion(document)
    return document


def document_creer(
    *,
    espace: Any,
    contenu: bytes,
    nom_fichier: str,
    titre: str,
    date_acte: date,
    type_code: str,
    auteur: Acteur,
    source: Source,
    media_type: str = "application/octet-stream",
    masque_ps: bool = False,
    invisible_patient: bool = False,
    invisible_representants: bool = False,
    identifiant_unique: str = "",
    type_libelle: str = "",
    type_systeme: str = "",
) -> Document:
    """A document that does not come from an upload form (a professional's software, an import,
    the insurer, the demo data). Same checks and same pipeline as a deposit. ``type_libelle``
    and ``type_systeme``: the type as the sender's metadata state it (an XDS typeCode's label
    and scheme), shown when the national table does not know the code."""
    nature = nature_des_octets(contenu)
    with transaction.atomic():
        blob = coffre.blob_ecrire_octets(contenu, media_type=media_type)
        document = Document.objects.create(
            espace=espace,
            type_code=type_code[:64],
            categorie=categorie_de(type_code),
            type_libelle=" ".join(type_libelle.split())[:200],
            type_systeme=type_systeme[:64],
            titre=" ".join(titre.split())[:TITRE_MAX],
            date_acte=date_acte,
            auteur_type=auteur.type,
            auteur_id=auteur.id,
            auteur_nom=auteur.nom,
            source=source,
            nom_fichier=nom_fichier[:255],
            blob=blob,
            nature=nature,
            media_type=media_type,
            taille=blob.taille,
            sha256=blob.sha256_clair,
            masque_ps=masque_ps,
            invisible_patient=invisible_patient,
            invisible_representants=invisible_representants,
            identifiant_unique=identifiant_unique[:128],
        )
        evenement_enregistrer(
            action=Action.DOCUMENT_DEPOSE,
            acteur=auteur,
            espace_uuid=espace.uuid,
            objet_type="document",
            objet_id=str(document.uuid),
            details=marque_secret(document),
        )
        _programmer_ingestion(document)
    return document


def nature_des_octets(contenu: bytes) -> Nature:
    """What ``contenu`` is, by its first and last bytes; ``Refus`` for what the portal does not
    take (the ingestion job checks the rest)."""
    try:
        return Nature[
            detection.detecter(contenu[: detection.TAILLE_EXAMINEE], fin=contenu[-1024:]).name
        ]
    except FichierRefuse as refus:
        raise Refus(refus.message) from refus


def _programmer_ingestion(document: Document) -> None:
    """The ingestion job, recorded with the document (the outbox: docs/TACHES.md), by its
    name: the tasks module imports this one."""
    tache_programmer(
        "dossier.tasks.document_ingerer", document.pk, objet_type="document", objet_id=document.pk
    )


# --- Visibility --------------------------------------------------------------------------------


def documents_masquer(
    *, acces: AccesPatient, documents: Iterable[Document], masque: bool, ip: str | None = None
) -> int:
    if not acces.peut_regler_visibilite:
        raise Refus(_("Seul le titulaire peut changer la visibilité de ses documents."))
    nombre = 0
    with transaction.atomic():
        for document in documents:
            if document.masque_ps == masque or document.invisible_patient:
                continue
            document.masque_ps = masque
            document.save(update_fields=["masque_ps"])
            _journal(
                Action.DOCUMENT_MASQUE if masque else Action.DOCUMENT_AFFICHE,
                acces=acces,
                document=document,
                ip=ip,
            )
            nombre += 1
    return nombre


def dossier_regler(
    *,
    acces: AccesPatient,
    tout_masque: bool | None = None,
    masquer_nouveaux: bool | None = None,
    ip: str | None = None,
) -> ReglagesDossier:
    if not acces.peut_regler_visibilite:
        raise Refus(_("Seul le titulaire peut changer la visibilité de ses documents."))
    with transaction.atomic():
        reglage, _cree = ReglagesDossier.objects.select_for_update().get_or_create(
            espace=acces.espace
        )
        if tout_masque is not None and tout_masque != reglage.tout_masque:
            reglage.tout_masque = tout_masque
            evenement_enregistrer(
                action=Action.DOSSIER_TOUT_MASQUE if tout_masque else Action.DOSSIER_TOUT_AFFICHE,
                acteur=acces.acteur,
                espace_uuid=acces.espace.uuid,
                ip=ip,
            )
        if masquer_nouveaux is not None and masquer_nouveaux != reglage.masquer_nouveaux:
            reglage.masquer_nouveaux = masquer_nouveaux
            evenement_enregistrer(
                action=Action.DOSSIER_REGLAGE,
                acteur=acces.acteur,
                espace_uuid=acces.espace.uuid,
                ip=ip,
                details={"masquer_nouveaux": masquer_nouveaux},
            )
        reglage.save()
    return reglage


def document_liberer(*, acces: AccesPro, document: Document, ip: str | None = None) -> Document:
    """The author releases a document held back until the announcement consultation: the
    patient sees it from now on, and is told a document arrived."""
    if not est_auteur(acces=acces, document=document):
        raise Refus(_("Seul l'auteur du document peut le rendre visible au patient."))
    with transaction.atomic():
        libere = Document.objects.filter(
            pk=document.pk, espace=acces.espace, invisible_patient=True
        ).update(invisible_patient=False)
        if not libere:
            return document
        document.invisible_patient = False
        _journal(Action.DOCUMENT_LIBERE, acces=acces, document=document, ip=ip)
        if document.statut == Statut.DISPONIBLE:
            document_notifier(document)
    return document


def document_notifier(document: Document) -> None:
    """Tell whoever the access rules name (``destinataires_nouveau_document``: the holder, a
    minor's representatives, unless they chose not to be told) that a document was added, once
    it is available. The e-mail names no document: it invites them to log in."""
    for destinataire in destinataires_nouveau_document(document):
        notification_programmer(
            destinataire=destinataire,
            type=TypeNotification.NOUVEAU_DOCUMENT,
            cle=f"{document.uuid}:{destinataire.pk}",
        )


# --- Deletion, undo, purge, versions -----------------------------------------------------------


def document_supprimer(
    *, acces: AccesPatient, document: Document, ip: str | None = None
) -> Document:
    with transaction.atomic():
        document.supprime_le = timezone.now()
        document.purge_le = document.supprime_le + DELAI_CORBEILLE
        document.save(update_fields=["supprime_le", "purge_le"])
        _journal(Action.DOCUMENT_SUPPRIME, acces=acces, document=document, ip=ip)
    return document


def document_restaurer(
    *, acces: AccesPatient, document: Document, ip: str | None = None
) -> Document:
    with transaction.atomic():
        document.supprime_le = None
        document.purge_le = None
        document.save(update_fields=["supprime_le", "purge_le"])
        _journal(Action.DOCUMENT_RESTAURE, acces=acces, document=document, ip=ip)
    return document


def documents_purger_echus(*, maintenant: Any = None) -> int:
    """Erase documents deleted more than 30 days ago, their blobs and previews included."""
    maintenant = maintenant or timezone.now()
    nombre = 0
    for document_id in Document.objects.filter(purge_le__lte=maintenant).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            document = (
                Document.objects.select_for_update(of=("self",))
                .select_related("espace", "blob")
                .filter(pk=document_id, purge_le__lte=maintenant)
                .first()
            )
            if document is None:
                continue
            _journal(Action.DOCUMENT_PURGE, acces=None, document=document)
            document_purger(document)
            nombre += 1
    return nombre


def document_purger(document: Document) -> None:
    """Delete a document with its blobs (objects removed after commit) and the vaccinations
    the carnet read from it."""
    blobs = [a.blob for a in document.apercus.select_related("blob")]
    if document.blob is not None:
        blobs.append(document.blob)
    document.apercus.all().delete()
    vaccinations_document_effacer(espace_id=document.espace_id, document_uuid=document.uuid)
    document.delete()
    for blob in blobs:
        coffre.blob_supprimer(blob)


def document_remplacer(
    *,
    acces: Acces,
    ancien: Document,
    fichier: FichierChiffre,
    titre: str = "",
    ip: str | None = None,
) -> Document:
    """A new version replaces ``ancien``, which stays readable as "ancienne version". The
    patient replaces their own deposits, a professional the documents they wrote."""
    if not peut_remplacer(acces=acces, document=ancien):
        fichier.abandonner()
        raise Refus(
            _("Seuls vos propres documents peuvent être remplacés par une nouvelle version.")
        )
    with transaction.atomic():
        nouveau = document_deposer(
            acces=acces,
            fichier=fichier,
            titre=titre or ancien.titre,
            date_acte=ancien.date_acte,
            type_code=ancien.type_code,
            type_de=ancien,
            dossier_utilisateur=ancien.dossier_utilisateur,
            invisible_patient=ancien.invisible_patient,
            masque_ps=ancien.masque_ps,
            invisible_representants=ancien.invisible_representants,
            ip=ip,
        )
        document_versionner(acces=acces, ancien=ancien, nouveau=nouveau, ip=ip)
    return nouveau


def document_versionner(
    *, acces: Acces, ancien: Document, nouveau: Document, ip: str | None = None
) -> None:
    """``nouveau`` becomes the current version of ``ancien``, which stays readable as
    "ancienne version" (the document's history): a replacement, or a DMP import's conflict
    the holder settled that way (``dossier.import_conflits``). The caller holds the
    transaction and has checked who may."""
    nouveau.version_precedente = ancien
    nouveau.save(update_fields=["version_precedente"])
    ancien.statut = Statut.ARCHIVE
    ancien.save(update_fields=["statut"])
    _journal(Action.DOCUMENT_REMPLACE, acces=acces, document=nouveau, ip=ip)


def document_consultation(
    *, acces: AccesPatient, document: Document, action: Action, ip: str | None
) -> None:
    _journal(action, acces=acces, document=document, ip=ip)


def document_illisible(*, acces: Acces, document: Document, motif: str) -> None:
    """The document's object (or one of its previews) failed its integrity check as it was read:
    the event tells the operators, and shows in the holder's history."""
    _journal(Action.FICHIER_ILLISIBLE, acces=acces, document=document, motif=motif)


def remboursements_consultation(*, acces: Acces, ip: str | None) -> None:
    """Each view of the reimbursements page shows in the space's history."""
    evenement_enregistrer(
        action=Action.REMBOURSEMENTS_CONSULTES,
        acteur=acces.acteur,
        espace_uuid=acces.espace.uuid,
        objet_type="remboursements",
        ip=ip,
    )


# --- Refusal notices ---------------------------------------------------------------------------


def refus_ecarter(*, acces: AccesPatient, document: Document) -> None:
    """The holder's side has read the notice of a refused file (``refus_a_signaler``) and
    puts it away: the row and its ``document_refuse`` journal event stay."""
    Document.objects.filter(pk=document.pk, statut=Statut.EN_ERREUR).update(
        refus_vu_le=timezone.now()
    )
