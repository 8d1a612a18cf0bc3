"""Writes about professionals: sign-up and verification, the matrix, the patient's grants,
blocks, médecin traitant and access settings, and a professional's deposit (``depot_deposer``,
for the web form and the professional's software alike). What a professional does in a
patient's space (emergency access, the trace of every read) is in ``consultations``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dossier import services as documents
from dossier.models import Document
from espace_sante.acces import (
    AccesPatient,
    AccesPro,
    acces_professionnel,
    acteur_professionnel,
    peut_etre_medecin_traitant,
    professionnel_actif,
)
from espace_sante.coffre.televersement import FichierChiffre
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
    Professionnel,
    ReglagesAcces,
    RevendicationRpps,
    StatutProfessionnel,
)
from .nomenclature import Profession, Specialite


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
            tache_programmer("professionnels.tasks.revendication_rpps_prevenir", revendication.pk)
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


def _matrice_journaliser(
    *,
    operateur: Utilisateur,
    cellule: Habilitation,
    avant: bool | None,
    apres: bool | None,
    ip: str | None,
) -> None:
    """A cell of the matrix changed, appeared (``avant`` None) or went (``apres`` None)."""
    details: dict[str, Any] = {
        "profession": cellule.profession,
        "type": cellule.type_code,
        "avant": avant,
        "apres": apres,
    }
    objet_id = f"{cellule.profession}:{cellule.type_code}"
    if cellule.specialite != Habilitation.TOUTES_SPECIALITES:
        details["specialite"] = cellule.specialite
        objet_id = f"{cellule.profession}:{cellule.specialite}:{cellule.type_code}"
    evenement_enregistrer(
        action=Action.MATRICE_MODIFIEE,
        acteur=Acteur.pour_utilisateur(operateur, TypeActeur.OPERATEUR),
        objet_type="habilitation",
        objet_id=objet_id,
        ip=ip,
        details=details,
    )


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
        _matrice_journaliser(
            operateur=operateur, cellule=cellule, avant=avant, apres=lecture, ip=ip
        )
    return cellule


def habilitation_ajouter(
    *,
    operateur: Utilisateur,
    profession: str,
    specialite: str,
    type_code: str,
    lecture: bool,
    ip: str | None = None,
) -> Habilitation:
    """A new cell: a specialty that reads otherwise than its profession (or a profession's
    answer for a type that had none). Journaled as a change from nothing."""
    if specialite != Habilitation.TOUTES_SPECIALITES and (
        profession != Profession.MEDECIN or specialite not in Specialite.values
    ):
        raise Refus(_("Cette spécialité n'existe pas pour cette profession."))
    with transaction.atomic():
        if Habilitation.objects.filter(
            profession=profession, specialite=specialite, type_code=type_code
        ).exists():
            raise Refus(_("Cette case de la matrice existe déjà : modifiez-la."))
        cellule = Habilitation.objects.create(
            profession=profession, specialite=specialite, type_code=type_code, lecture=lecture
        )
        _matrice_journaliser(operateur=operateur, cellule=cellule, avant=None, apres=lecture, ip=ip)
    return cellule


def habilitation_supprimer(
    *, operateur: Utilisateur, habilitation: Habilitation, ip: str | None = None
) -> None:
    """A specialty's cell goes: the specialty reads that type as its profession again. The
    profession's own cells are never removed (every type keeps an answer)."""
    if habilitation.specialite == Habilitation.TOUTES_SPECIALITES:
        raise Refus(_("Les cases d'une profession ne se suppriment pas : modifiez-les."))
    with transaction.atomic():
        cellule = Habilitation.objects.select_for_update().get(pk=habilitation.pk)
        cellule.delete()
        _matrice_journaliser(
            operateur=operateur, cellule=habilitation, avant=cellule.lecture, apres=None, ip=ip
        )


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
            raise Refus(_("Vous avez bloqué ce professionnel : débloquez son accès d'abord."))
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
            raise Refus(_("Vous avez bloqué ce médecin : débloquez son accès d'abord."))
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


# --- A professional's deposit --------------------------------------------------------------------


@dataclass(frozen=True)
class MetadonneesDepot:
    """What a professional says of the document they deposit (the web form's fields, or what
    their software sends): the type is a code of the national list the profession deposits
    (``dossier.types.TYPES``); a structured document's own type replaces it at ingestion."""

    titre: str
    date_acte: date
    type_code: str
    invisible_patient: bool = False
    masque_ps: bool = False
    invisible_representants: bool = False


def depot_deposer(
    *,
    professionnel: Professionnel,
    espace: Espace,
    fichier: FichierChiffre,
    metadonnees: MetadonneesDepot,
    ip: str | None = None,
    acces: AccesPro | None = None,
) -> Document:
    """A professional deposits a document into a patient's space, from the web form or through
    their software (the FHIR API passes its ``acces``, an ``AccesPro`` the access package built
    for the token in the same request, whose journal lines name the software; the source is
    then "api"). Otherwise the access is checked again here (rules 1–3: verified, not blocked,
    authorised, médecin traitant or in an emergency),
    then the dossier's deposit (metadata, the file's nature from its first bytes, the vault,
    the journal, the ingestion job on commit). Returns the document, "en traitement": only the
    ingestion job knows whether it is accepted (a CDA's INS must be the space's) — follow it
    with ``professionnels.depots.depot_pour_professionnel``; a refused one is its author's
    record, never the patient's document. ``Refus`` (plain French) for anything refused now;
    then nothing is kept, the file included."""
    if acces is None or acces.professionnel != professionnel or acces.espace != espace:
        try:
            acces = acces_professionnel(professionnel=professionnel, espace_uuid=espace.uuid)
        except Http404 as absent:
            fichier.abandonner()
            raise Refus(
                _(
                    "Vous n'avez pas (ou plus) accès au dossier de ce patient : "
                    "aucun dépôt possible."
                )
            ) from absent
        par_logiciel = False
    else:  # built by the access package for this request (the API's token): not asked twice
        par_logiciel = True
    return documents.document_deposer(
        acces=acces,
        par_logiciel=par_logiciel,
        fichier=fichier,
        titre=metadonnees.titre,
        date_acte=metadonnees.date_acte,
        type_code=metadonnees.type_code,
        invisible_patient=metadonnees.invisible_patient,
        masque_ps=metadonnees.masque_ps,
        invisible_representants=metadonnees.invisible_representants,
        ip=ip,
    )
