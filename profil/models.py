"""The space itself: identity, life cycle (DESIGN.md §2), activation codes and proches."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_sante.coffre.champs import DecimalChiffre, TexteChiffre, empreinte_indexee
from espace_sante.lib.identifiants import OID_INS_NIR_PRODUCTION, OIDS_INS_NIR, verifier_nir


class Statut(models.TextChoices):
    CREE = "cree", _("Créé (en attente d'activation)")
    ACTIF = "actif", _("Actif")
    OPPOSE = "oppose", _("Opposé")
    CLOTURE = "cloture", _("Clôturé")
    DECEDE = "decede", _("Décédé")
    SUSPENDU = "suspendu", _("Suspendu")


class Sexe(models.TextChoices):
    FEMININ = "F", _("Féminin")
    MASCULIN = "M", _("Masculin")
    INDETERMINE = "U", _("Indéterminé")


def date_majorite(date_naissance: date) -> date:
    """The day the person comes of age (born 29 February: 1 March in common years)."""
    annee = date_naissance.year + settings.AGE_MAJORITE
    try:
        return date_naissance.replace(year=annee)
    except ValueError:
        return date(annee, 3, 1)


def limite_naissance_mineur(aujourd_hui: date) -> date:
    """People born strictly after this day are minors on ``aujourd_hui``."""
    annee = aujourd_hui.year - settings.AGE_MAJORITE
    try:
        return aujourd_hui.replace(year=annee)
    except ValueError:  # 29 February: born on 28 February came of age yesterday
        return date(annee, 2, 28)


# Letters NFKD does not take apart, spelled as French writes them without ligature.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o"})
_SEPARATEURS_NOM = re.compile(r"[\s\-‐‑‒–—'’ʼ`´.,]+")


def forme_de_recherche(texte: str) -> str:
    """A name as the search compares it, the same on SQLite and PostgreSQL: accents and other
    marks gone (NFKD, combining marks dropped), case folded, hyphens, apostrophes and runs of
    spaces as one space — "LEFÈVRE", "Lefèvre" and "lefevre" give "lefevre", "Marie-Hélène"
    and "marie  helene" give "marie helene"."""
    decompose = unicodedata.normalize("NFKD", texte.translate(_LIGATURES))
    sans_marques = "".join(c for c in decompose if not unicodedata.combining(c))
    return " ".join(_SEPARATEURS_NOM.split(sans_marques.casefold())).strip()


def nom_de_recherche(*, nom_naissance: str, nom_utilise: str, prenoms: str) -> str:
    """What a space is found by: its names, in their searchable form."""
    return " ".join(
        forme for forme in map(forme_de_recherche, [nom_naissance, nom_utilise, prenoms]) if forme
    )


class EspaceQuerySet(models.QuerySet["Espace"]):
    def mineurs(self, aujourd_hui: date | None = None) -> EspaceQuerySet:
        aujourd_hui = aujourd_hui or timezone.localdate()
        return self.filter(date_naissance__gt=limite_naissance_mineur(aujourd_hui))

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> Any:
        """``save`` is not called here: the searchable name is computed all the same."""
        espaces = list(objs)
        for espace in espaces:
            espace.nom_recherche = espace.calculer_nom_recherche()
        return super().bulk_create(espaces, *args, **kwargs)


class Espace(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ins = models.CharField(
        _("matricule INS (NIR)"), max_length=15, unique=True, validators=[verifier_nir]
    )
    ins_oid = models.CharField(
        _("autorité INS (OID)"),
        max_length=32,
        choices=[(oid, f"{oid} ({nom})") for oid, nom in OIDS_INS_NIR.items()],
        default=OID_INS_NIR_PRODUCTION,
    )
    nom_naissance = models.CharField(_("nom de naissance"), max_length=100)
    prenoms = models.CharField(_("prénoms"), max_length=200)
    nom_utilise = models.CharField(_("nom utilisé"), max_length=100, blank=True)
    date_naissance = models.DateField(_("date de naissance"))
    # The names in the form the professionals' search compares (``forme_de_recherche``): kept
    # up to date by ``save`` and ``bulk_create``; migration 0010 computed the older rows (the
    # database default, empty, is for rows written without the model: older migrations).
    nom_recherche = models.CharField(
        max_length=420, blank=True, default="", db_default="", editable=False
    )
    sexe = models.CharField(_("sexe"), max_length=1, choices=Sexe.choices)
    statut = models.CharField(_("statut"), max_length=10, choices=Statut.choices, db_index=True)
    titulaire = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="espace",
        verbose_name=_("compte du titulaire"),
    )
    cree_le = models.DateTimeField(_("créé le"), default=timezone.now)
    active_le = models.DateTimeField(_("activé le"), null=True, blank=True)
    oppose_le = models.DateTimeField(_("opposition le"), null=True, blank=True)
    cloture_le = models.DateTimeField(_("clôturé le"), null=True, blank=True)
    purge_apres = models.DateField(_("purge après le"), null=True, blank=True)
    suppression_demandee_le = models.DateTimeField(
        _("suppression demandée le"), null=True, blank=True
    )
    suppression_avant = models.DateField(_("suppression avant le"), null=True, blank=True)
    deces_le = models.DateField(_("date du décès"), null=True, blank=True)
    suspendu_le = models.DateTimeField(_("suspendu le"), null=True, blank=True)
    motif_suspension = models.CharField(_("motif de suspension"), max_length=200, blank=True)
    statut_avant_suspension = models.CharField(max_length=10, choices=Statut.choices, blank=True)

    objects: ClassVar[EspaceQuerySet] = EspaceQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("espace santé")
        verbose_name_plural = _("espaces santé")
        ordering = ["nom_naissance", "prenoms"]
        indexes = [models.Index(fields=["nom_naissance", "prenoms"])]

    def __str__(self) -> str:
        return self.nom_complet

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.nom_recherche = self.calculer_nom_recherche()
        champs = kwargs.get("update_fields")
        if champs is not None and {"nom_naissance", "nom_utilise", "prenoms"} & set(champs):
            kwargs["update_fields"] = {*champs, "nom_recherche"}
        super().save(*args, **kwargs)

    def calculer_nom_recherche(self) -> str:
        return nom_de_recherche(
            nom_naissance=self.nom_naissance, nom_utilise=self.nom_utilise, prenoms=self.prenoms
        )

    @property
    def prenom_usuel(self) -> str:
        return self.prenoms.split(" ")[0] if self.prenoms else ""

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom_usuel} {self.nom_utilise or self.nom_naissance}".strip()

    @property
    def est_mineur(self) -> bool:
        return self.date_naissance > limite_naissance_mineur(timezone.localdate())

    @property
    def ouvert(self) -> bool:
        """Open for its holder and representatives (a closed space shows only its closure)."""
        return self.statut in {Statut.CREE, Statut.ACTIF}


class CodeActivation(models.Model):
    """A one-time activation code, stored hashed; expires and locks after too many tries."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=200)
    cree_le = models.DateTimeField(default=timezone.now)
    expire_le = models.DateTimeField()
    essais_echoues = models.PositiveSmallIntegerField(default=0)
    verrouille_le = models.DateTimeField(null=True, blank=True)
    utilise_le = models.DateTimeField(null=True, blank=True)
    revoque_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("code d'activation")
        verbose_name_plural = _("codes d'activation")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"code du {self.cree_le:%d/%m/%Y}"

    @property
    def utilisable(self) -> bool:
        return (
            self.utilise_le is None
            and self.revoque_le is None
            and self.verrouille_le is None
            and self.expire_le > timezone.now()
        )


