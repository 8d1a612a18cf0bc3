"""Every change to a space's life (DESIGN.md §2): one function each, one transaction each,
one journal event each, side effects queued on commit."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from espace_sante.acces import AccesPatient
from espace_sante.comptes.models import TypeNotification, Utilisateur
from espace_sante.comptes.services import notification_programmer
from espace_sante.journal.models import Action, TypeActeur
from espace_sante.journal.services import Acteur, evenement_enregistrer
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.identifiants import (
    OIDS_INS_NIR,
    nir_concorde_avec_naissance,
    normaliser,
    valider_nir,
)

from .evenements import journal_espace
from .models import (
    CodeActivation,
    Espace,
    Lien,
    Representation,
    Statut,
)
from .representations import (
    representation_ajouter,
    terminer_representation,
    terminer_representations,
)

ALPHABET_CODE = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
LONGUEUR_CODE = 12

# --- Pre-creation and codes --------------------------------------------------------------------


def generer_code() -> str:
    brut = "".join(secrets.choice(ALPHABET_CODE) for _ in range(LONGUEUR_CODE))
    return "-".join(brut[i : i + 4] for i in range(0, LONGUEUR_CODE, 4))


def normaliser_code(code: str) -> str:
    return normaliser(code).replace("_", "")


@dataclass(frozen=True)
class Identite:
    ins: str
    nom_naissance: str
    prenoms: str
    date_naissance: date
    sexe: str
    nom_utilise: str = ""
    ins_oid: str = ""


def identite_valider(identite: Identite) -> Identite:
    """Validate an insured person's identity; raise ValidationError with readable messages."""
    ins = valider_nir(identite.ins)
    erreurs: dict[str, str] = {}
    if identite.date_naissance > timezone.localdate():
        erreurs["date_naissance"] = _("La date de naissance est dans le futur.")
    elif not nir_concorde_avec_naissance(ins, identite.date_naissance):
        erreurs["date_naissance"] = _(
            "L'année ou le mois de naissance ne concorde pas avec le numéro INS."
        )
    if identite.sexe not in {"F", "M", "U"}:
        erreurs["sexe"] = _("Le sexe doit valoir F, M ou U.")
    elif identite.sexe != "U" and ins[0] in "12" and {"1": "M", "2": "F"}[ins[0]] != identite.sexe:
        erreurs["sexe"] = _("Le sexe ne concorde pas avec le premier chiffre du numéro INS.")
    if identite.ins_oid and identite.ins_oid not in OIDS_INS_NIR:
        erreurs["ins_oid"] = _("OID d'autorité INS inconnu.")
    if not identite.nom_naissance.strip():
        erreurs["nom_naissance"] = _("Le nom de naissance est obligatoire.")
    if not identite.prenoms.strip():
        erreurs["prenoms"] = _("Au moins un prénom est obligatoire.")
    if erreurs:
        raise ValidationError(erreurs)
    return Identite(
        ins=ins,
        nom_naissance=identite.nom_naissance.strip().upper(),
        prenoms=" ".join(identite.prenoms.split()),
        date_naissance=identite.date_naissance,
        sexe=identite.sexe,
        nom_utilise=identite.nom_utilise.strip().upper(),
        ins_oid=identite.ins_oid,
    )


def _code_emettre(*, espace: Espace) -> str:
    maintenant = timezone.now()
    espace.codes.filter(utilise_le__isnull=True, revoque_le__isnull=True).update(
        revoque_le=maintenant
    )
    code = generer_code()
    CodeActivation.objects.create(
        espace=espace,
        code_hash=make_password(normaliser_code(code)),
        cree_le=maintenant,
        expire_le=maintenant + settings.ACTIVATION_CODE_VALIDITY,
    )
    return code


