"""Which documents an actor reads, and which they may change (DESIGN.md §3–§4).

A professional with an access (rules 1–3) reads document D of the space only if:
4. the habilitation matrix lets their profession read D's type (``matrice``);
5. D is not ``MASQUE_PS`` and the holder has not hidden everything;
— rules 4 and 5 yield when they are D's author (``est_auteur``): a professional always reads
what they deposited. Documents the patient deleted are gone for professionals.

The holder reads every document of their space but those a professional holds back
(``INVISIBLE_PATIENT``); a legal representative, in addition, never reads a minor's secret
(``INVISIBLE_REPRESENTANTS_LEGAUX``: ``secret_mineur``).

Writes: everyone with an access deposits; only a professional holds a document back from the
patient, or (on a minor's space) from the representatives; the author replaces their document
with a new version, and a professional author releases a document held back.

Lab results (``Resultat``) are read through their document: ``resultats_lisibles``.

Who is told: a document someone else added (a professional, an import, the insurer) is
announced to the holder and, on a minor's space, to the representatives unless it is the
minor's secret; to nobody while it is held back from the patient, or if the holder chose not
to be told (``destinataires_nouveau_document``).

A professional's deposit (from the web form or their software) is the space's only once its
content is accepted: until then (``en traitement``) only its author sees it, and a refused one
(``en erreur``: a CDA about another person, a corrupt file) stays a record of the refusal that
only its author reads (``depots_du_professionnel``, while their access to the space runs),
never a document of the space. Every other refused document (a patient's upload, an import
line the ingestion job refused) is no document either: no reader lists, counts, searches or
exports it (``_refuse``); the holder's side is told once, as a notice with its reason, until
they dismiss it (``refus_a_signaler``).

What the matrix keeps from a professional is counted, never described
(``nombre_hors_matrice``).

A DMP import's conflict (a document of an archive whose uniqueId the space holds with other
content) is decided by the patient's side, and shown only to whom reads both documents
(``conflits_import_lisibles``).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from dossier.models import ConflitImport, Document, Resultat, Source, Statut
from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.models import TypeActeur
from professionnels.models import Professionnel, ReglagesAcces

from .acteurs import Acces, AccesPatient, AccesPro, acteur_professionnel
from .autorisations import espaces_autorises, professionnel_actif
from .matrice import types_lisibles
from .secret_mineur import lit_les_secrets

# --- The author ---------------------------------------------------------------------------------


def _signature(acces: AccesPro) -> dict[str, str]:
    """What a professional's deposit carries of its author (``document_deposer``)."""
    return {"auteur_type": TypeActeur.PROFESSIONNEL, "auteur_id": acces.acteur.id}


def est_auteur(*, acces: Acces, document: Document) -> bool:
    """Whether the actor wrote ``document``: for a professional, they deposited it; for the
    holder or a representative, the patient's side did (their deposits are theirs to
    replace)."""
    if isinstance(acces, AccesPro):
        return all(getattr(document, nom) == valeur for nom, valeur in _signature(acces).items())
    return document.source == Source.PATIENT


def _ecrits_par(acces: AccesPro) -> Q:
    """``est_auteur`` as a filter on documents."""
    return Q(**_signature(acces))


# --- A professional's deposits ----------------------------------------------------------------

# Where a professional's deposit comes from: the web form, or their software through the API.
SOURCES_DEPOT_PRO = (Source.PROFESSIONNEL, Source.API)


def _depot_en_traitement() -> Q:
    """A professional's deposit not yet accepted: whether it is about this person at all is
    not known yet (a CDA's INS is checked by the ingestion job)."""
    return Q(source__in=SOURCES_DEPOT_PRO, statut=Statut.EN_TRAITEMENT)


def _refuse() -> Q:
    """Any document refused by its checks: never a document of the space, for any reader."""
    return Q(statut=Statut.EN_ERREUR)


