"""Writes about professionals: sign-up and verification, the patient's grants, blocks and
médecin traitant, emergency accesses, and the traces of every professional read."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dossier.models import Document, Statut
from espace_sante.acces import (
    AccesPatient,
    AccesPro,
    acteur_professionnel,
    est_auteur,
    marque_secret,
    peut_etre_medecin_traitant,
    professionnel_actif,
    urgence_possible,
)
from espace_sante.comptes.models import TypeNotification, Utilisateur
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action, TypeActeur
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.identifiants import valider_rpps
from espace_sante.taches.services import tache_programmer
from profil.models import Espace

from .models import (
    AccesProfessionnel,
    BrisDeGlace,
    Habilitation,
    ModeUrgence,
    Professionnel,
    ReglagesAcces,
    RevendicationRpps,
    StatutProfessionnel,
)
from .nomenclature import Profession, Specialite
from .tasks import revendication_rpps_prevenir

MOTIF_URGENCE_MIN = 10


def _evenement(
    action: Action,
    *,
    acteur: Acteur,
    espace: Espace | None = None,
    professionnel: Professionnel | None = None,
    objet_type: str = "",
    objet_id: str = "",
    ip: str | None = None,
    **details: Any,
) -> None:
    if professionnel is not None and not objet_type:
        objet_type, objet_id = "professionnel", str(professionnel.uuid)
        details.setdefault("professionnel", acteur_professionnel(professionnel).nom)
    evenement_enregistrer(
        action=action,
        acteur=acteur,
        espace_uuid=espace.uuid if espace is not None else None,
        compte_uuid=(professionnel.utilisateur.uuid if espace is None and professionnel else None),
        objet_type=objet_type,
        objet_id=objet_id,
        ip=ip,
        details=details,
    )


# --- Sign-up and verification ------------------------------------------------------------------


def professionnel_inscrire(
    *,
    email: str,
    mot_de_passe: str,
    prenom: str,
    nom: str,
    rpps: str,
    profession: str,
    specialite: str = "",
    lieu_nom: str,
    lieu_code_postal: str,
    lieu_ville: str,
    ip: str | None = None,
) -> Professionnel | None:
    """A professional's own account, unusable for patient data until an operator verifies it.

    Whatever happens, the person is told by e-mail, never on the page (which would say whether
    an address has an account): a new account gets a welcome; an address that already has an
    account makes its owner receive a warning, and nothing is created; an RPPS another account
    holds is kept as a claim for the operator, and the claimant is asked to contact support.
    Returns the new professional, or None when nothing was created for this address."""
    try:
        rpps = valider_rpps(rpps)
    except ValidationError as erreur:
        raise Refus(" ".join(erreur.messages)) from erreur
    if profession not in Profession.values:
        raise Refus(_("Choisissez votre profession dans la liste."))
    if profession == Profession.MEDECIN:
        if specialite not in Specialite.values:
            raise Refus(_("Choisissez votre spécialité dans la liste."))
    else:
        specialite = ""
    if not (len(lieu_code_postal) == 5 and lieu_code_postal.isdigit()):
        raise Refus(_("Le code postal compte 5 chiffres."))
    email = Utilisateur.objects.normalize_email(email).lower()
    with transaction.atomic():
        existant = Utilisateur.objects.filter(email__iexact=email).first()
        if existant is not None:
            # Told to the address's owner only: the page answers the same for every address.
            notification_programmer(
                destinataire=existant,
                type=TypeNotification.INSCRIPTION_ADRESSE_PRISE,
                cle=f"{existant.uuid}:{timezone.localdate().isoformat()}",
            )
            return None
        titulaire_rpps = Professionnel.objects.select_for_update().filter(rpps=rpps).first()
        if titulaire_rpps is not None:
            revendication = RevendicationRpps.objects.create(
                professionnel=titulaire_rpps,
                email=email,
                prenom=prenom.strip(),
                nom=nom.strip().upper(),
                profession=profession,
                specialite=specialite,
                lieu_nom=lieu_nom.strip(),
                lieu_code_postal=lieu_code_postal,
                lieu_ville=lieu_ville.strip().upper(),
                ip=ip or None,
            )
            tache_programmer(revendication_rpps_prevenir, revendication.pk)
            return None
        utilisateur = Utilisateur.objects.create_user(
            email=email, password=mot_de_passe, prenom=prenom.strip(), nom=nom.strip().upper()
        )
        professionnel = Professionnel.objects.create(
            utilisateur=utilisateur,
            rpps=rpps,
            profession=profession,
            specialite=specialite,
            lieu_nom=lieu_nom.strip(),
            lieu_code_postal=lieu_code_postal,
            lieu_ville=lieu_ville.strip().upper(),
        )
        _evenement(
            Action.PRO_INSCRIPTION,
            acteur=acteur_professionnel(professionnel),
            professionnel=professionnel,
            ip=ip,
        )
        notification_programmer(
            destinataire=utilisateur, type=TypeNotification.PRO_INSCRIT, cle=str(utilisateur.uuid)
        )
    return professionnel


def professionnel_statuer(
    *,
    operateur: Utilisateur,
    professionnel: Professionnel,
    statut: StatutProfessionnel,
    ip: str | None = None,
) -> Professionnel:
    """An operator verifies, suspends or refuses a professional's account."""
    actions = {
        StatutProfessionnel.VERIFIE: Action.PRO_VERIFIE,
        StatutProfessionnel.SUSPENDU: Action.PRO_SUSPENDU,
        StatutProfessionnel.REFUSE: Action.PRO_REFUSE,
    }
    if statut not in actions:
        raise Refus(_("Statut inconnu."))
    with transaction.atomic():
        professionnel = Professionnel.objects.select_for_update().get(pk=professionnel.pk)
        if professionnel.statut == statut:
            return professionnel
        professionnel.statut = statut
        if statut == StatutProfessionnel.VERIFIE:
            professionnel.verifie_le = timezone.now()
            professionnel.verifie_par = operateur
        professionnel.save(update_fields=["statut", "verifie_le", "verifie_par"])
        _evenement(
            actions[statut],
            acteur=Acteur.pour_utilisateur(operateur, TypeActeur.OPERATEUR),
            professionnel=professionnel,
            ip=ip,
        )
        if statut == StatutProfessionnel.VERIFIE:
            notification_programmer(
                destinataire=professionnel.utilisateur,
                type=TypeNotification.PRO_VERIFIE,
                cle=str(professionnel.uuid),
            )
    return professionnel