def espace_precreer(
    *,
    acteur: Acteur,
    identite: Identite,
    representants: list[Espace] | None = None,
    ip: str | None = None,
) -> tuple[Espace, str]:
    """Pre-create a space for an insured person. Returns it with its activation code, in clear
    this once (to be printed in the letter), never stored so."""
    identite = identite_valider(identite)
    with transaction.atomic():
        existant = Espace.objects.filter(ins=identite.ins).first()
        if existant is not None:
            if existant.statut == Statut.OPPOSE:
                raise Refus(_("Cette personne s'est opposée à la création de son espace."))
            raise Refus(_("Un espace existe déjà pour ce numéro INS."), code="doublon")
        try:
            with transaction.atomic():
                espace = Espace.objects.create(
                    ins=identite.ins,
                    ins_oid=identite.ins_oid or Espace._meta.get_field("ins_oid").default,
                    nom_naissance=identite.nom_naissance,
                    prenoms=identite.prenoms,
                    nom_utilise=identite.nom_utilise,
                    date_naissance=identite.date_naissance,
                    sexe=identite.sexe,
                    statut=Statut.CREE,
                )
        except IntegrityError as exc:  # a concurrent pre-creation of the same INS
            raise Refus(_("Un espace existe déjà pour ce numéro INS."), code="doublon") from exc
        code = _code_emettre(espace=espace)
        journal_espace(Action.PRECREATION, espace=espace, acteur=acteur, ip=ip)
        journal_espace(Action.CODE_EMIS, espace=espace, acteur=acteur, ip=ip)
        for representant in representants or []:
            representation_ajouter(
                espace=espace, representant=representant, lien=Lien.PARENT, acteur=acteur, ip=ip
            )
    return espace, code


def code_activation_renouveler(*, espace: Espace, acteur: Acteur, ip: str | None = None) -> str:
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        if not (espace.statut == Statut.CREE or _activable_par_jeune_majeur(espace)):
            raise Refus(_("Seul un espace en attente d'activation peut recevoir un code."))
        code = _code_emettre(espace=espace)
        journal_espace(Action.CODE_EMIS, espace=espace, acteur=acteur, ip=ip)
    return code


# --- Activation and opposition by the person -----------------------------------------------------

MESSAGE_ECHEC = "Le code d'activation, le numéro INS ou la date de naissance est incorrect."


def _activable_par_jeune_majeur(espace: Espace) -> bool:
    return espace.statut == Statut.ACTIF and espace.titulaire_id is None and not espace.est_mineur


@functools.cache
def _empreinte_factice() -> str:
    """A hash of nothing anyone knows, made by the current hasher: checked when there is no code,
    so that an unknown INS costs the same hashing as a known one."""
    return make_password(secrets.token_urlsafe(16))


def espace_activation_verifier(
    *, ins: str, date_naissance: date, code: str, ip: str | None = None
) -> tuple[Espace, CodeActivation]:
    """Check an activation code against INS + birth date.

    Unknown INS, wrong code, wrong birth date and a blocked code get the same answer after the
    same work: one query for the pending code, one hasher check (against a dummy hash when there
    is no code), one counter update, one journal event. A wrong try counts against the code only
    with the right INS *and* birth date (the 5th locks it), and is journaled on the space so that
    its holder sees it in the history. A specific answer (blocked, expired, minor…) is only given
    to whoever typed the right code, INS and birth date."""
    ins = valider_nir(ins)
    refus: Refus | None = None
    with transaction.atomic():
        code_actif = (
            CodeActivation.objects.select_for_update()
            .select_related("espace")
            .filter(espace__ins=ins, utilise_le__isnull=True, revoque_le__isnull=True)
            .order_by("-cree_le")
            .first()
        )
        espace = code_actif.espace if code_actif is not None else None
        bon_code = check_password(
            normaliser_code(code),
            code_actif.code_hash if code_actif is not None else _empreinte_factice(),
        )
        bonne_date = espace is not None and espace.date_naissance == date_naissance
        if code_actif is not None and bon_code and bonne_date:
            refus = _refus_apres_bon_code(espace, code_actif, ip=ip)  # type: ignore[arg-type]
        else:
            refus = _essai_echoue(espace, code_actif, compte=bonne_date, ip=ip)
    if refus is not None:
        raise refus
    assert espace is not None and code_actif is not None
    return espace, code_actif


def _essai_echoue(
    espace: Espace | None, code_actif: CodeActivation | None, *, compte: bool, ip: str | None
) -> Refus:
    """Journal a failed try (on the space when the INS has a pending code) and, with the right
    birth date, count it against the code. Always one update and one event."""
    action = Action.ACTIVATION_ECHEC
    details: dict[str, object] = {"motif": "code, INS ou date de naissance"}
    cible = 0
    if code_actif is not None and compte and code_actif.verrouille_le is None:
        cible = code_actif.pk
        code_actif.essais_echoues += 1
        details = {"motif": "code", "essai": code_actif.essais_echoues}
        if code_actif.essais_echoues >= settings.ACTIVATION_MAX_ATTEMPTS:
            code_actif.verrouille_le = timezone.now()
            action = Action.ACTIVATION_VERROUILLEE
    elif code_actif is not None:
        details = {"motif": "bloqué" if code_actif.verrouille_le else "date de naissance"}
    # The same statement in every case; it touches no row (pk 0) unless the try counts.
    CodeActivation.objects.filter(pk=cible).update(
        essais_echoues=code_actif.essais_echoues if code_actif is not None else 0,
        verrouille_le=code_actif.verrouille_le if code_actif is not None else None,
    )
    evenement_enregistrer(
        action=action,
        acteur=Acteur.anonyme(),
        espace_uuid=espace.uuid if espace is not None else None,
        objet_type="espace" if espace is not None else "",
        objet_id=str(espace.uuid) if espace is not None else "",
        ip=ip,
        details=details,
    )
    return Refus(_(MESSAGE_ECHEC))


