"""What changes the messagerie: open a thread, write, read, archive, delete, close, and what
one does with an attachment. Each checks its rule with the access package
(``espace_sante.acces.messagerie``), writes in one transaction, journals metadata only (never
a subject, a body or a file name) on the space's chain — the history shows it — and tells the
other side by an e-mail that carries no content (``comptes`` notifications)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dossier import ingestion
from dossier.models import Document, Source
from dossier.services import document_creer
from dossier.types import TYPE_PAR_DEFAUT_PATIENT
from espace_sante.acces import AccesPatient, AccesPro
from espace_sante.acces.messagerie import (
    AccesFil,
    nom_d_auteur,
    peut_ajouter_aux_documents,
    peut_ecrire_a,
    peut_fermer,
    refus_d_ecrire,
)
from espace_sante.coffre import services as coffre
from espace_sante.coffre.televersement import FichierChiffre, fichier_chiffre_de
from espace_sante.comptes.models import TypeNotification, Utilisateur
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.erreurs import Refus
from professionnels.models import Professionnel
from professionnels.services import MetadonneesDepot, depot_deposer
from profil.models import Espace

from .limites import oublier_non_lus
from .models import CORPS_MAX, SUJET_MAX, Cote, EtatFil, Fil, Message, PieceJointe

MIO = 1024 * 1024


@dataclass(frozen=True)
class Limites:
    """The attachments' limits (settings ``MESSAGERIE_*``): per file, per message, per
    thread."""

    pieces_par_message: int
    taille_piece: int
    taille_message: int
    taille_fil: int


def limites() -> Limites:
    return Limites(
        pieces_par_message=settings.MESSAGERIE_PIECES_PAR_MESSAGE,
        taille_piece=settings.MESSAGERIE_TAILLE_PIECE,
        taille_message=settings.MESSAGERIE_TAILLE_MESSAGE,
        taille_fil=settings.MESSAGERIE_TAILLE_FIL,
    )


def _mio(octets: int) -> str:
    return f"{octets / MIO:.0f} Mo"


# --- Checks --------------------------------------------------------------------------------------


def _texte(valeur: str, *, maximum: int, vide: str, trop_long: str) -> str:
    texte = valeur.replace("\r\n", "\n").strip()
    if not texte:
        raise Refus(vide)
    if len(texte) > maximum:
        raise Refus(trop_long)
    return texte


def _corps(corps: str) -> str:
    return _texte(
        corps,
        maximum=CORPS_MAX,
        vide=_("Écrivez votre message avant de l'envoyer."),
        trop_long=_(
            "Votre message dépasse %(max)s caractères : raccourcissez-le, ou joignez un document."
        )
        % {"max": f"{CORPS_MAX:,}".replace(",", "\u202f")},
    )


def _sujet(sujet: str) -> str:
    return " ".join(
        _texte(
            sujet,
            maximum=SUJET_MAX,
            vide=_("Donnez un objet à la conversation."),
            trop_long=_("L'objet dépasse %(max)s caractères : raccourcissez-le.")
            % {"max": SUJET_MAX},
        ).split()
    )


@dataclass
class _Piece:
    fichier: FichierChiffre
    nature: str


def _verifier_pieces(
    fichiers: Sequence[FichierChiffre], *, espace: Espace, deja: int
) -> list[_Piece]:
    """Each file checked by its content exactly as an upload is (``ingestion.contenu_verifier``:
    the same refusals), within the limits. ``Refus`` names the file and the reason."""
    bornes = limites()
    if len(fichiers) > bornes.pieces_par_message:
        raise Refus(
            _("Joignez au plus %(n)s fichiers par message.") % {"n": bornes.pieces_par_message}
        )
    total = 0
    pieces = []
    for fichier in fichiers:
        nom = fichier.name or _("fichier")
        if fichier.size is None or fichier.size > bornes.taille_piece:
            raise Refus(
                _("%(nom)s : un fichier joint ne peut dépasser %(max)s.")
                % {"nom": nom, "max": _mio(bornes.taille_piece)}
            )
        total += fichier.size
        if total > bornes.taille_message:
            raise Refus(
                _("Les fichiers joints à un message ne peuvent dépasser %(max)s en tout.")
                % {"max": _mio(bornes.taille_message)}
            )
        if deja + total > bornes.taille_fil:
            raise Refus(
                _(
                    "Cette conversation a atteint sa limite de fichiers joints (%(max)s) : "
                    "ouvrez une nouvelle conversation pour en envoyer d'autres."
                )
                % {"max": _mio(bornes.taille_fil)}
            )
        fichier.open()
        contenu = fichier.read()
        fichier.close()
        try:
            nature = ingestion.contenu_verifier(contenu, espace=espace)
        except Refus as refus:
            raise Refus(f"{nom} : {refus.message}") from refus
        pieces.append(_Piece(fichier=fichier, nature=str(nature)))
    return pieces


def _abandonner(fichiers: Sequence[FichierChiffre]) -> None:
    for fichier in fichiers:
        fichier.abandonner()


# --- Writing -------------------------------------------------------------------------------------


def _journal(
    action: Action,
    *,
    fil: Fil,
    acteur: Acteur,
    objet_type: str = "fil",
    objet_id: str = "",
    ip: str | None = None,
    **details: object,
) -> None:
    if fil.secret_mineur:  # like a secret document: representatives never read these lines
        details["secret_mineur"] = True
    evenement_enregistrer(
        action=action,
        acteur=acteur,
        espace_uuid=fil.espace.uuid,
        objet_type=objet_type,
        objet_id=objet_id or str(fil.uuid),
        ip=ip,
        details={"fil": str(fil.uuid), **details},
    )


def destinataires(fil: Fil, *, cote_auteur: Cote) -> list[Utilisateur]:
    """Who is told of a new message: the professional, or the patient's side — the holder
    (with an account) and, on a minor's space, its current legal representatives, unless the
    thread is the minor's secret."""
    if cote_auteur == Cote.PATIENT:
        return [fil.professionnel.utilisateur]
    espace = fil.espace
    personnes = [espace.titulaire] if espace.titulaire is not None else []
    if espace.est_mineur and not fil.secret_mineur:
        personnes += [
            r.representant.titulaire
            for r in espace.representants.filter(fin__isnull=True).select_related(
                "representant__titulaire"
            )
            if r.representant.titulaire is not None
        ]
    return [p for p in personnes if p.is_active]


