"""The journal: append-only, hash-chained events (DESIGN.md §5). Never any health content.

Each chain (one per space, one per account without a space, one for the platform) has a head row
that serialises appends; each event stores its sequence number in the chain, the previous
event's hash and its own hash over a canonical form of every field.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class JournalImmuable(Exception):
    """Raised when code tries to change or delete a journal event."""


class Action(models.TextChoices):
    CONNEXION = "connexion", _("Connexion")
    DECONNEXION = "deconnexion", _("Déconnexion")
    SECOND_FACTEUR_ACTIVE = "mfa_active", _("Double authentification activée")
    SECOND_FACTEUR_RETIRE = "mfa_retire", _("Double authentification retirée")
    COMPTE_EMAIL = "compte_email", _("Adresse e-mail du compte changée")
    COMPTE_TELEPHONE = "compte_telephone", _("Téléphone du compte changé")
    COMPTE_NOTIFICATIONS = "compte_notifications", _("Choix des e-mails reçus modifié")
    PRECREATION = "precreation", _("Espace pré-créé")
    CODE_EMIS = "code_emis", _("Code d'activation émis")
    ACTIVATION = "activation", _("Espace activé")
    ACTIVATION_ECHEC = "activation_echec", _("Échec d'activation")
    ACTIVATION_VERROUILLEE = "activation_verrou", _("Code d'activation bloqué")
    OPPOSITION = "opposition", _("Opposition à la création")
    OPPOSITION_LEVEE = "opposition_levee", _("Opposition levée")
    CLOTURE = "cloture", _("Espace clôturé")
    SUPPRESSION_DEMANDEE = "suppression_demandee", _("Suppression demandée")
    REOUVERTURE = "reouverture", _("Espace rouvert")
    DECES = "deces", _("Décès enregistré")
    SUSPENSION = "suspension", _("Espace suspendu")
    SUSPENSION_LEVEE = "suspension_levee", _("Suspension levée")
    PURGE = "purge", _("Contenu purgé")
    REPRESENTATION_AJOUTEE = "representation_ajoutee", _("Représentant légal ajouté")
    REPRESENTATION_TERMINEE = "representation_terminee", _("Représentation terminée")
    PROCHE_INVITE = "proche_invite", _("Proche invité")
    PROCHE_INVITATION_ANNULEE = "proche_invitation_annulee", _("Invitation d'un proche annulée")
    PROCHE_INVITATION_ECHEC = "proche_invitation_echec", _("Invitation : vérification échouée")
    DELEGATION_ACCEPTEE = "proche_delegation_acceptee", _("Aidant : délégation acceptée")
    DELEGATION_REVOQUEE = "proche_delegation_revoquee", _("Aidant : délégation retirée")
    DELEGATION_ATTESTATION = "proche_attestation", _("Attestation de délégation téléchargée")
    PROTECTION_ENREGISTREE = "protection_enregistree", _("Mesure de protection enregistrée")
    PROTECTION_ACCEPTEE = "protection_acceptee", _("Curatelle : accès du curateur accepté")
    PROTECTION_REFUSEE = "protection_refusee", _("Curatelle : accès du curateur refusé")
    PROTECTION_TERMINEE = "protection_terminee", _("Mesure de protection terminée")
    BASCULE_ESPACE = "bascule_espace", _("Changement d'espace")
    IMPORT_ASSURES = "import_assures", _("Import du registre des assurés")
    NOTIFICATION = "notification", _("Notification envoyée")
    FICHIER_ILLISIBLE = "fichier_illisible", _("Fichier illisible (intégrité)")
    DOCUMENT_DEPOSE = "document_depose", _("Document ajouté")
    DOCUMENT_CONSULTE = "document_consulte", _("Document consulté")
    DOCUMENT_TELECHARGE = "document_telecharge", _("Document téléchargé")
    DOCUMENT_MASQUE = "document_masque", _("Document masqué aux professionnels")
    DOCUMENT_AFFICHE = "document_affiche", _("Document de nouveau visible des professionnels")
    DOSSIER_TOUT_MASQUE = "dossier_tout_masque", _("Tous les documents masqués")
    DOSSIER_TOUT_AFFICHE = "dossier_tout_affiche", _("Documents de nouveau visibles")
    DOSSIER_REGLAGE = "dossier_reglage", _("Visibilité par défaut modifiée")
    DOCUMENT_SUPPRIME = "document_supprime", _("Document supprimé (récupérable 30 jours)")
    DOCUMENT_RESTAURE = "document_restaure", _("Document restauré")
    DOCUMENT_PURGE = "document_purge", _("Document effacé définitivement")
    DOCUMENT_REMPLACE = "document_remplace", _("Nouvelle version d'un document")
    DOCUMENT_REFUSE = "document_refuse", _("Document refusé au traitement")
    DOCUMENT_LIBERE = "document_libere", _("Document rendu visible au patient")
    DOSSIER_CONSULTE = "dossier_consulte", _("Liste des documents consultée")
    PRO_INSCRIPTION = "pro_inscription", _("Inscription d'un professionnel")
    PRO_VERIFIE = "pro_verifie", _("Professionnel vérifié")
    PRO_SUSPENDU = "pro_suspendu", _("Professionnel suspendu")
    PRO_REFUSE = "pro_refuse", _("Inscription de professionnel refusée")
    ACCES_ACCORDE = "acces_accorde", _("Accès accordé à un professionnel")
    ACCES_REVOQUE = "acces_revoque", _("Accès d'un professionnel retiré")
    PRO_BLOQUE = "pro_bloque", _("Professionnel bloqué")
    PRO_DEBLOQUE = "pro_debloque", _("Professionnel débloqué")
    MEDECIN_TRAITANT = "medecin_traitant", _("Médecin traitant désigné")
    MEDECIN_TRAITANT_RETIRE = "medecin_traitant_retire", _("Médecin traitant retiré")
    URGENCE_OUVERTE = "urgence_ouverte", _("Accès en urgence")
    URGENCE_REFUSEE = "urgence_refusee", _("Accès en urgence refusé")
    REGLAGES_ACCES = "reglages_acces", _("Réglages d'accès modifiés")
    MATRICE_MODIFIEE = "matrice_modifiee", _("Matrice d'habilitation modifiée")
    LOGICIEL_ENREGISTRE = "logiciel_enregistre", _("Logiciel d'un professionnel enregistré")
    LOGICIEL_REVOQUE = "logiciel_revoque", _("Logiciel d'un professionnel révoqué")
    PROFIL_CONSULTE = "profil_consulte", _("Profil médical consulté")
    PROFIL_AJOUT = "profil_ajout", _("Profil médical : ajout")
    PROFIL_MODIFICATION = "profil_modification", _("Profil médical : modification")
    PROFIL_SUPPRESSION = "profil_suppression", _("Profil médical : suppression")
    IMPORT_DMP_DEMANDE = "import_dmp_demande", _("Import du DMP demandé")
    IMPORT_DMP_TERMINE = "import_dmp_termine", _("Import du DMP terminé")
    IMPORT_DMP_CONFLIT_VERSION = (
        "import_dmp_conflit_version",
        _("Import du DMP : document importé comme nouvelle version"),
    )
    IMPORT_DMP_CONFLIT_IGNORE = (
        "import_dmp_conflit_ignore",
        _("Import du DMP : document différent ignoré"),
    )
    REMBOURSEMENTS_SYNCHRONISES = "remboursements_synchro", _("Remboursements mis à jour")
    REMBOURSEMENTS_CONSULTES = "remboursements_consultes", _("Remboursements consultés")
    RESULTATS_CONSULTES = "resultats_consultes", _("Résultats de biologie consultés")
    MESSAGE_ENVOYE = "message_envoye", _("Message envoyé")
    MESSAGE_LU = "message_lu", _("Conversation lue")
    PIECE_JOINTE_TELECHARGEE = "piece_jointe_telechargee", _("Pièce jointe téléchargée")
    FIL_CLOS = "fil_clos", _("Conversation close")
    RDV_AJOUTE = "rdv_ajoute", _("Rendez-vous ajouté à l'agenda")
    RDV_MODIFIE = "rdv_modifie", _("Rendez-vous de l'agenda modifié")
    RDV_SUPPRIME = "rdv_supprime", _("Rendez-vous de l'agenda supprimé")
    RAPPEL_PROGRAMME = "rappel_programme", _("Rappel régulier programmé")
    RAPPEL_SUPPRIME = "rappel_supprime", _("Rappel régulier supprimé")
    FLUX_CREE = "flux_cree", _("Abonnement au calendrier créé")
    FLUX_REVOQUE = "flux_revoque", _("Abonnement au calendrier supprimé")
    SOIN_SUIVI = "soin_suivi", _("Soin recommandé : suivi noté")
    PREVENTION_REGLEE = "prevention_reglee", _("Messages de prévention : choix modifié")
    EXPORT_DEMANDE = "export_demande", _("Export de mes données demandé")
    EXPORT_PRET = "export_pret", _("Export de mes données prêt")
    EXPORT_TELECHARGE = "export_telecharge", _("Export de mes données téléchargé")


def choix_des_actions() -> Sequence[tuple[str, StrOrPromise]]:
    """The ``action`` column's choices: the ``Action`` enum, read when asked. A migration records
    this function's name, never the list, so that an action added to ``Action`` needs no
    migration; ``evenement_enregistrer`` refuses any value the enum does not hold."""
    return Action.choices


class TypeActeur(models.TextChoices):
    TITULAIRE = "titulaire", _("Titulaire")
    REPRESENTANT = "representant", _("Représentant légal")
    TUTEUR = "tuteur", _("Tuteur ou tutrice")
    AIDANT = "aidant", _("Aidant ou aidante")
    CURATEUR = "curateur", _("Curateur ou curatrice")
    PROFESSIONNEL = "professionnel", _("Professionnel de santé")
    OPERATEUR = "operateur", _("Opérateur")
    SYSTEME = "systeme", _("Système")
    ANONYME = "anonyme", _("Personne non connectée")


class EvenementQuerySet(models.QuerySet["Evenement"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise JournalImmuable("journal events cannot be updated")

    def delete(self) -> NoReturn:
        raise JournalImmuable("journal events cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise JournalImmuable("journal events cannot be updated")


class ChaineJournal(models.Model):
    """The head of one chain: the last sequence number and hash (serialises appends), sealed
    with a key the database does not hold (``<key id>:<HMAC>``, espace_sante/journal/sceaux.py)."""

    cle = models.CharField(max_length=64, primary_key=True)
    dernier_rang = models.PositiveBigIntegerField(default=0)
    dernier_hash = models.CharField(max_length=64, default="")
    sceau = models.CharField(max_length=130, default="", blank=True)

    class Meta:
        verbose_name = _("chaîne du journal")

    def __str__(self) -> str:
        return f"{self.cle} ({self.dernier_rang})"


class Evenement(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chaine = models.CharField(max_length=64)
    rang = models.PositiveBigIntegerField()
    espace_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    horodatage = models.DateTimeField()
    action = models.CharField(max_length=32, choices=choix_des_actions)
    acteur_type = models.CharField(max_length=16, choices=TypeActeur.choices)
    acteur_id = models.CharField(max_length=64, blank=True)
    acteur_nom = models.CharField(max_length=200, blank=True)
    objet_type = models.CharField(max_length=64, blank=True)
    objet_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    hash_precedent = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[Evenement]] = EvenementQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-horodatage", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chaine", "rang"], name="journal_rang_unique"),
        ]
        indexes = [
            models.Index(fields=["espace_uuid", "acteur_type", "-horodatage"]),
        ]

    def __str__(self) -> str:
        return f"{self.horodatage:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise JournalImmuable("journal events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise JournalImmuable("journal events cannot be deleted")