def _refus_apres_bon_code(
    espace: Espace, code_actif: CodeActivation, *, ip: str | None
) -> Refus | None:
    """Whoever typed the right code, INS and birth date may learn why it cannot be used."""
    anonyme = Acteur.anonyme()
    refus: Refus | None = None
    if code_actif.verrouille_le is not None:
        journal_espace(
            Action.ACTIVATION_ECHEC, espace=espace, acteur=anonyme, ip=ip, motif="bloqué"
        )
        refus = Refus(
            _(
                "Ce code d'activation est bloqué après trop d'essais. "
                "Demandez un nouveau code à votre caisse d'assurance maladie."
            ),
            code="verrouille",
        )
    elif code_actif.expire_le <= timezone.now():
        journal_espace(
            Action.ACTIVATION_ECHEC, espace=espace, acteur=anonyme, ip=ip, motif="expiré"
        )
        refus = Refus(
            _(
                "Ce code d'activation a expiré. "
                "Demandez un nouveau code à votre caisse d'assurance maladie."
            ),
            code="expire",
        )
    elif espace.est_mineur:
        refus = Refus(
            _("L'espace d'un mineur est activé par son représentant légal, depuis son espace."),
            code="mineur",
        )
    elif not (espace.statut == Statut.CREE or _activable_par_jeune_majeur(espace)):
        refus = Refus(_("Cet espace ne peut pas être activé en ligne."), code="statut")
    return refus


def espace_activer(
    *,
    espace: Espace,
    code: CodeActivation,
    email: str,
    password: str,
    ip: str | None = None,
) -> Utilisateur:
    """Activate a space whose code was just verified, creating the holder's login."""
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        code = CodeActivation.objects.select_for_update().get(pk=code.pk, espace=espace)
        if not code.utilisable or not (
            espace.statut == Statut.CREE or _activable_par_jeune_majeur(espace)
        ):
            raise Refus(_("Ce code d'activation n'est plus utilisable."), code="statut")
        if Utilisateur.objects.filter(email__iexact=email).exists():
            raise Refus(_("Un compte utilise déjà cette adresse e-mail."), code="email")
        utilisateur = Utilisateur.objects.create_user(
            email=email,
            password=password,
            prenom=espace.prenom_usuel,
            nom=espace.nom_utilise or espace.nom_naissance,
        )
        maintenant = timezone.now()
        code.utilise_le = maintenant
        code.save(update_fields=["utilise_le"])
        espace.titulaire = utilisateur
        espace.statut = Statut.ACTIF
        espace.active_le = maintenant
        espace.save(update_fields=["titulaire", "statut", "active_le"])
        journal_espace(
            Action.ACTIVATION,
            espace=espace,
            acteur=Acteur.pour_utilisateur(utilisateur, TypeActeur.TITULAIRE),
            ip=ip,
        )
        notification_programmer(
            destinataire=utilisateur, type=TypeNotification.ESPACE_ACTIVE, cle=str(espace.uuid)
        )
    return utilisateur


def espace_opposer(
    *, espace: Espace, code: CodeActivation | None, acteur: Acteur, ip: str | None = None
) -> Espace:
    """The person objects: no space is kept (codes revoked, proches links ended)."""
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        if espace.statut != Statut.CREE:
            raise Refus(_("Seul un espace pas encore activé peut faire l'objet d'une opposition."))
        if code is not None and not CodeActivation.objects.get(pk=code.pk).utilisable:
            raise Refus(_("Ce code d'activation n'est plus utilisable."))
        maintenant = timezone.now()
        espace.codes.filter(utilise_le__isnull=True, revoque_le__isnull=True).update(
            revoque_le=maintenant
        )
        espace.statut = Statut.OPPOSE
        espace.oppose_le = maintenant
        espace.save(update_fields=["statut", "oppose_le"])
        terminer_representations(espace=espace, motif="opposition", acteur=acteur, ip=ip)
        journal_espace(Action.OPPOSITION, espace=espace, acteur=acteur, ip=ip)
    return espace