def depot_refuse(document: Document) -> bool:
    """A professional's deposit whose content was refused: a record of the refusal (its
    author's), not a document of the space."""
    return document.source in SOURCES_DEPOT_PRO and document.statut == Statut.EN_ERREUR


def _tous_les_depots(professionnel: Professionnel) -> QuerySet[Document]:
    return Document.objects.filter(
        auteur_type=TypeActeur.PROFESSIONNEL,
        auteur_id=acteur_professionnel(professionnel).id,
        source__in=SOURCES_DEPOT_PRO,
    )


def depots_du_professionnel(*, professionnel: Professionnel) -> QuerySet[Document]:
    """The deposits this professional made that they may still read, whatever their outcome
    (accepted, still checked, refused): what "Mes dépôts" lists and the page that follows a
    deposit reads. Their own only, in the spaces they may open now (rules 1–3: a revoked grant
    or a block ends it, as for every page of the space), and not deleted by the patient."""
    if not professionnel_actif(professionnel):
        return Document.objects.none()
    return _tous_les_depots(professionnel).filter(
        espace__in=espaces_autorises(professionnel=professionnel), supprime_le__isnull=True
    )


def nombre_depots_hors_acces(*, professionnel: Professionnel) -> int:
    """How many of their deposits they may no longer read (access ended, space closed, the
    patient deleted the document): a count, nothing of which space or document."""
    if not professionnel_actif(professionnel):
        return 0
    lisibles = depots_du_professionnel(professionnel=professionnel)
    return _tous_les_depots(professionnel).exclude(pk__in=lisibles.values("pk")).count()


def documents_du_professionnel(*, acces: AccesPro, supprimes: bool = False) -> QuerySet[Document]:
    """Every document of the space this professional may read (rules 4 and 5). Documents the
    patient deleted are gone for professionals; with ``supprimes`` nothing is returned."""
    if supprimes:
        return Document.objects.none()
    permis = types_lisibles(acces.matrice)
    if acces.tout_masque:
        permis = Q(pk__in=[])
    else:
        permis &= Q(masque_ps=False) & ~_depot_en_traitement()
    return (
        Document.objects.filter(espace=acces.espace, supprime_le__isnull=True)
        .exclude(_refuse())
        .filter(_ecrits_par(acces) | permis)
    )


def nombre_hors_matrice(*, acces: AccesPro) -> int:
    """How many current documents of the space this professional would read by their access
    but for the matrix (rule 4): not hidden from professionals, not hidden all at once, not
    their own, not an old version, not a deposit still checked or refused. A count only: what
    those documents are (titles, types, dates) is never read out of the database."""
    if acces.tout_masque:
        return 0
    return (
        Document.objects.filter(espace=acces.espace, supprime_le__isnull=True, masque_ps=False)
        .exclude(statut=Statut.ARCHIVE)
        .exclude(_refuse() | _depot_en_traitement())
        .exclude(types_lisibles(acces.matrice))
        .exclude(_ecrits_par(acces))
        .count()
    )


def documents_du_patient(*, acces: AccesPatient, supprimes: bool = False) -> QuerySet[Document]:
    """What the holder or a representative reads: all but what a professional holds back
    and a professional's deposit not accepted (yet, or at all), and for a representative, all
    but the minor's secrets."""
    documents = Document.objects.filter(
        espace=acces.espace, supprime_le__isnull=not supprimes, invisible_patient=False
    ).exclude(_refuse() | _depot_en_traitement())
    if not lit_les_secrets(acces):
        documents = documents.filter(invisible_representants=False)
    return documents