def _ecrire(
    *,
    fil: Fil,
    auteur: Utilisateur,
    cote: Cote,
    nom: str,
    acteur: Acteur,
    corps: str,
    fichiers: Sequence[FichierChiffre],
    ip: str | None,
) -> Message:
    """The message, its attachments (checked, then stored in the vault), the author's read
    mark, the journal line and the notifications: all or nothing."""
    try:
        corps = _corps(corps)
        pieces = _verifier_pieces(fichiers, espace=fil.espace, deja=fil.taille_pieces)
    except Refus:
        _abandonner(fichiers)
        raise
    maintenant = timezone.now()
    with transaction.atomic():
        message = Message.objects.create(
            fil=fil,
            auteur=auteur,
            cote=cote,
            auteur_nom=nom[:300],
            corps=corps,
            cree_le=maintenant,
        )
        taille = 0
        for piece in pieces:
            blob = coffre.blob_enregistrer(piece.fichier.attente)
            PieceJointe.objects.create(
                message=message,
                blob=blob,
                nom=(piece.fichier.name or "fichier")[:255],
                media_type=blob.media_type or "application/octet-stream",
                nature=piece.nature,
                taille=blob.taille,
            )
            taille += blob.taille
        Fil.objects.filter(pk=fil.pk).update(
            dernier_message_le=maintenant, taille_pieces=F("taille_pieces") + taille
        )
        fil.dernier_message_le = maintenant
        fil.taille_pieces += taille
        # The author has read their own message; the others find the thread in their inbox
        # again if they had archived or deleted it.
        EtatFil.objects.update_or_create(
            fil=fil, utilisateur=auteur, defaults={"lu_le": maintenant}
        )
        EtatFil.objects.filter(fil=fil).exclude(utilisateur=auteur).update(
            archive=False, supprime=False
        )
        _journal(
            Action.MESSAGE_ENVOYE,
            fil=fil,
            acteur=acteur,
            objet_type="message",
            objet_id=str(message.uuid),
            ip=ip,
            pieces_jointes=len(pieces),
        )
        type_notification = (
            TypeNotification.MESSAGE_DE_PROFESSIONNEL
            if cote == Cote.PROFESSIONNEL
            else TypeNotification.MESSAGE_DE_PATIENT
        )
        cote_patient = destinataires(fil, cote_auteur=Cote.PROFESSIONNEL)
        transaction.on_commit(partial(oublier_non_lus, fil.espace, cote_patient))
        for personne in destinataires(fil, cote_auteur=cote):
            if personne.pk != auteur.pk:
                notification_programmer(
                    destinataire=personne,
                    type=type_notification,
                    cle=f"{message.uuid}:{personne.uuid}",
                )
    return message


