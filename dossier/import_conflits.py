"""A DMP import's conflicts (docs/IMPORT_DMP.md): a document of an archive whose XDS uniqueId
the space already holds with other content. The import keeps it, encrypted in the vault, as a
``ConflitImport`` (``conflit_constater``) instead of dropping it; the holder or a
representative then decides (``conflit_decider``): import it as a new version of the document
that carries the uniqueId (the replacement's mechanism, ``services.document_versionner``: the
old version stays readable as the document's history), or ignore it. Either way the kept copy
leaves the vault, and the choice is journaled.

Idempotence: one conflict per space, uniqueId and incoming content (a keyed digest of its
SHA-256), so importing the same archive again finds the same conflict — decided or not, it is
never asked twice; content equal to any version of the document is "déjà présent"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.acces import AccesPatient, conflits_import_lisibles, documents_lisibles
from espace_sante.acces.secret_mineur import SECRET_MINEUR
from espace_sante.coffre import services as coffre
from espace_sante.coffre.champs import empreintes_possibles
from espace_sante.journal.models import Action, TypeActeur
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.erreurs import Refus
from profil.models import Espace

from .models import ConflitImport, Document, Source
from .services import document_creer, document_versionner

Decision = ConflitImport.Decision


@dataclass(frozen=True)
class Metadonnees:
    """What an import takes of a document's XDS metadata (``import_dmp``): the same for a
    document created and for a conflict kept until decided."""

    titre: str
    nom_fichier: str
    date_acte: dt.date
    type_code: str
    auteur: Acteur
    media_type: str
    masque_ps: bool
    invisible_patient: bool
    invisible_representants: bool
    # The type as the archive's metadata state it (label and scheme of the XDS typeCode), kept
    # for a code the national table does not know.
    type_libelle: str = ""
    type_systeme: str = ""


# --- The import finds one ------------------------------------------------------------------------


def _versions(document: Document | None) -> Iterator[Document]:
    """``document`` and its previous versions (the uniqueId moves to the newest)."""
    vus: set[int] = set()
    while document is not None and document.pk not in vus:
        vus.add(document.pk)
        yield document
        document = document.version_precedente


def contenu_connu(document: Document, sha256: str) -> bool:
    """Whether ``sha256`` is the content of ``document`` or of one of its earlier versions."""
    for version in _versions(document):
        if version.sha256 == sha256:
            return True
        # Rows without the digest: the blob's keyed one.
        if not version.sha256 and version.blob and coffre.empreinte_conforme(sha256, version.blob):
            return True
    return False


def conflit_constater(
    *,
    espace: Espace,
    identifiant_unique: str,
    contenu: bytes,
    sha256: str,
    metadonnees: Metadonnees,
) -> ConflitImport:
    """The conflict for this incoming content: the one already recorded (by an earlier import
    of the same archive, or a job racing this one), or a new one with the content encrypted
    into the vault. Runs in the caller's transaction."""
    empreintes = empreintes_possibles(sha256, usage="conflit-dmp", portee=espace.pk)

    def existant() -> ConflitImport | None:
        return ConflitImport.objects.filter(
            espace=espace, identifiant_unique=identifiant_unique, empreinte__in=empreintes
        ).first()

    conflit = existant()
    if conflit is not None:
        return conflit
    try:
        with transaction.atomic():
            return ConflitImport.objects.create(
                espace=espace,
                identifiant_unique=identifiant_unique,
                sha256=sha256,
                blob=coffre.blob_ecrire_octets(contenu, media_type=metadonnees.media_type),
                titre=metadonnees.titre,
                nom_fichier=metadonnees.nom_fichier,
                auteur_nom=metadonnees.auteur.nom,
                type_code=metadonnees.type_code,
                type_libelle=metadonnees.type_libelle,
                type_systeme=metadonnees.type_systeme,
                date_acte=metadonnees.date_acte,
                media_type=metadonnees.media_type,
                taille=len(contenu),
                masque_ps=metadonnees.masque_ps,
                invisible_patient=metadonnees.invisible_patient,
                invisible_representants=metadonnees.invisible_representants,
            )
    except IntegrityError:  # recorded meanwhile by another job (its object: the vault's GC)
        conflit = existant()
        if conflit is None:
            raise
        return conflit


# --- The holder decides --------------------------------------------------------------------------