def habilitation_modifier(
    *, operateur: Utilisateur, habilitation: Habilitation, lecture: bool, ip: str | None = None
) -> Habilitation:
    """One cell of the matrix changes; the journal keeps who changed it, from what to what."""
    with transaction.atomic():
        cellule = Habilitation.objects.select_for_update().get(pk=habilitation.pk)
        if cellule.lecture == lecture:
            return cellule
        avant = cellule.lecture
        cellule.lecture = lecture
        cellule.modifie_le = timezone.now()
        cellule.save(update_fields=["lecture", "modifie_le"])
        evenement_enregistrer(
            action=Action.MATRICE_MODIFIEE,
            acteur=Acteur.pour_utilisateur(operateur, TypeActeur.OPERATEUR),
            objet_type="habilitation",
            objet_id=f"{cellule.profession}:{cellule.type_code}",
            ip=ip,
            details={
                "profession": cellule.profession,
                "type": cellule.type_code,
                "avant": avant,
                "apres": lecture,
            },
        )
    return cellule


# --- The patient's decisions ---------------------------------------------------------------------


def _verifier_decideur(acces: AccesPatient) -> None:
    if not acces.peut_regler_visibilite:
        raise Refus(_("Seul le titulaire décide des accès à son dossier."))
    if not acces.espace.ouvert:
        raise Refus(_("Cet espace est fermé."))


def _lien(acces: AccesPatient, professionnel: Professionnel) -> AccesProfessionnel:
    AccesProfessionnel.objects.get_or_create(espace=acces.espace, professionnel=professionnel)
    return AccesProfessionnel.objects.select_for_update().get(
        espace=acces.espace, professionnel=professionnel
    )


def _fin_de_journee(jour: date) -> datetime:
    return datetime.combine(jour, time.max, tzinfo=timezone.get_current_timezone())


def _terminer_urgences(espace: Espace, professionnel: Professionnel) -> None:
    maintenant = timezone.now()
    BrisDeGlace.objects.filter(
        espace=espace, professionnel=professionnel, fin__gt=maintenant
    ).update(fin=maintenant)


def acces_accorder(
    *,
    acces: AccesPatient,
    professionnel: Professionnel,
    jusqu_au: date | None = None,
    ip: str | None = None,
) -> AccesProfessionnel:
    _verifier_decideur(acces)
    if not professionnel_actif(professionnel):
        raise Refus(
            _("Ce professionnel n'est pas (ou plus) vérifié : il ne peut pas être autorisé.")
        )
    if jusqu_au is not None and jusqu_au < timezone.localdate():
        raise Refus(_("La date de fin d'accès est passée."))
    with transaction.atomic():
        lien = _lien(acces, professionnel)
        if lien.bloque:
            raise Refus(_("Ce professionnel est bloqué : débloquez-le d'abord."))
        lien.autorise = True
        lien.autorise_le = timezone.now()
        lien.expire_le = _fin_de_journee(jusqu_au) if jusqu_au else None
        lien.revoque_le = None
        lien.save()
        _evenement(
            Action.ACCES_ACCORDE,
            acteur=acces.acteur,
            espace=acces.espace,
            professionnel=professionnel,
            ip=ip,
            jusqu_au=jusqu_au.isoformat() if jusqu_au else "",
        )
    return lien