def fil_ouvrir_patient(
    *,
    acces: AccesPatient,
    professionnel: Professionnel,
    sujet: str,
    corps: str,
    fichiers: Sequence[FichierChiffre] = (),
    ip: str | None = None,
) -> Fil:
    """The holder or a representative opens a thread with one of their professionals."""
    try:
        if not acces.espace.ouvert:
            raise Refus(_("Cet espace santé est fermé : on ne peut plus y écrire."))
        if not peut_ecrire_a(acces, professionnel):
            raise Refus(
                _(
                    "Vous pouvez écrire aux professionnels qui ont accès à votre dossier (ou à "
                    "votre médecin traitant). Donnez d'abord accès à ce professionnel depuis "
                    "« Mes professionnels »."
                )
            )
        sujet = _sujet(sujet)
    except Refus:
        _abandonner(fichiers)
        raise
    with transaction.atomic():
        fil = Fil.objects.create(
            espace=acces.espace, professionnel=professionnel, sujet=sujet, ouvert_par=Cote.PATIENT
        )
        _ecrire(
            fil=fil,
            auteur=acces.utilisateur,
            cote=Cote.PATIENT,
            nom=nom_d_auteur(acces),
            acteur=acces.acteur,
            corps=corps,
            fichiers=fichiers,
            ip=ip,
        )
    return fil


def fil_ouvrir_professionnel(
    *,
    acces: AccesPro,
    sujet: str,
    corps: str,
    fichiers: Sequence[FichierChiffre] = (),
    secret_mineur: bool = False,
    ip: str | None = None,
) -> Fil:
    """A professional who may open the space (``acces``: rules 1–3) opens a thread with its
    holder or representatives; on a minor's space, as the minor's secret if asked."""
    try:
        if secret_mineur and not acces.espace.est_mineur:
            raise Refus(
                _("Le secret vis-à-vis des représentants légaux ne vaut que pour un mineur.")
            )
        sujet = _sujet(sujet)
    except Refus:
        _abandonner(fichiers)
        raise
    with transaction.atomic():
        fil = Fil.objects.create(
            espace=acces.espace,
            professionnel=acces.professionnel,
            sujet=sujet,
            ouvert_par=Cote.PROFESSIONNEL,
            secret_mineur=secret_mineur,
        )
        _ecrire(
            fil=fil,
            auteur=acces.utilisateur,
            cote=Cote.PROFESSIONNEL,
            nom=nom_d_auteur(acces),
            acteur=acces.acteur,
            corps=corps,
            fichiers=fichiers,
            ip=ip,
        )
    return fil


def message_repondre(
    *,
    acces: AccesFil,
    corps: str,
    fichiers: Sequence[FichierChiffre] = (),
    ip: str | None = None,
) -> Message:
    """A reply in the thread, if this person may write in it now (``refus_d_ecrire``)."""
    refus = refus_d_ecrire(acces)
    if refus is not None:
        _abandonner(fichiers)
        raise Refus(refus)
    nom = nom_d_auteur(acces.acces) if acces.acces is not None else acces.acteur.nom
    return _ecrire(
        fil=acces.fil,
        auteur=acces.utilisateur,
        cote=acces.cote,
        nom=nom,
        acteur=acces.acteur,
        corps=corps,
        fichiers=fichiers,
        ip=ip,
    )


# --- Reading, archiving, deleting, closing -------------------------------------------------


def fil_lire(*, acces: AccesFil, ip: str | None = None) -> bool:
    """Mark the thread read by this person now (their read receipt); journaled when something
    was unread. Returns whether something was."""
    fil = acces.fil
    maintenant = timezone.now()
    with transaction.atomic():
        etat, _cree = EtatFil.objects.select_for_update().get_or_create(
            fil=fil, utilisateur=acces.utilisateur
        )
        non_lus = fil.messages.exclude(auteur=acces.utilisateur)
        if etat.lu_le is not None:
            non_lus = non_lus.filter(cree_le__gt=etat.lu_le)
        nouveaux = non_lus.exists()
        etat.lu_le = maintenant
        etat.save(update_fields=["lu_le"])
        if nouveaux:
            _journal(Action.MESSAGE_LU, fil=fil, acteur=acces.acteur, ip=ip)
    return nouveaux