def refus_a_signaler(*, acces: AccesPatient) -> QuerySet[Document]:
    """The refused files the holder or a representative is still to be told about: their own
    uploads and the import lines the checks refused (not a professional's deposit, which is its
    author's record), by the same reading rules as documents (held back from the patient, a
    minor's secret), until dismissed (``refus_vu_le``). Newest first."""
    refus = (
        Document.objects.filter(
            _refuse(),
            espace=acces.espace,
            supprime_le__isnull=True,
            invisible_patient=False,
            refus_vu_le__isnull=True,
        )
        .exclude(source__in=SOURCES_DEPOT_PRO)
        .order_by("-traite_le", "-pk")
    )
    if not lit_les_secrets(acces):
        refus = refus.filter(invisible_representants=False)
    return refus


def documents_lisibles(*, acces: Acces, supprimes: bool = False) -> QuerySet[Document]:
    """The documents of ``acces.espace`` the actor behind ``acces`` may read (with
    ``supprimes``: those in the bin instead)."""
    if isinstance(acces, AccesPro):
        return documents_du_professionnel(acces=acces, supprimes=supprimes)
    return documents_du_patient(acces=acces, supprimes=supprimes)


def conflits_import_lisibles(*, acces: AccesPatient) -> QuerySet[ConflitImport]:
    """The DMP import's conflicts of the space (a document of an archive whose uniqueId the
    space already holds with other content) the holder or a representative sees and decides:
    those whose incoming document they would read once imported, and whose document already
    in the space with that uniqueId they read too (else the conflict would tell it exists).
    A professional never reaches them (the import pages are the patient's side)."""
    lisible = Q(invisible_patient=False)
    if not lit_les_secrets(acces):
        lisible &= Q(invisible_representants=False)
    cache = Document.objects.filter(
        espace=acces.espace, identifiant_unique=OuterRef("identifiant_unique")
    ).exclude(lisible)
    return ConflitImport.objects.filter(lisible, espace=acces.espace).exclude(Exists(cache))


def resultats_lisibles(*, acces: Acces) -> QuerySet[Resultat]:
    """The lab results the actor may read: those of the current documents (not an old
    version) they may read, by the same rules: hiding, holding back or deleting a document
    hides its values, and a representative never reads a minor's secret's."""
    documents = documents_lisibles(acces=acces).filter(statut=Statut.DISPONIBLE)
    return Resultat.objects.filter(espace=acces.espace, document__in=documents.values("pk"))


# --- Writes -------------------------------------------------------------------------------------


def peut_cacher_au_patient(acces: Acces) -> bool:
    """Only a professional holds a document back until the announcement consultation."""
    return acces.est_professionnel


def peut_remplacer(*, acces: Acces, document: Document) -> bool:
    """The author replaces a current version (not an old one) with a new version."""
    return document.statut != Statut.ARCHIVE and est_auteur(acces=acces, document=document)


def peut_liberer(*, acces: Acces, document: Document) -> bool:
    """A professional author releases the document they held back from the patient (the
    service refuses anyone but the author: ``est_auteur``)."""
    return (
        acces.est_professionnel
        and document.invisible_patient
        and est_auteur(acces=acces, document=document)
    )


# --- Who is told ------------------------------------------------------------------------------


def destinataires_nouveau_document(document: Document) -> list[Utilisateur]:
    """Whom to tell that ``document`` was added to their space (the e-mail names no document):
    nobody for the patient's own deposit or a document held back from the patient; else the
    holder, and on a minor's space its current representatives unless the document is the
    minor's secret — nobody at all if the space's access settings say not to tell
    (``notifier_nouveau_document``)."""
    if document.source == Source.PATIENT or document.invisible_patient:
        return []
    espace = document.espace
    destinataires = [espace.titulaire] if espace.titulaire is not None else []
    if espace.est_mineur and not document.invisible_representants:
        destinataires += [
            r.representant.titulaire
            for r in espace.representants.filter(fin__isnull=True).select_related(
                "representant__titulaire"
            )
            if r.representant.titulaire is not None
        ]
    if (
        not destinataires
        or ReglagesAcces.objects.filter(
            espace_id=document.espace_id, notifier_nouveau_document=False
        ).exists()
    ):
        return []
    return destinataires