def acces_revoquer(
    *, acces: AccesPatient, professionnel: Professionnel, ip: str | None = None
) -> AccesProfessionnel:
    """Withdraw a grant; a running emergency access ends with it. The médecin traitant keeps
    their access until the holder designates another one or removes them."""
    _verifier_decideur(acces)
    with transaction.atomic():
        lien = _lien(acces, professionnel)
        lien.autorise = False
        lien.revoque_le = timezone.now()
        lien.save()
        _terminer_urgences(acces.espace, professionnel)
        _evenement(
            Action.ACCES_REVOQUE,
            acteur=acces.acteur,
            espace=acces.espace,
            professionnel=professionnel,
            ip=ip,
        )
    return lien


def professionnel_bloquer(
    *, acces: AccesPatient, professionnel: Professionnel, ip: str | None = None
) -> AccesProfessionnel:
    _verifier_decideur(acces)
    with transaction.atomic():
        lien = _lien(acces, professionnel)
        if lien.medecin_traitant:
            raise Refus(_("Votre médecin traitant ne peut pas être bloqué."))
        lien.bloque = True
        lien.bloque_le = timezone.now()
        lien.autorise = False
        lien.save()
        _terminer_urgences(acces.espace, professionnel)
        _evenement(
            Action.PRO_BLOQUE,
            acteur=acces.acteur,
            espace=acces.espace,
            professionnel=professionnel,
            ip=ip,
        )
    return lien


def professionnel_debloquer(
    *, acces: AccesPatient, professionnel: Professionnel, ip: str | None = None
) -> AccesProfessionnel:
    _verifier_decideur(acces)
    with transaction.atomic():
        lien = _lien(acces, professionnel)
        if lien.bloque:
            lien.bloque = False
            lien.bloque_le = None
            lien.save()
            _evenement(
                Action.PRO_DEBLOQUE,
                acteur=acces.acteur,
                espace=acces.espace,
                professionnel=professionnel,
                ip=ip,
            )
    return lien


def medecin_traitant_designer(
    *, acces: AccesPatient, professionnel: Professionnel, ip: str | None = None
) -> AccesProfessionnel:
    _verifier_decideur(acces)
    if not peut_etre_medecin_traitant(professionnel):
        raise Refus(_("Le médecin traitant est un médecin."))
    if not professionnel_actif(professionnel):
        raise Refus(_("Ce professionnel n'est pas (ou plus) vérifié."))
    with transaction.atomic():
        ancien = (
            AccesProfessionnel.objects.select_for_update()
            .filter(espace=acces.espace, medecin_traitant=True)
            .exclude(professionnel=professionnel)
            .select_related("professionnel__utilisateur")
            .first()
        )
        lien = _lien(acces, professionnel)
        if lien.bloque:
            raise Refus(_("Ce médecin est bloqué : débloquez-le d'abord."))
        if lien.medecin_traitant:
            return lien
        if ancien is not None:
            ancien.medecin_traitant = False
            ancien.medecin_traitant_depuis = None
            ancien.save(update_fields=["medecin_traitant", "medecin_traitant_depuis"])
            _evenement(
                Action.MEDECIN_TRAITANT_RETIRE,
                acteur=acces.acteur,
                espace=acces.espace,
                professionnel=ancien.professionnel,
                ip=ip,
            )
        lien.medecin_traitant = True
        lien.medecin_traitant_depuis = timezone.now()
        lien.save()
        _evenement(
            Action.MEDECIN_TRAITANT,
            acteur=acces.acteur,
            espace=acces.espace,
            professionnel=professionnel,
            ip=ip,
        )
    return lien


def medecin_traitant_retirer(
    *, acces: AccesPatient, professionnel: Professionnel, ip: str | None = None
) -> AccesProfessionnel:
    _verifier_decideur(acces)
    with transaction.atomic():
        lien = _lien(acces, professionnel)
        if lien.medecin_traitant:
            lien.medecin_traitant = False
            lien.medecin_traitant_depuis = None
            lien.save()
            _evenement(
                Action.MEDECIN_TRAITANT_RETIRE,
                acteur=acces.acteur,
                espace=acces.espace,
                professionnel=professionnel,
                ip=ip,
            )
    return lien


def reglages_acces(*, espace: Espace) -> ReglagesAcces:
    return ReglagesAcces.objects.filter(espace=espace).first() or ReglagesAcces(espace=espace)