def espace_lever_opposition(*, espace: Espace, acteur: Acteur, ip: str | None = None) -> str:
    """Back to 'créé' with a new code: the person may activate after all."""
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        if espace.statut != Statut.OPPOSE:
            raise Refus(_("Cet espace ne fait pas l'objet d'une opposition."))
        espace.statut = Statut.CREE
        espace.oppose_le = None
        espace.save(update_fields=["statut", "oppose_le"])
        journal_espace(Action.OPPOSITION_LEVEE, espace=espace, acteur=acteur, ip=ip)
        code = _code_emettre(espace=espace)
        journal_espace(Action.CODE_EMIS, espace=espace, acteur=acteur, ip=ip)
    return code


def espace_activer_pour_mineur(
    *, espace: Espace, representant: Utilisateur, ip: str | None = None
) -> Espace:
    """A legal representative activates the minor's space they represent."""
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        if espace.statut != Statut.CREE:
            raise Refus(_("Cet espace n'est pas en attente d'activation."))
        maintenant = timezone.now()
        espace.codes.filter(utilise_le__isnull=True, revoque_le__isnull=True).update(
            utilise_le=maintenant
        )
        espace.statut = Statut.ACTIF
        espace.active_le = maintenant
        espace.save(update_fields=["statut", "active_le"])
        journal_espace(
            Action.ACTIVATION,
            espace=espace,
            acteur=Acteur.pour_utilisateur(representant, TypeActeur.REPRESENTANT),
            ip=ip,
        )
    return espace


# --- Closure, re-opening, death, suspension ----------------------------------------------------


def _ajouter_annees(jour: date, annees: int) -> date:
    try:
        return jour.replace(year=jour.year + annees)
    except ValueError:
        return date(jour.year + annees, 3, 1)


def espace_cloturer(
    *, espace: Espace, acteur: Acteur, demande_suppression: bool = False, ip: str | None = None
) -> Espace:
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        if espace.statut != Statut.ACTIF:
            raise Refus(_("Seul un espace actif peut être clôturé."))
        maintenant = timezone.now()
        aujourd_hui = timezone.localdate()
        espace.statut = Statut.CLOTURE
        espace.cloture_le = maintenant
        espace.purge_apres = _ajouter_annees(aujourd_hui, settings.ARCHIVE_RETENTION_YEARS)
        champs = ["statut", "cloture_le", "purge_apres"]
        journal_espace(Action.CLOTURE, espace=espace, acteur=acteur, ip=ip)
        if demande_suppression:
            espace.suppression_demandee_le = maintenant
            espace.suppression_avant = aujourd_hui + settings.DELETION_DELAY
            champs += ["suppression_demandee_le", "suppression_avant"]
            journal_espace(
                Action.SUPPRESSION_DEMANDEE,
                espace=espace,
                acteur=acteur,
                ip=ip,
                avant=espace.suppression_avant.isoformat(),
            )
        espace.save(update_fields=champs)
        if espace.titulaire_id is not None:
            notification_programmer(
                destinataire=espace.titulaire,  # type: ignore[arg-type]
                type=TypeNotification.ESPACE_CLOTURE,
                cle=f"{espace.uuid}:{maintenant.isoformat()}",
            )
    return espace


def espace_rouvrir(*, espace: Espace, acteur: Acteur, ip: str | None = None) -> Espace:
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        if espace.statut != Statut.CLOTURE:
            raise Refus(_("Seul un espace clôturé peut être rouvert."))
        espace.statut = Statut.ACTIF
        espace.cloture_le = None
        espace.purge_apres = None
        espace.suppression_demandee_le = None
        espace.suppression_avant = None
        espace.save(
            update_fields=[
                "statut",
                "cloture_le",
                "purge_apres",
                "suppression_demandee_le",
                "suppression_avant",
            ]
        )
        journal_espace(Action.REOUVERTURE, espace=espace, acteur=acteur, ip=ip)
        if espace.titulaire_id is not None:
            notification_programmer(
                destinataire=espace.titulaire,  # type: ignore[arg-type]
                type=TypeNotification.ESPACE_ROUVERT,
                cle=f"{espace.uuid}:{timezone.now().isoformat()}",
            )
    return espace