def fil_ranger(
    *, acces: AccesFil, archive: bool | None = None, supprime: bool | None = None
) -> None:
    """Archive or delete the thread from this person's lists (or bring it back); the other
    side keeps theirs. A new message brings it back."""
    valeurs = {}
    if archive is not None:
        valeurs["archive"] = archive
    if supprime is not None:
        valeurs["supprime"] = supprime
    EtatFil.objects.update_or_create(fil=acces.fil, utilisateur=acces.utilisateur, defaults=valeurs)


def fil_fermer(*, acces: AccesFil, ip: str | None = None) -> None:
    """The professional closes the thread: no more messages, on either side."""
    if not peut_fermer(acces):
        raise Refus(_("Seul le professionnel de la conversation peut la clore."))
    with transaction.atomic():
        fermes = Fil.objects.filter(pk=acces.fil.pk, ferme_le__isnull=True).update(
            ferme_le=timezone.now()
        )
        if fermes:
            _journal(Action.FIL_CLOS, fil=acces.fil, acteur=acces.acteur, ip=ip)


# --- Attachments ---------------------------------------------------------------------------------


def piece_pour_acces(*, acces: AccesFil, piece_uuid: uuid.UUID) -> PieceJointe:
    """An attachment of this thread, or 404."""
    piece = (
        PieceJointe.objects.select_related("blob", "message")
        .filter(uuid=piece_uuid, message__fil=acces.fil)
        .first()
    )
    if piece is None:
        raise Http404
    return piece


def piece_telechargement(*, acces: AccesFil, piece: PieceJointe, ip: str | None = None) -> None:
    """Journal a download (the view streams the blob)."""
    _journal(
        Action.PIECE_JOINTE_TELECHARGEE,
        fil=acces.fil,
        acteur=acces.acteur,
        objet_type="piece_jointe",
        objet_id=str(piece.uuid),
        ip=ip,
    )


def _contenu(piece: PieceJointe) -> bytes:
    return b"".join(coffre.blob_lire(piece.blob, verifier_empreinte=True))


def _titre(piece: PieceJointe) -> str:
    nom = piece.nom.rsplit(".", 1)[0] if "." in piece.nom else piece.nom
    return " ".join(nom.replace("_", " ").split()) or _("Pièce jointe d'un message")


def piece_ajouter_aux_documents(
    *, acces: AccesFil, piece: PieceJointe, ip: str | None = None
) -> Document:
    """The patient's side files the attachment among the space's documents: a deposit of the
    patient's (the same pipeline: ingestion, previews), "en traitement" until it is checked."""
    if not peut_ajouter_aux_documents(acces):
        raise Refus(_("Cet espace santé est fermé : aucun document ne peut y être ajouté."))
    assert acces.acces is not None
    return document_creer(
        espace=acces.fil.espace,
        contenu=_contenu(piece),
        nom_fichier=piece.nom,
        titre=_titre(piece),
        date_acte=timezone.localtime(piece.message.cree_le).date(),
        type_code=TYPE_PAR_DEFAUT_PATIENT,
        auteur=acces.acces.acteur,
        source=Source.PATIENT,
        media_type=piece.media_type,
    )


def piece_deposer_au_dossier(
    *,
    acces: AccesFil,
    piece: PieceJointe,
    type_code: str,
    ip: str | None = None,
) -> Document:
    """The professional deposits the attachment in the patient's dossier through the deposit
    service (their access checked again, the type their profession deposits, ingestion)."""
    if not acces.est_professionnel or acces.professionnel is None:
        raise Refus(_("Seul le professionnel de la conversation dépose au dossier."))
    espace = acces.fil.espace
    fichier = fichier_chiffre_de(_contenu(piece), nom=piece.nom, media_type=piece.media_type)
    return depot_deposer(
        professionnel=acces.professionnel,
        espace=espace,
        fichier=fichier,
        metadonnees=MetadonneesDepot(
            titre=_titre(piece),
            date_acte=timezone.localtime(piece.message.cree_le).date(),
            type_code=type_code,
            invisible_representants=acces.fil.secret_mineur and espace.est_mineur,
        ),
        ip=ip,
    )