def reglages_acces_modifier(
    *,
    acces: AccesPatient,
    urgence_autorisee: bool,
    notifier_premier_acces: bool,
    notifier_nouveau_document: bool,
    ip: str | None = None,
) -> ReglagesAcces:
    _verifier_decideur(acces)
    with transaction.atomic():
        reglages, _cree = ReglagesAcces.objects.select_for_update().get_or_create(
            espace=acces.espace
        )
        changes: dict[str, Any] = {
            nom: valeur
            for nom, valeur in {
                "urgence_autorisee": urgence_autorisee,
                "notifier_premier_acces": notifier_premier_acces,
                "notifier_nouveau_document": notifier_nouveau_document,
            }.items()
            if getattr(reglages, nom) != valeur
        }
        if not changes:
            return reglages
        for nom, valeur in changes.items():
            setattr(reglages, nom, valeur)
        reglages.save()
        if changes.get("urgence_autorisee") is False:
            BrisDeGlace.objects.filter(espace=acces.espace, fin__gt=timezone.now()).update(
                fin=timezone.now()
            )
        _evenement(
            Action.REGLAGES_ACCES,
            acteur=acces.acteur,
            espace=acces.espace,
            ip=ip,
            changements=changes,
        )
    return reglages


# --- Emergency access ----------------------------------------------------------------------------


def urgence_ouvrir(
    *,
    professionnel: Professionnel,
    espace: Espace,
    mode: str,
    motif: str,
    ip: str | None = None,
) -> BrisDeGlace:
    motif = " ".join(motif.split())
    if mode not in ModeUrgence.values:
        raise Refus(_("Choisissez le mode d'accès en urgence."))
    if mode == ModeUrgence.REGULATION and not professionnel.regulation:
        raise Refus(_("Le mode « centre de régulation » est réservé aux médecins régulateurs."))
    if len(motif) < MOTIF_URGENCE_MIN:
        raise Refus(_("Indiquez la raison de l'accès en urgence (au moins 10 caractères)."))
    if not urgence_possible(professionnel=professionnel, espace=espace):
        with transaction.atomic():
            _evenement(
                Action.URGENCE_REFUSEE,
                acteur=acteur_professionnel(professionnel),
                espace=espace,
                ip=ip,
                mode=mode,
            )
        raise Refus(_("L'accès en urgence n'est pas possible pour ce patient."))
    maintenant = timezone.now()
    with transaction.atomic():
        urgence = BrisDeGlace.objects.create(
            espace=espace,
            professionnel=professionnel,
            mode=mode,
            motif=motif,
            debut=maintenant,
            fin=maintenant + timedelta(hours=settings.URGENCE_DUREE_HEURES),
        )
        _evenement(
            Action.URGENCE_OUVERTE,
            acteur=acteur_professionnel(professionnel),
            espace=espace,
            objet_type="urgence",
            objet_id=str(urgence.uuid),
            ip=ip,
            mode=mode,
            fin=urgence.fin.isoformat(),
        )
        if espace.titulaire is not None:
            notification_programmer(
                destinataire=espace.titulaire,
                type=TypeNotification.ACCES_URGENCE,
                cle=str(urgence.uuid),
            )
    return urgence


# --- Traces of professional reads -----------------------------------------------------------------


def consultation_tracer(
    *,
    acces: AccesPro,
    action: Action,
    objet_type: str = "",
    objet_id: str = "",
    ip: str | None = None,
    **details: Any,
) -> None:
    """Every professional read writes an event; the first one also tells the patient."""
    if acces.en_urgence:
        details["urgence"] = True
    with transaction.atomic():
        _evenement(
            action,
            acteur=acces.acteur,
            espace=acces.espace,
            objet_type=objet_type,
            objet_id=objet_id,
            ip=ip,
            **details,
        )
        premier = AccesProfessionnel.objects.filter(
            espace=acces.espace, professionnel=acces.professionnel, premier_acces_le__isnull=True
        ).update(premier_acces_le=timezone.now())
        if not premier and acces.lien is None:
            try:
                with transaction.atomic():
                    AccesProfessionnel.objects.create(
                        espace=acces.espace,
                        professionnel=acces.professionnel,
                        premier_acces_le=timezone.now(),
                    )
                premier = 1
            except IntegrityError:
                premier = 0
        if not premier:
            return
        titulaire = acces.espace.titulaire
        if titulaire is not None and reglages_acces(espace=acces.espace).notifier_premier_acces:
            notification_programmer(
                destinataire=titulaire,
                type=TypeNotification.PREMIER_ACCES_PRO,
                cle=f"{acces.espace.uuid}:{acces.professionnel.uuid}",
            )


# --- The professional's own documents ---------------------------------------------------------


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
        _evenement(
            Action.DOCUMENT_LIBERE,
            acteur=acces.acteur,
            espace=acces.espace,
            objet_type="document",
            objet_id=str(document.uuid),
            ip=ip,
            **marque_secret(document),
        )
        if document.statut == Statut.DISPONIBLE:
            from dossier.ingestion import document_notifier

            document_notifier(document)
    return document