def conflit_decider(
    *, acces: AccesPatient, conflit: ConflitImport, decision: str, ip: str | None = None
) -> Document | None:
    """Settle one conflict: ``nouvelle_version`` imports the kept copy as the new version of
    the document that carries the uniqueId (returned), ``ignore`` drops it. Refused when it is
    not the actor's to decide or already decided."""
    if decision not in {Decision.NOUVELLE_VERSION, Decision.IGNORE}:
        raise Refus(_("Choisissez « Importer comme nouvelle version » ou « Ignorer »."))
    with transaction.atomic():
        conflit_verrouille = (
            conflits_import_lisibles(acces=acces)
            .select_for_update(of=("self",))
            .select_related("blob")
            .filter(pk=conflit.pk)
            .first()
        )
        if conflit_verrouille is None:
            raise Refus(_("Ce document n'est plus à vérifier."))
        conflit = conflit_verrouille
        if not conflit.a_decider:
            raise Refus(_("Vous avez déjà fait ce choix pour ce document."))
        nouveau = None
        if decision == Decision.NOUVELLE_VERSION:
            nouveau = _nouvelle_version(acces, conflit, ip)
        blob = conflit.blob
        conflit.decision = decision
        conflit.decide_le = timezone.now()
        conflit.decide_par = acces.utilisateur
        conflit.document = nouveau
        conflit.blob = None
        conflit.save(update_fields=["decision", "decide_le", "decide_par", "document", "blob"])
        if blob is not None:
            coffre.blob_supprimer(blob)
        evenement_enregistrer(
            action=Action.IMPORT_DMP_CONFLIT_VERSION
            if nouveau is not None
            else Action.IMPORT_DMP_CONFLIT_IGNORE,
            acteur=acces.acteur,
            espace_uuid=acces.espace.uuid,
            objet_type="import_dmp_conflit",
            objet_id=str(conflit.uuid),
            ip=ip,
            details={
                **({"document": str(nouveau.uuid)} if nouveau is not None else {}),
                **({SECRET_MINEUR: True} if conflit.invisible_representants else {}),
            },
        )
    return nouveau


def _nouvelle_version(acces: AccesPatient, conflit: ConflitImport, ip: str | None) -> Document:
    """The kept copy becomes a document, the current version of the one holding the uniqueId
    (which passes the uniqueId on: it is unique in the space), or a document of its own if
    that one was erased since."""
    if conflit.blob is None:
        raise Refus(
            _("Le document de l'archive n'est plus disponible : importez l'archive à nouveau.")
        )
    try:
        contenu = b"".join(coffre.blob_lire(conflit.blob, verifier_empreinte=True))
    except coffre.BlobIllisible as erreur:
        raise Refus(erreur.message) from erreur
    ancien = (
        Document.objects.select_for_update()
        .filter(espace=acces.espace, identifiant_unique=conflit.identifiant_unique)
        .first()
    )
    if ancien is not None:
        Document.objects.filter(pk=ancien.pk).update(identifiant_unique="")
    nouveau = document_creer(
        espace=acces.espace,
        contenu=contenu,
        nom_fichier=conflit.nom_fichier,
        titre=conflit.titre,
        date_acte=conflit.date_acte,
        type_code=conflit.type_code,
        type_libelle=conflit.type_libelle,
        type_systeme=conflit.type_systeme,
        auteur=Acteur(type=TypeActeur.PROFESSIONNEL, id="", nom=conflit.auteur_nom),
        source=Source.IMPORT_DMP,
        media_type=conflit.media_type or "application/octet-stream",
        # Hidden from professionals or from the representatives if either version says so.
        masque_ps=conflit.masque_ps or bool(ancien and ancien.masque_ps),
        invisible_patient=conflit.invisible_patient,
        invisible_representants=conflit.invisible_representants
        or bool(ancien and ancien.invisible_representants),
        identifiant_unique=conflit.identifiant_unique,
    )
    if ancien is not None:
        if ancien.dossier_utilisateur:
            nouveau.dossier_utilisateur = ancien.dossier_utilisateur
            nouveau.save(update_fields=["dossier_utilisateur"])
        document_versionner(acces=acces, ancien=ancien, nouveau=nouveau, ip=ip)
    return nouveau


# --- What the pages show -------------------------------------------------------------------------


def conflits_en_attente(*, espace: Espace) -> int:
    """How many of the space's conflicts wait for a decision: a count for operators, who never
    see what they are about."""
    return ConflitImport.objects.filter(espace=espace, decision=Decision.A_DECIDER).count()


@dataclass(frozen=True)
class ConflitVu:
    """A conflict as the import pages show it: the incoming document's metadata, the document
    already in the space (``None`` if erased since), whether that one is in the bin."""

    conflit: ConflitImport
    existant: Document | None
    dans_la_corbeille: bool = False


def conflits_a_montrer(
    *, acces: AccesPatient, uuids: Iterable[str] | None = None, a_decider: bool = False
) -> list[ConflitVu]:
    """The space's conflicts the actor decides (``conflits_import_lisibles``): those named by
    ``uuids`` (an import's report), or all of them; with ``a_decider``, those still waiting.
    At most three queries whatever their number."""
    conflits: QuerySet[ConflitImport] = conflits_import_lisibles(acces=acces)
    if uuids is not None:
        conflits = conflits.filter(uuid__in=list(uuids))
    if a_decider:
        conflits = conflits.filter(decision=Decision.A_DECIDER)
    conflits = conflits.select_related("document")
    liste = list(conflits)
    if not liste:
        return []
    uids = {c.identifiant_unique for c in liste}
    presents = {
        d.identifiant_unique: d
        for d in documents_lisibles(acces=acces).filter(identifiant_unique__in=uids)
    }
    manquants = uids - set(presents)
    corbeille = (
        {
            d.identifiant_unique: d
            for d in documents_lisibles(acces=acces, supprimes=True).filter(
                identifiant_unique__in=manquants
            )
        }
        if manquants
        else {}
    )
    return [
        ConflitVu(
            conflit=c,
            existant=presents.get(c.identifiant_unique) or corbeille.get(c.identifiant_unique),
            dans_la_corbeille=c.identifiant_unique in corbeille,
        )
        for c in liste
    ]