def espace_enregistrer_deces(
    *, espace: Espace, date_deces: date, acteur: Acteur, ip: str | None = None
) -> Espace:
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        if espace.statut == Statut.DECEDE:
            raise Refus(_("Le décès est déjà enregistré."))
        if date_deces > timezone.localdate() or date_deces < espace.date_naissance:
            raise Refus(_("La date du décès doit être entre la naissance et aujourd'hui."))
        espace.statut = Statut.DECEDE
        espace.deces_le = date_deces
        espace.cloture_le = espace.cloture_le or timezone.now()
        espace.purge_apres = _ajouter_annees(timezone.localdate(), settings.ARCHIVE_RETENTION_YEARS)
        espace.save(update_fields=["statut", "deces_le", "cloture_le", "purge_apres"])
        espace.codes.filter(utilise_le__isnull=True, revoque_le__isnull=True).update(
            revoque_le=timezone.now()
        )
        journal_espace(Action.DECES, espace=espace, acteur=acteur, ip=ip)
        terminer_representations(espace=espace, motif="décès", acteur=acteur, ip=ip)
        for representation in Representation.objects.filter(representant=espace, fin__isnull=True):
            terminer_representation(representation, motif="décès", acteur=acteur, ip=ip)
    return espace


def espace_suspendre(
    *, espace: Espace, motif: str, acteur: Acteur, ip: str | None = None
) -> Espace:
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        if espace.statut not in {Statut.CREE, Statut.ACTIF}:
            raise Refus(_("Seul un espace créé ou actif peut être suspendu."))
        if not motif.strip():
            raise Refus(_("Le motif de la suspension est obligatoire."))
        espace.statut_avant_suspension = espace.statut
        espace.statut = Statut.SUSPENDU
        espace.suspendu_le = timezone.now()
        espace.motif_suspension = motif.strip()[:200]
        espace.save(
            update_fields=["statut", "statut_avant_suspension", "suspendu_le", "motif_suspension"]
        )
        journal_espace(
            Action.SUSPENSION, espace=espace, acteur=acteur, ip=ip, motif=motif.strip()[:200]
        )
    return espace


def espace_lever_suspension(*, espace: Espace, acteur: Acteur, ip: str | None = None) -> Espace:
    with transaction.atomic():
        espace = Espace.objects.select_for_update().get(pk=espace.pk)
        if espace.statut != Statut.SUSPENDU:
            raise Refus(_("Cet espace n'est pas suspendu."))
        espace.statut = espace.statut_avant_suspension or Statut.ACTIF
        espace.statut_avant_suspension = ""
        espace.suspendu_le = None
        espace.motif_suspension = ""
        espace.save(
            update_fields=["statut", "statut_avant_suspension", "suspendu_le", "motif_suspension"]
        )
        journal_espace(Action.SUSPENSION_LEVEE, espace=espace, acteur=acteur, ip=ip)
    return espace


# --- Proches -----------------------------------------------------------------------------------


def espace_basculer(*, acces: AccesPatient, ip: str | None = None) -> None:
    """The person now acts for this space (their own, or a minor's they represent): journaled on
    it. The choice itself is the session's, kept by the view."""
    journal_espace(Action.BASCULE_ESPACE, espace=acces.espace, acteur=acces.acteur, ip=ip)


def espaces_purger_echus(*, aujourd_hui: date | None = None) -> int:
    """Purge closed spaces whose archive period is over, and those whose holder asked for
    deletion (after a grace period, well before the 3-month deadline). Idempotent."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    grace = timezone.now() - settings.DELETION_GRACE
    echus = Espace.objects.filter(statut__in=[Statut.CLOTURE, Statut.DECEDE]).filter(
        Q(purge_apres__lte=aujourd_hui)
        | Q(suppression_demandee_le__lte=grace)
        | Q(suppression_avant__lte=aujourd_hui)
    )
    nombre = 0
    for espace_id in echus.values_list("pk", flat=True):
        with transaction.atomic():
            espace = Espace.objects.select_for_update().filter(pk=espace_id).first()
            if espace is None:
                continue
            journal_espace(Action.PURGE, espace=espace, acteur=Acteur.systeme(), ip=None)
            titulaire = espace.titulaire
            espace.delete()
            if titulaire is not None and not titulaire.is_staff:
                titulaire.delete()
            nombre += 1
    return nombre