class Lien(models.TextChoices):
    PARENT = "parent", _("Parent")
    TUTEUR = "tuteur", _("Tuteur ou tutrice")


class Representation(models.Model):
    """A legal representative (identified by their own space) acting for a minor's space."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="representants")
    representant = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="represente")
    lien = models.CharField(max_length=10, choices=Lien.choices, default=Lien.PARENT)
    debut = models.DateField(default=timezone.localdate)
    fin = models.DateField(null=True, blank=True)
    motif_fin = models.CharField(max_length=100, blank=True)
    # An operator ends a representation on a court decision (the admin asks its reference).
    decision_justice = models.CharField(_("décision de justice"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("représentation légale")
        verbose_name_plural = _("représentations légales")
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "representant"],
                condition=models.Q(fin__isnull=True),
                name="representation_unique_en_cours",
            ),
            models.CheckConstraint(
                condition=~models.Q(espace=models.F("representant")),
                name="representation_pas_soi_meme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.representant} → {self.espace}"


# --- Proches: the second parent's invitation, carers, protected adults (docs/PROCHES.md) ---------


class InvitationRepresentant(models.Model):
    """A legal representative of a minor invites the other one by e-mail; the invitee accepts
    from their own activated space, giving the child's birth date (``proches.parents``). The
    token is kept as its SHA-256 only."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(
        Espace, on_delete=models.CASCADE, related_name="invitations_representant"
    )
    invite_par = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="+")
    courriel = models.EmailField(_("adresse électronique invitée"))
    lien = models.CharField(max_length=10, choices=Lien.choices, default=Lien.PARENT)
    jeton_empreinte = models.CharField(max_length=64, unique=True)
    cree_le = models.DateTimeField(default=timezone.now)
    expire_le = models.DateTimeField()
    acceptee_le = models.DateTimeField(null=True, blank=True)
    acceptee_par = models.ForeignKey(
        Espace, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    annulee_le = models.DateTimeField(null=True, blank=True)
    essais_echoues = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("invitation d'un représentant légal")
        verbose_name_plural = _("invitations de représentants légaux")

    def __str__(self) -> str:
        return f"{self.courriel} → {self.espace}"

    @property
    def utilisable(self) -> bool:
        return (
            self.acceptee_le is None and self.annulee_le is None and self.expire_le > timezone.now()
        )


class Perimetre(models.TextChoices):
    """What a carer (aidant) reaches in the holder's space."""

    TOUT = "tout", _("Tout l'espace (documents, profil médical, agenda, messagerie, historique)")
    DOCUMENTS = "documents", _("Les documents seulement")
    PROFIL = "profil", _("Le profil médical seulement")
    AGENDA = "agenda", _("L'agenda seulement")


class Delegation(models.Model):
    """An adult holder gives a carer (identified by their own space once they accept) access to
    their space, within a perimeter, read only or read and write, until an optional date; either
    side revokes it at any time (``proches.aidants``). The invitation's token is kept as its
    SHA-256 only."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="delegations")
    aidant = models.ForeignKey(
        Espace, on_delete=models.CASCADE, null=True, blank=True, related_name="aides"
    )
    courriel = models.EmailField(_("adresse électronique invitée"))
    perimetre = models.CharField(
        _("ce que l'aidant voit"), max_length=10, choices=Perimetre.choices
    )
    ecriture = models.BooleanField(_("peut aussi ajouter et modifier"), default=False)
    fin = models.DateField(_("jusqu'au"), null=True, blank=True)
    jeton_empreinte = models.CharField(max_length=64, unique=True)
    invitation_expire_le = models.DateTimeField()
    cree_le = models.DateTimeField(default=timezone.now)
    acceptee_le = models.DateTimeField(null=True, blank=True)
    revoquee_le = models.DateTimeField(null=True, blank=True)
    revoquee_par = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("délégation à un aidant")
        verbose_name_plural = _("délégations à des aidants")
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "aidant"],
                condition=models.Q(revoquee_le__isnull=True, aidant__isnull=False),
                name="delegation_unique_en_cours",
            ),
            models.CheckConstraint(
                condition=~models.Q(espace=models.F("aidant")),
                name="delegation_pas_soi_meme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.aidant or self.courriel} → {self.espace} ({self.perimetre})"

    def active(self, aujourd_hui: date | None = None) -> bool:
        aujourd_hui = aujourd_hui or timezone.localdate()
        return (
            self.acceptee_le is not None
            and self.revoquee_le is None
            and (self.fin is None or self.fin >= aujourd_hui)
        )


class TypeProtection(models.TextChoices):
    TUTELLE = "tutelle", _("Tutelle")
    CURATELLE = "curatelle", _("Curatelle")


class MesureProtection(models.Model):
    """A court's protection measure for an adult, recorded by an operator: under a tutelle the
    person in charge has the representative's rights; under a curatelle, once the protected
    person accepts in their own space, a carer's full rights (``proches.protection``). Ending
    the measure (``fin``) ends the rights."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="protections")
    type = models.CharField(_("mesure"), max_length=10, choices=TypeProtection.choices)
    responsable = models.ForeignKey(
        Espace,
        on_delete=models.PROTECT,
        related_name="protections_confiees",
        verbose_name=_("personne chargée de la mesure"),
    )
    decision_justice = models.CharField(_("décision de justice"), max_length=200)
    debut = models.DateField(_("à partir du"))
    fin = models.DateField(_("jusqu'au"), null=True, blank=True)
    motif_fin = models.CharField(_("motif de fin"), max_length=200, blank=True)
    acceptee_le = models.DateTimeField(
        _("acceptée par la personne protégée le"), null=True, blank=True
    )
    refusee_le = models.DateTimeField(
        _("refusée par la personne protégée le"), null=True, blank=True
    )
    enregistree_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mesure de protection")
        verbose_name_plural = _("mesures de protection")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(espace=models.F("responsable")),
                name="protection_pas_soi_meme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} : {self.responsable} → {self.espace}"

    def en_vigueur(self, aujourd_hui: date | None = None) -> bool:
        aujourd_hui = aujourd_hui or timezone.localdate()
        return self.debut <= aujourd_hui and (self.fin is None or self.fin >= aujourd_hui)

    @property
    def donne_acces(self) -> bool:
        """Whether the measure lets its person in charge in today."""
        if not self.en_vigueur():
            return False
        if self.type == TypeProtection.TUTELLE:
            return True
        return self.acceptee_le is not None and self.refusee_le is None


# --- Medical profile (DESIGN.md §6) -------------------------------------------------------------


class ElementProfil(models.Model):
    """One entry of the medical profile: free text is encrypted (the vault's field type); who
    entered it (the patient, a representative or a professional) is kept for display."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A minor's secret, set by a professional: never shown to the legal representatives.
    secret_mineur = models.BooleanField(_("masqué aux représentants légaux"), default=False)
    saisi_par_type = models.CharField(max_length=16, default="titulaire")
    # Who entered it: a professional's name and specialty say something of the person's health.
    saisi_par_nom = TexteChiffre(max_length=200, blank=True)
    cree_le = models.DateTimeField(default=timezone.now)
    modifie_le = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Severite(models.TextChoices):
    LEGERE = "legere", _("Légère")
    MODEREE = "moderee", _("Modérée")
    SEVERE = "severe", _("Sévère")
    INCONNUE = "inconnue", _("Je ne sais pas")


class Allergie(ElementProfil):
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="allergies")
    substance = TexteChiffre(_("substance ou aliment"), max_length=200)
    reaction = TexteChiffre(_("réaction"), blank=True, max_length=1000)
    severite = models.CharField(
        _("gravité"), max_length=10, choices=Severite.choices, default=Severite.INCONNUE
    )
    depuis = models.DateField(_("depuis"), null=True, blank=True)

    class Meta:
        verbose_name = _("allergie ou intolérance")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return "allergie"


class Traitement(ElementProfil):
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="traitements")
    medicament = TexteChiffre(_("médicament"), max_length=200)
    dose = TexteChiffre(_("dose et rythme"), blank=True, max_length=200)
    depuis = models.DateField(_("depuis"), null=True, blank=True)
    prescripteur = TexteChiffre(_("prescrit par"), blank=True, max_length=200)

    class Meta:
        verbose_name = _("traitement en cours")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return "traitement"


class NatureAntecedent(models.TextChoices):
    MEDICAL = "medical", _("Médical")
    CHIRURGICAL = "chirurgical", _("Chirurgical")
    FAMILIAL = "familial", _("Familial")


class Antecedent(ElementProfil):
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="antecedents")
    nature = models.CharField(_("nature"), max_length=12, choices=NatureAntecedent.choices)
    libelle = TexteChiffre(_("antécédent"), max_length=200)
    date = models.DateField(_("date"), null=True, blank=True)
    precision = TexteChiffre(_("précisions"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("antécédent")
        ordering = ["nature", "-date"]

    def __str__(self) -> str:
        return "antécédent"


class OrigineVaccination(models.TextChoices):
    SAISIE = "saisie", _("Notée dans l'espace")
    DOCUMENT = "document", _("Reprise d'un document")


class Vaccination(ElementProfil):
    """A vaccination of the carnet: noted in the space (by the holder, a representative or a
    professional), or read from a document at its ingestion (``origine`` DOCUMENT: the
    document's uuid, no foreign key — ``profil`` depends on no other app; who reads it is the
    access package's ``entrees_profil_lisibles``: only with its document)."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="vaccinations")
    famille = TexteChiffre(_("vaccin"), max_length=20)
    # The vaccine's keyed digest in this space (set by ``save``): one injection a day per vaccine.
    famille_empreinte = models.CharField(max_length=64, editable=False, default="")
    date = models.DateField(_("date"))
    lot = TexteChiffre(_("numéro de lot"), blank=True, max_length=50)
    origine = models.CharField(
        max_length=10, choices=OrigineVaccination.choices, default=OrigineVaccination.SAISIE
    )
    # The source document (origine DOCUMENT): its uuid and its title when it was read.
    document_uuid = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    document_titre = TexteChiffre(blank=True, max_length=200, editable=False)
    # What the document says of the injection, beyond the family and the date.
    produit = TexteChiffre(_("vaccin administré"), blank=True, max_length=200, editable=False)
    code = TexteChiffre(_("code du vaccin"), blank=True, max_length=100, editable=False)
    rang = models.PositiveSmallIntegerField(_("rang de la dose"), null=True, blank=True)
    rappel = models.BooleanField(_("rappel"), default=False)
    vaccinateur = TexteChiffre(_("vacciné par"), blank=True, max_length=200, editable=False)
    # Rebuilt by ``rotate_keys --index`` (after SECRET_KEY changed).
    INDEX_AVEUGLES: ClassVar[dict[str, tuple[str, str]]] = {
        "famille_empreinte": ("famille", "vaccin")
    }

    class Meta:
        verbose_name = _("vaccination")
        ordering = ["-date"]
        constraints = [
            # One injection a day per vaccine among the entries noted in the space, and among
            # those of each document (the carnet shows them as one line).
            models.UniqueConstraint(
                fields=["espace", "famille_empreinte", "date"],
                condition=models.Q(document_uuid__isnull=True),
                name="vaccination_unique_par_jour",
            ),
            models.UniqueConstraint(
                fields=["espace", "document_uuid", "famille_empreinte", "date"],
                condition=models.Q(document_uuid__isnull=False),
                name="vaccination_unique_par_document",
            ),
        ]

    def __str__(self) -> str:
        return "vaccination"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.famille_empreinte = empreinte_vaccin(self.espace_id, self.famille)
        champs = kwargs.get("update_fields")
        if champs is not None and "famille" in champs:
            kwargs["update_fields"] = {*champs, "famille_empreinte"}
        super().save(*args, **kwargs)


def empreinte_vaccin(espace_id: int | None, famille: str) -> str:
    return empreinte_indexee(famille or "", usage="vaccin", portee=espace_id or "")


class TypeMesure(models.TextChoices):
    POIDS = "poids", _("Poids (kg)")
    TAILLE = "taille", _("Taille (cm)")
    TOUR_DE_TAILLE = "tour_taille", _("Tour de taille (cm)")
    TENSION = "tension", _("Tension artérielle (mmHg)")
    FREQUENCE_CARDIAQUE = "frequence", _("Fréquence cardiaque (battements/min)")
    GLYCEMIE = "glycemie", _("Glycémie à jeun (g/L)")
    TEMPERATURE = "temperature", _("Température (°C)")


class Mesure(ElementProfil):
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="mesures")
    type = models.CharField(_("mesure"), max_length=12, choices=TypeMesure.choices)
    # Encrypted numbers (Decimal in Python): charts and checks read them in memory.
    valeur = DecimalChiffre(_("valeur"), max_digits=6, decimal_places=2)
    valeur_basse = DecimalChiffre(
        _("pression diastolique (mmHg)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    date = models.DateField(_("date"))

    class Meta:
        verbose_name = _("mesure")
        ordering = ["type", "-date", "-cree_le"]
        indexes = [models.Index(fields=["espace", "type", "date"])]

    def __str__(self) -> str:
        return "mesure"


class DirectivesAnticipees(models.Model):
    """The holder's advance directives, following the official model form (arrêté du 3 août
    2016): the situation they are written in, wishes about life-sustaining treatments,
    resuscitation, pain relief, where to be cared for, other wishes, date, place, witnesses.
    Everything is free text, encrypted."""

    class Situation(models.TextChoices):
        BONNE_SANTE = "bonne_sante", _("Je pense être en bonne santé")
        MALADIE = "maladie", _("J'ai une maladie grave, ou je suis en fin de vie")

    espace = models.OneToOneField(Espace, on_delete=models.CASCADE, related_name="directives")
    situation = models.CharField(_("ma situation"), max_length=12, choices=Situation.choices)
    traitements = TexteChiffre(
        _("traitements qui me maintiendraient artificiellement en vie"),
        help_text=_("Ventilation, dialyse, alimentation et hydratation artificielles…"),
        blank=True,
        max_length=5000,
    )
    reanimation = TexteChiffre(
        _("réanimation cardiaque et respiratoire"), blank=True, max_length=5000
    )
    douleur = TexteChiffre(
        _("soulagement des souffrances"),
        help_text=_("Sédation profonde et continue jusqu'au décès, antalgiques…"),
        blank=True,
        max_length=5000,
    )
    lieu = TexteChiffre(
        _("le lieu où je souhaite recevoir des soins en fin de vie"), blank=True, max_length=2000
    )
    autres = TexteChiffre(_("mes autres volontés"), blank=True, max_length=5000)
    fait_a = TexteChiffre(_("fait à"), blank=True, max_length=200)
    fait_le = models.DateField(_("fait le"))
    temoins = TexteChiffre(
        _("témoins (si je ne peux pas écrire moi-même)"),
        help_text=_("Nom, prénom et qualité de deux témoins."),
        blank=True,
        max_length=1000,
    )
    modifie_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("directives anticipées")
        verbose_name_plural = _("directives anticipées")

    def __str__(self) -> str:
        return "directives anticipées"


class PersonneConfiance(models.Model):
    espace = models.OneToOneField(
        Espace, on_delete=models.CASCADE, related_name="personne_confiance"
    )
    nom = TexteChiffre(_("nom et prénom"), max_length=200)
    lien = TexteChiffre(_("lien avec moi (parent, proche, médecin…)"), blank=True, max_length=100)
    telephone = TexteChiffre(_("téléphone"), blank=True, max_length=30)
    courriel = TexteChiffre(_("adresse e-mail"), blank=True, max_length=254)
    modifie_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("personne de confiance")

    def __str__(self) -> str:
        return "personne de confiance"


class HabitudesDeVie(models.Model):
    espace = models.OneToOneField(Espace, on_delete=models.CASCADE, related_name="habitudes")
    tabac = TexteChiffre(
        _("tabac"),
        help_text=_("Jamais, arrêté depuis…, cigarettes par jour…"),
        blank=True,
        max_length=1000,
    )
    alcool = TexteChiffre(
        _("alcool"), help_text=_("Verres par semaine…"), blank=True, max_length=1000
    )
    activite = TexteChiffre(_("activité physique"), blank=True, max_length=1000)
    sommeil = TexteChiffre(_("sommeil"), blank=True, max_length=1000)
    alimentation = TexteChiffre(
        _("alimentation"), help_text=_("Régime particulier…"), blank=True, max_length=1000
    )
    modifie_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("habitudes de vie")
        verbose_name_plural = _("habitudes de vie")

    def __str__(self) -> str:
        return "habitudes de vie"


class PositionDon(models.TextChoices):
    ACCEPTE = "accepte", _("J'accepte de donner mes organes et tissus après mon décès")
    REFUSE = "refuse", _("Je refuse (pensez aussi au registre national des refus)")
    NE_SAIT_PAS = "ne_sait_pas", _("Je ne souhaite pas me prononcer")


class DonOrganes(models.Model):
    espace = models.OneToOneField(Espace, on_delete=models.CASCADE, related_name="don_organes")
    position = models.CharField(_("ma position"), max_length=12, choices=PositionDon.choices)
    precision = TexteChiffre(
        _("précisions"),
        help_text=_("Organes ou tissus exclus, don du corps à la science…"),
        blank=True,
        max_length=2000,
    )
    modifie_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("position sur le don d'organes")

    def __str__(self) -> str:
        return "don d'organes"


class PersonneAPrevenir(ElementProfil):
    espace = models.ForeignKey(
        Espace, on_delete=models.CASCADE, related_name="personnes_a_prevenir"
    )
    nom = TexteChiffre(_("nom et prénom"), max_length=200)
    lien = TexteChiffre(_("lien avec moi"), blank=True, max_length=100)
    telephone = TexteChiffre(_("téléphone"), max_length=30)

    class Meta:
        verbose_name = _("personne à prévenir")
        ordering = ["cree_le"]

    def __str__(self) -> str:
        return "personne à prévenir"


# --- "Télécharger toutes mes données" (issue 7 §3) ----------------------------------------------


class ExportDonnees(models.Model):
    """One export of a space, asked for by its holder (or a minor's legal representative): a
    job builds one zip archive, stored encrypted in the vault, downloadable by that person alone
    until ``expire_le``; then the purge deletes its blob (docs/EXPORT.md)."""

    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", _("En attente")
        EN_COURS = "en_cours", _("En cours de préparation")
        PRET = "pret", _("Prêt à télécharger")
        EXPIRE = "expire", _("Expiré")
        ECHEC = "echec", _("Échec")

    EN_SUSPENS = (Etat.EN_ATTENTE, Etat.EN_COURS)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="exports")
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # As what the person asked (titulaire or représentant): the job exports what they may see.
    role = models.CharField(max_length=16)
    etat = models.CharField(max_length=12, choices=Etat.choices, default=Etat.EN_ATTENTE)
    blob = models.OneToOneField(
        "coffre.Blob", on_delete=models.SET_NULL, null=True, blank=True, related_name="export"
    )
    taille = models.BigIntegerField(default=0)
    nb_documents = models.PositiveIntegerField(default=0)
    tentatives = models.PositiveSmallIntegerField(default=0)
    motif_echec = models.CharField(max_length=200, blank=True)
    cree_le = models.DateTimeField(default=timezone.now)
    commence_le = models.DateTimeField(null=True, blank=True)
    pret_le = models.DateTimeField(null=True, blank=True)
    expire_le = models.DateTimeField(null=True, blank=True)
    telecharge_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("export des données")
        verbose_name_plural = _("exports des données")
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["etat", "expire_le"])]
        constraints = [
            # One export waiting or being built per person and space: asking twice queues once.
            models.UniqueConstraint(
                fields=["espace", "demande_par"],
                condition=models.Q(etat__in=["en_attente", "en_cours"]),
                name="export_un_seul_en_suspens",
            ),
        ]

    def __str__(self) -> str:
        return f"export {self.uuid}"

    def telechargeable(self, maintenant: datetime | None = None) -> bool:
        return (
            self.etat == self.Etat.PRET
            and self.blob_id is not None
            and self.expire_le is not None
            and self.expire_le > (maintenant or timezone.now())
        )

    @property
    def en_suspens(self) -> bool:
        return self.etat in self.EN_SUSPENS
