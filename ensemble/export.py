"""“Télécharger toutes mes données” (issue 7 §3, docs/EXPORT.md).

The holder of a space — or a minor's legal representative, for the minor's space — asks for an
export; a job builds one zip archive of everything that person may see (the original files, a
FHIR R4 Bundle of the record, a readable PDF summary) and writes it through the vault as it is
produced: encrypted at rest, never in clear on disk, in bounded memory. The person is told by
e-mail; they download it, after typing their password again, until it expires; then the purge
deletes its blob. Every step is a journal event; none holds health content.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import mimetypes
import uuid
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from datetime import datetime, timedelta
from functools import partial
from pathlib import PurePosixPath
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from dossier.models import Document
from dossier.selectors import documents_visibles
from espace_sante.acces import AccesPatient, espace_pour_acteur, peut_exporter
from espace_sante.coffre import services as coffre
from espace_sante.comptes.models import TypeNotification
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.logging import erreur_sans_contenu
from espace_sante.lib.taches import PANNES
from espace_sante.taches.services import tache_programmer
from professionnels.selectors import professionnels_de_l_espace
from profil import profil_medical as pm
from profil.models import ExportDonnees

from .archive import Entree, flux_zip
from .fhir import FichierExporte, bundle_construire
from .synthese import Rubrique, directives_pdf, resume_pdf, rubriques_profil

logger = logging.getLogger(__name__)

Etat = ExportDonnees.Etat
# An export neither built nor failed after this long is given up (its job was lost): the person
# may then ask again.
DELAI_MAXIMAL = timedelta(hours=24)
CHEMIN_BUNDLE = "fhir/bundle.json"
CHEMIN_SYNTHESE = "synthese.pdf"
CHEMIN_DIRECTIVES = "profil/directives-anticipees.pdf"
CHEMIN_LISEZMOI = "LISEZMOI.txt"


# --- Who may export, and reads --------------------------------------------------------------------


def exports_de(*, acces: AccesPatient) -> QuerySet[ExportDonnees]:
    """The exports this person asked for on this space (another person's are not theirs to
    see, even a co-representative's)."""
    return ExportDonnees.objects.filter(espace=acces.espace, demande_par=acces.utilisateur)


def export_pour_acteur(*, acces: AccesPatient, export_uuid: uuid.UUID) -> ExportDonnees:
    export = exports_de(acces=acces).select_related("blob").filter(uuid=export_uuid).first()
    if export is None:
        raise Http404
    return export


def _acces_du_demandeur(export: ExportDonnees) -> AccesPatient:
    """What the person who asked may see today (404 if they no longer may)."""
    if export.demande_par is None:
        raise Http404
    acces = espace_pour_acteur(utilisateur=export.demande_par, espace_uuid=export.espace.uuid)
    if acces.role != export.role or not peut_exporter(acces=acces):
        raise Http404
    return acces


# --- Asking ---------------------------------------------------------------------------------------


def export_demander(*, acces: AccesPatient, ip: str | None = None) -> tuple[ExportDonnees, bool]:
    """Ask for an export; returns it and whether it is new. Asking again while one is waiting
    or being built returns that one and queues nothing (the database holds one such export per
    person and space)."""
    if not peut_exporter(acces=acces):
        raise Refus(_("Seul le titulaire majeur de l'espace peut exporter ses données."))
    with transaction.atomic():
        en_suspens = (
            exports_de(acces=acces)
            .select_for_update()
            .filter(etat__in=ExportDonnees.EN_SUSPENS)
            .first()
        )
        if en_suspens is not None:
            if en_suspens.cree_le > timezone.now() - DELAI_MAXIMAL:
                return en_suspens, False
            _abandonner(en_suspens, "délai dépassé")
        try:
            with transaction.atomic():
                export = ExportDonnees.objects.create(
                    espace=acces.espace, demande_par=acces.utilisateur, role=acces.role
                )
        except IntegrityError:  # the same person asked at the same moment in another tab
            return exports_de(acces=acces).get(etat__in=ExportDonnees.EN_SUSPENS), False
        _journal(Action.EXPORT_DEMANDE, export, acteur=acces.acteur, ip=ip)
        tache_programmer(
            "ensemble.tasks.export_construire", export.pk, objet_type="export", objet_id=export.pk
        )
    return export, True


def _journal(
    action: Action, export: ExportDonnees, *, acteur: Acteur, ip: str | None = None, **details: Any
) -> None:
    evenement_enregistrer(
        action=action,
        acteur=acteur,
        espace_uuid=export.espace.uuid,
        objet_type="export",
        objet_id=str(export.uuid),
        ip=ip,
        details=details,
    )


def _abandonner(export: ExportDonnees, motif: str) -> None:
    export.etat = Etat.ECHEC
    export.motif_echec = motif[:200]
    export.save(update_fields=["etat", "motif_echec"])


def _echouer(export_id: int, motif: str) -> None:
    with transaction.atomic():
        export = ExportDonnees.objects.select_for_update(of=("self",)).get(pk=export_id)
        if export.etat in ExportDonnees.EN_SUSPENS:
            _abandonner(export, motif)


# --- The job --------------------------------------------------------------------------------------


def export_construire(*, export_id: int, maintenant: datetime | None = None) -> str:
    """Build the archive of one export. Idempotent: an export already built, expired or failed
    is left alone. A run killed half-way leaves the export ``en cours`` and at most an object
    without a row in storage (which ``vault_gc`` removes): the next run builds it anew; when two
    runs race, the first to finish wins and the other deletes its own object."""
    with transaction.atomic():
        export = (
            ExportDonnees.objects.select_for_update(of=("self",))
            .select_related("espace", "demande_par")
            .filter(pk=export_id)
            .first()
        )
        if export is None or export.etat not in ExportDonnees.EN_SUSPENS:
            return "rien à faire"
        export.etat = Etat.EN_COURS
        export.tentatives += 1
        export.commence_le = timezone.now()
        export.save(update_fields=["etat", "tentatives", "commence_le"])
    try:
        acces = _acces_du_demandeur(export)
    except Http404:
        _echouer(export_id, "la personne n'a plus accès à cet espace")
        return "échec"
    moment = maintenant or timezone.now()
    compte: list[int] = []
    try:
        attente = coffre.blob_stocker(
            source=flux_zip(_entrees(acces, export, moment, compte), moment=moment),
            media_type="application/zip",
        )
    except PANNES:
        raise  # the task retries (the database restarting too); the export stays "en cours"
    except coffre.BlobIllisible as erreur:
        logger.warning("export %s: document illisible (%s)", export.uuid, erreur.code)
        _echouer(export_id, erreur.message)
        return "échec"
    except Exception:
        erreur_sans_contenu(logger, "export %s: échec de la construction", export.uuid)
        _echouer(export_id, "erreur interne")
        raise
    return _terminer(export_id, attente, nb_documents=compte[0] if compte else 0, moment=moment)


def _terminer(
    export_id: int, attente: coffre.BlobEnAttente, *, nb_documents: int, moment: datetime
) -> str:
    with transaction.atomic():
        export = (
            ExportDonnees.objects.select_for_update(of=("self",))
            .select_related("espace", "demande_par")
            .get(pk=export_id)
        )
        blob = coffre.blob_enregistrer(attente)
        if export.etat != Etat.EN_COURS:  # another run finished first, or it was given up
            coffre.blob_supprimer(blob)
            return "rien à faire"
        export.blob = blob
        export.etat = Etat.PRET
        export.taille = blob.taille
        export.nb_documents = nb_documents
        export.pret_le = moment
        export.expire_le = moment + timedelta(days=settings.EXPORT_VALIDITE_JOURS)
        export.save(
            update_fields=["blob", "etat", "taille", "nb_documents", "pret_le", "expire_le"]
        )
        _journal(Action.EXPORT_PRET, export, acteur=Acteur.systeme(), documents=nb_documents)
        if export.demande_par is not None:
            notification_programmer(
                destinataire=export.demande_par,
                type=TypeNotification.EXPORT_PRET,
                cle=str(export.uuid),
            )
    return "prêt"


# --- The archive ----------------------------------------------------------------------------------


def _documents(acces: AccesPatient) -> list[Document]:
    """Every document the person may read that has a file, old versions included. Documents a
    professional holds back (``INVISIBLE_PATIENT``) are not the patient's to read yet: the policy
    leaves them out, as it leaves out a minor's secrets for a representative, and the bin."""
    return list(
        documents_visibles(acces=acces)
        .filter(blob__isnull=False)
        .select_related("blob", "version_precedente")
        .order_by("date_acte", "cree_le", "pk")
    )


def chemin_document(document: Document, rang: int, largeur: int = 4) -> str:
    """Where a document's original lies in the archive: a rank (unique), a readable name from
    its title, and an extension from its file name or media type. Never a path from outside."""
    suffixe = PurePosixPath(document.nom_fichier).suffix.lower()
    if not (suffixe and len(suffixe) <= 8 and suffixe[1:].isalnum()):
        suffixe = mimetypes.guess_extension(document.media_type or "") or ".bin"
    nom = slugify(document.titre)[:60].strip("-") or "document"
    return f"documents/{rang:0{largeur}d}-{nom}{suffixe}"


def _lire(document: Document, empreintes: dict[int, str]) -> Iterator[bytes]:
    """The original, authenticated segment by segment and checked against its SHA-256 at the
    end; its SHA-1 (for FHIR R4's ``Attachment.hash``) is kept for the Bundle."""
    assert document.blob is not None
    sha1 = hashlib.sha1(usedforsecurity=False)
    lecture = cast(
        Generator[bytes, None, None], coffre.blob_lire(document.blob, verifier_empreinte=True)
    )
    with closing(lecture) as morceaux:
        for morceau in morceaux:
            sha1.update(morceau)
            yield morceau
    empreintes[document.pk] = base64.b64encode(sha1.digest()).decode()


def _octets(contenu: bytes) -> Iterable[bytes]:
    return (contenu,)


def _entrees(
    acces: AccesPatient, export: ExportDonnees, moment: datetime, compte: list[int]
) -> Iterator[Entree]:
    """The files of the archive, in order: the originals first (their hashes are computed as
    they stream), then what describes them."""
    documents = _documents(acces)
    compte.append(len(documents))
    largeur = max(4, len(str(len(documents))))
    chemins = {doc.pk: chemin_document(doc, rang, largeur) for rang, doc in enumerate(documents, 1)}
    directives = pm.unique(acces=acces, cle="directives")
    yield Entree(CHEMIN_LISEZMOI, partial(_octets, _lisezmoi(len(documents), moment)))
    empreintes: dict[int, str] = {}
    for document in documents:
        yield Entree(
            chemins[document.pk], partial(_lire, document, empreintes), taille=document.taille
        )
    if directives is not None:
        contenu = directives_pdf(espace=acces.espace, directives=directives)
        yield Entree(CHEMIN_DIRECTIVES, partial(_octets, contenu))
    fichiers = [
        FichierExporte(document=doc, chemin=chemins[doc.pk], sha1=empreintes[doc.pk])
        for doc in documents
    ]
    bundle = bundle_construire(
        acces=acces,
        fichiers=fichiers,
        identifiant=export.uuid,
        moment=moment,
        directives_chemin=CHEMIN_DIRECTIVES if directives is not None else "",
    )
    yield Entree(
        CHEMIN_BUNDLE,
        partial(_octets, json.dumps(bundle, ensure_ascii=False, indent=1).encode()),
    )
    yield Entree(CHEMIN_SYNTHESE, partial(_octets, _synthese(acces, fichiers, moment)))


def _lisezmoi(nb_documents: int, moment: datetime) -> bytes:
    jour = formats.date_format(timezone.localtime(moment), "d/m/Y H:i")
    return (
        f"Espace Santé - export de vos données du {jour}\n\n"
        f"{CHEMIN_SYNTHESE} : synthèse lisible de votre profil médical et liste des documents.\n"
        f"documents/ : les {nb_documents} fichiers originaux de vos documents.\n"
        f"{CHEMIN_DIRECTIVES} : vos directives anticipées, si vous les avez rédigées.\n"
        f"{CHEMIN_BUNDLE} : tout votre dossier au format FHIR R4 (Bundle), lisible par les "
        "logiciels de santé ; chaque DocumentReference pointe vers son fichier dans documents/.\n\n"
        "Ces fichiers contiennent des données de santé : conservez-les en lieu sûr.\n"
    ).encode()


def _synthese(acces: AccesPatient, fichiers: list[FichierExporte], moment: datetime) -> bytes:
    """The readable summary: the profile as the person may see it, then the documents. Built
    with the profile summary's look (``ensemble.synthese``), from the entries the policy lets
    this person read (a representative never gets a minor's secret)."""
    espace = acces.espace

    def jour(valeur: Any) -> str:
        return formats.date_format(valeur, "d/m/Y") if valeur else ""

    rubriques = [
        *rubriques_profil(acces=acces, complet=True, renvoi_directives=f"voir {CHEMIN_DIRECTIVES}"),
        Rubrique(
            "Professionnels de santé",
            [_professionnel(ligne) for ligne in professionnels_de_l_espace(espace=espace)],
            "aucun professionnel autorisé ou bloqué",
        ),
        Rubrique(
            f"Documents ({len(fichiers)})",
            [
                f"{jour(f.document.date_acte)} - {f.document.titre} "
                f"({f.document.type_document.libelle}, {f.document.auteur_nom}) : {f.chemin}"
                for f in fichiers
            ],
            "aucun document",
        ),
    ]
    return resume_pdf(
        titre="Export de mon espace santé",
        sous_titre=(
            f"{espace.prenoms} {espace.nom_naissance}, "
            f"date de naissance : {jour(espace.date_naissance)} "
            f"- export du {jour(timezone.localtime(moment))}"
        ),
        rubriques=rubriques,
    )


def _professionnel(ligne: Any) -> str:
    if ligne.bloque:
        etat = "bloqué"
    elif ligne.medecin_traitant:
        etat = "médecin traitant"
    elif ligne.autorise:
        etat = "autorisé"
    elif ligne.lien is not None:
        etat = "accès terminé"
    else:
        etat = "accès en urgence en cours"
    return f"{ligne.professionnel.nom_affiche}, {ligne.professionnel.qualite} : {etat}"


# --- Download and purge ---------------------------------------------------------------------------


def export_expire(export: ExportDonnees, maintenant: datetime | None = None) -> bool:
    moment = maintenant or timezone.now()
    return export.etat == Etat.EXPIRE or (
        export.etat == Etat.PRET and export.expire_le is not None and export.expire_le <= moment
    )


def export_telecharge(*, acces: AccesPatient, export: ExportDonnees, ip: str | None = None) -> None:
    """Journal a download (the view streams it)."""
    with transaction.atomic():
        ExportDonnees.objects.filter(pk=export.pk).update(telecharge_le=timezone.now())
        _journal(Action.EXPORT_TELECHARGE, export, acteur=acces.acteur, ip=ip)


def exports_purger(*, maintenant: datetime | None = None) -> int:
    """Delete the blob of every expired export (its row stays, ``expiré``, for the person's
    page), and give up exports whose job was lost. Returns how many exports changed."""
    maintenant = maintenant or timezone.now()
    echus = ExportDonnees.objects.filter(etat=Etat.PRET, expire_le__lte=maintenant)
    perdus = ExportDonnees.objects.filter(
        etat__in=ExportDonnees.EN_SUSPENS, cree_le__lte=maintenant - DELAI_MAXIMAL
    )
    total = 0
    for pk in list(echus.values_list("pk", flat=True)) + list(perdus.values_list("pk", flat=True)):
        with transaction.atomic():
            export = (
                ExportDonnees.objects.select_for_update(of=("self",))
                .select_related("blob")
                .get(pk=pk)
            )
            if export.etat == Etat.PRET and export_expire(export, maintenant):
                blob = export.blob
                export.blob = None
                export.etat = Etat.EXPIRE
                export.save(update_fields=["blob", "etat"])
                if blob is not None:
                    coffre.blob_supprimer(blob)
            elif export.etat in ExportDonnees.EN_SUSPENS:
                _abandonner(export, "délai dépassé")
            else:
                continue
        total += 1
    return total
