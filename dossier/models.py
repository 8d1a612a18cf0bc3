"""Documents of a space (DESIGN.md §3): metadata here, contents in the vault."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from espace_sante.coffre.champs import TexteChiffre, empreinte_indexee
from espace_sante.coffre.models import Blob
from espace_sante.journal.models import TypeActeur
from profil.models import Espace

from .types import Categorie, TypeDocument, type_declare


class Statut(models.TextChoices):
    EN_TRAITEMENT = "en_traitement", _("En traitement")
    DISPONIBLE = "disponible", _("Disponible")
    EN_ERREUR = "en_erreur", _("En erreur")
    ARCHIVE = "archive", _("Ancienne version")


class Source(models.TextChoices):
    PATIENT = "patient", _("Déposé par le patient")
    PROFESSIONNEL = "professionnel", _("Professionnel de santé")
    IMPORT_DMP = "import_dmp", _("Import du DMP")
    ASSURANCE_MALADIE = "assurance_maladie", _("Assurance Maladie")
    API = "api", _("Logiciel de santé")


class Nature(models.TextChoices):
    """What the file really is, found from its content."""

    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    TIFF = "tiff", "TIFF"
    DICOM = "dicom", "DICOM"
    CDA = "cda", "CDA R2"
    RTF = "rtf", "RTF"
    TEXTE = "texte", _("Texte")
    INCONNUE = "", _("À déterminer")


def empreinte_dossier(espace_id: int | None, nom: str) -> str:
    """The folder's blind index in its space (empty for no folder)."""
    return empreinte_indexee(nom or "", usage="dossier", portee=espace_id or "")


class DocumentQuerySet(models.QuerySet["Document"]):
    def presents(self) -> DocumentQuerySet:
        return self.filter(supprime_le__isnull=True)


class Document(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="documents")
    type_code = models.CharField(_("type"), max_length=64)
    # The type as the document itself states it (its CDA header, its XDS metadata), when it
    # does: what is shown for a code the national value set does not know (docs/TYPES.md).
    # The label is free text, encrypted like the title; the code system is an identifier.
    type_libelle = TexteChiffre(_("libellé du type"), max_length=200, blank=True)
    type_systeme = models.CharField(_("système de codes du type"), max_length=64, blank=True)
    categorie = models.CharField(_("catégorie"), max_length=20, choices=Categorie.choices)
    # What says something about the person's health is encrypted (docs/DOCUMENTS.md): title,
    # author, folder, file name, digest. Ids, dates, type, category and flags stay in clear.
    titre = TexteChiffre(_("titre"), max_length=200)
    date_acte = models.DateField(_("date de l'acte"))
    auteur_type = models.CharField(max_length=16, choices=TypeActeur.choices)
    auteur_id = models.CharField(max_length=64, blank=True)
    auteur_nom = TexteChiffre(_("auteur"), max_length=200)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dossier_utilisateur = TexteChiffre(_("dossier"), max_length=100, blank=True)
    # A keyed digest of the folder's name in this space (``empreinte_dossier``): the lists
    # group and filter by folder in SQL on it. Set by ``save``.
    dossier_empreinte = models.CharField(max_length=64, blank=True, editable=False)
    nom_fichier = TexteChiffre(max_length=255, blank=True)
    blob = models.OneToOneField(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="document"
    )
    nature = models.CharField(max_length=8, choices=Nature.choices, blank=True)
    media_type = models.CharField(max_length=127, blank=True)
    taille = models.BigIntegerField(default=0)
    sha256 = TexteChiffre(max_length=64, blank=True)
    statut = models.CharField(
        max_length=16, choices=Statut.choices, default=Statut.EN_TRAITEMENT, db_index=True
    )
    motif_erreur = models.CharField(max_length=300, blank=True)
    # When the holder's side dismissed the notice of a refused document (``en erreur``).
    refus_vu_le = models.DateTimeField(null=True, blank=True)
    tentatives = models.PositiveSmallIntegerField(default=0)
    # Facts read from the content (page count, DICOM tags, CDA header): encrypted.
    faits = TexteChiffre(blank=True)
    masque_ps = models.BooleanField(_("masqué aux professionnels"), default=False)
    invisible_patient = models.BooleanField(default=False)
    invisible_representants = models.BooleanField(default=False)
    version_precedente = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="version_suivante"
    )
    # The XDS uniqueId of a document imported from the DMP: importing twice adds nothing.
    identifiant_unique = models.CharField(max_length=128, blank=True)
    supprime_le = models.DateTimeField(null=True, blank=True)
    purge_le = models.DateTimeField(null=True, blank=True)
    cree_le = models.DateTimeField(default=timezone.now, db_index=True)
    traite_le = models.DateTimeField(null=True, blank=True)

    objects: Any = DocumentQuerySet.as_manager()
    # Rebuilt by ``rotate_keys --index`` (after SECRET_KEY changed).
    INDEX_AVEUGLES: ClassVar[dict[str, tuple[str, str]]] = {
        "dossier_empreinte": ("dossier_utilisateur", "dossier")
    }

    class Meta:
        verbose_name = _("document")
        ordering = ["-date_acte", "-cree_le"]
        indexes = [
            models.Index(fields=["espace", "supprime_le", "-date_acte", "-cree_le"]),
            models.Index(fields=["espace", "categorie"]),
            models.Index(fields=["espace", "dossier_empreinte"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(masque_ps=True) & models.Q(invisible_patient=True)),
                name="document_masque_ps_ou_invisible_patient",
            ),
            models.UniqueConstraint(
                fields=["espace", "identifiant_unique"],
                condition=~models.Q(identifiant_unique=""),
                name="document_identifiant_unique_par_espace",
            ),
        ]

    def __str__(self) -> str:
        return self.titre

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.dossier_empreinte = empreinte_dossier(self.espace_id, self.dossier_utilisateur)
        champs = kwargs.get("update_fields")
        if champs is not None and "dossier_utilisateur" in champs:
            kwargs["update_fields"] = {*champs, "dossier_empreinte"}
        super().save(*args, **kwargs)

    @property
    def depot_patient(self) -> bool:
        return self.source == Source.PATIENT

    @property
    def type_document(self) -> TypeDocument:
        """Its type: the national table's, or the code and label its document gave."""
        return type_declare(self.type_code, libelle=self.type_libelle, systeme=self.type_systeme)


EXTENSIONS_APERCU = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


class Apercu(models.Model):
    """A rendered image of a document (thumbnail, page, frame) or its embedded PDF: a blob."""

    class Genre(models.TextChoices):
        MINIATURE = "miniature", _("Miniature")
        IMAGE = "image", _("Image")
        PDF = "pdf", _("PDF intégré")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="apercus")
    genre = models.CharField(max_length=10, choices=Genre.choices)
    rang = models.PositiveIntegerField(default=0)
    blob = models.OneToOneField(Blob, on_delete=models.PROTECT, related_name="apercu")

    class Meta:
        ordering = ["genre", "rang"]
        constraints = [
            models.UniqueConstraint(fields=["document", "genre", "rang"], name="apercu_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_genre_display()} {self.rang}"


class ReglagesDossier(models.Model):
    """The holder's choices for their documents."""

    espace = models.OneToOneField(Espace, on_delete=models.CASCADE, related_name="reglages_dossier")
    tout_masque = models.BooleanField(
        _("masquer tout aux professionnels, urgences comprises"), default=False
    )
    masquer_nouveaux = models.BooleanField(
        _("masquer par défaut les nouveaux documents"), default=False
    )

    def __str__(self) -> str:
        return f"réglages de {self.espace}"


class VersionDocuments(models.Model):
    """A token that changes with every write to a space's documents: a row inserted, updated
    or deleted, whatever wrote it (``save``, a queryset's ``update``, ``bulk_create``, SQL).
    Written by database triggers only (migration 0008), never by the application; the list
    pages read it with the space and key the cached summary on it (``dossier/selectors.py``).
    A random token, not a counter: a write rolled back never hands its value to a later one.
    No foreign-key constraint: a space's deletion cascades to its documents, whose triggers
    would otherwise write a row the deletion then refuses."""

    espace = models.OneToOneField(
        Espace,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="version_documents",
    )
    jeton = models.CharField(max_length=36)

    def __str__(self) -> str:
        return f"version des documents de {self.espace_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("VersionDocuments est écrit par les déclencheurs de la base seulement.")


class ImportDMP(models.Model):
    """One DMP archive to import into a space: the archive waits in the vault (encrypted) until
    the job has read it; the report names documents by their XDS uniqueId, never their content."""

    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", _("En attente")
        EN_COURS = "en_cours", _("En cours")
        TERMINE = "termine", _("Terminé")
        REFUSE = "refuse", _("Archive refusée")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="imports_dmp")
    blob = models.OneToOneField(
        Blob, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_dmp"
    )
    etat = models.CharField(max_length=12, choices=Etat.choices, default=Etat.EN_ATTENTE)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rapport = models.JSONField(default=dict, blank=True)
    # Progress, written by the job after each document (the page polls it).
    total = models.PositiveIntegerField(default=0)
    traites = models.PositiveIntegerField(default=0)
    # Keyed digest of the archive's SHA-256 (``empreinte_indexee``, usage "archive-dmp"): the
    # operators' bulk command skips what it already imported.
    empreinte = models.CharField(max_length=64, blank=True, db_index=True)
    par_operateur = models.BooleanField(default=False)
    cree_le = models.DateTimeField(default=timezone.now)
    # Last sign of life of the job (start, each document): the sweep requeues only the silent.
    modifie_le = models.DateTimeField(default=timezone.now)
    termine_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import du DMP")
        verbose_name_plural = _("imports du DMP")
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"import {self.uuid}"


# --- Reimbursement history (issue 7, docs/REMBOURSEMENTS.md) -------------------------------------


class NatureRemboursement(models.TextChoices):
    """The kind of care a reimbursed line is for: coarse enough to stay in clear (it is what
    the page filters and totals by, in SQL), like a document's category."""

    PHARMACIE = "pharmacie", _("Médicaments")
    CONSULTATION = "consultation", _("Soins médicaux")
    DENTAIRE = "dentaire", _("Soins dentaires")
    BIOLOGIE = "biologie", _("Biologie")
    RADIOLOGIE = "radiologie", _("Radiologie")
    HOSPITALISATION = "hospitalisation", _("Hospitalisation")
    DISPOSITIF = "dispositif", _("Dispositifs médicaux")
    AUTRE = "autre", _("Autres soins")


class OrigineRemboursement(models.TextChoices):
    ASSURANCE = "assurance", _("Assurance Maladie (service en ligne)")
    DOCUMENT = "document", _("Document « Données de remboursement »")


class LigneRemboursement(models.Model):
    """One reimbursed care. What identifies the care (label, codes, professional) is encrypted;
    amounts (in integer cents), the date and the coarse kind stay in clear so that the page
    filters, sorts and totals in SQL. ``identifiant`` is the insurer's stable id of the line
    (or, for a line read from a CNAM-HR document, a digest of the entry): retries and
    re-ingestions never add it twice."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="remboursements")
    identifiant = models.CharField(max_length=100)
    origine = models.CharField(max_length=10, choices=OrigineRemboursement.choices)
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True, related_name="remboursements"
    )
    date_soins = models.DateField(_("date des soins"))
    nature = models.CharField(_("nature"), max_length=16, choices=NatureRemboursement.choices)
    libelle = TexteChiffre(_("libellé"), max_length=300)
    # {"systeme": "CIP13"|"CCAM"|"NGAP"|"NABM"|"GHS"|"LPP", "code": "…", "atc": "…"}: encrypted.
    codes = TexteChiffre(blank=True)
    professionnel = TexteChiffre(_("professionnel"), blank=True, max_length=200)
    # A keyed digest of the professional's name, to filter by professional without decrypting.
    professionnel_empreinte = models.CharField(max_length=64, blank=True)
    quantite = models.PositiveIntegerField(default=1)
    paye_centimes = models.BigIntegerField(null=True, blank=True)
    base_centimes = models.BigIntegerField(null=True, blank=True)
    rembourse_centimes = models.BigIntegerField(null=True, blank=True)
    reste_a_charge_centimes = models.BigIntegerField(null=True, blank=True)
    recue_le = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ligne de remboursement")
        verbose_name_plural = _("lignes de remboursement")
        ordering = ["-date_soins", "-id"]
        indexes = [
            models.Index(fields=["espace", "-date_soins", "-id"]),
            models.Index(fields=["espace", "nature"]),
            models.Index(fields=["espace", "professionnel_empreinte"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "identifiant"], name="remboursement_identifiant_par_espace"
            ),
        ]

    def __str__(self) -> str:
        return f"remboursement {self.uuid}"

    @property
    def montants(self) -> dict[str, Decimal | None]:
        """Exact euros (``Decimal``) from the stored cents; ``None`` when not known (a line
        read from a CNAM-HR document has no amounts)."""
        return {
            nom: None if centimes is None else Decimal(centimes).scaleb(-2)
            for nom, centimes in (
                ("paye", self.paye_centimes),
                ("base", self.base_centimes),
                ("rembourse", self.rembourse_centimes),
                ("reste_a_charge", self.reste_a_charge_centimes),
            )
        }


class SynchroRemboursements(models.Model):
    """Where a space's sync with the insurer stands: its cursor, and what went wrong last
    (a reason for operators, never health content)."""

    espace = models.OneToOneField(
        Espace, on_delete=models.CASCADE, related_name="synchro_remboursements"
    )
    curseur = models.CharField(max_length=200, blank=True)
    lignes_recues = models.PositiveIntegerField(default=0)
    lignes_quarantaine = models.PositiveIntegerField(default=0)
    programmee_le = models.DateTimeField(null=True, blank=True, db_index=True)
    debut_derniere = models.DateTimeField(null=True, blank=True)
    derniere_reussite = models.DateTimeField(null=True, blank=True, db_index=True)
    echecs_consecutifs = models.PositiveSmallIntegerField(default=0)
    derniere_erreur = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("synchronisation des remboursements")
        verbose_name_plural = _("synchronisations des remboursements")

    def __str__(self) -> str:
        return f"synchro {self.espace_id}"


class LigneQuarantaine(models.Model):
    """A line from the insurer that could not be read: kept (encrypted: it may hold health
    data) for operators to follow up, with a reason that names fields only."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="+")
    # Keyed digest of the line (``empreinte_indexee``, usage "quarantaine"): one row per line.
    empreinte = models.CharField(max_length=64)
    identifiant = models.CharField(max_length=100, blank=True)
    contenu = TexteChiffre()
    motif = models.CharField(max_length=200)
    curseur = models.CharField(max_length=200, blank=True)
    recue_le = models.DateTimeField(default=timezone.now, db_index=True)
    traitee = models.BooleanField(_("traitée"), default=False)

    class Meta:
        verbose_name = _("ligne de remboursement en quarantaine")
        verbose_name_plural = _("lignes de remboursement en quarantaine")
        ordering = ["-recue_le"]
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "empreinte"], name="quarantaine_empreinte_par_espace"
            ),
        ]

    def __str__(self) -> str:
        return f"quarantaine {self.pk}"


class LectureRemboursementsCDA(models.Model):
    """A CNAM-HR document whose entries were read into reimbursement lines (once)."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, related_name="lecture_remboursements"
    )
    lignes = models.PositiveIntegerField(default=0)
    erreur = models.CharField(max_length=200, blank=True)
    lue_le = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"lecture {self.document_id}"


# --- A DMP import's conflicts (issue 16, docs/IMPORT_DMP.md) -------------------------------------


class ConflitImport(models.Model):
    """A document of a DMP archive whose XDS uniqueId is already in the space with other
    content (a corrected report, say). The incoming document waits encrypted in the vault
    (``blob``) until the holder or a representative decides: import it as a new version of the
    document that carries the uniqueId, or ignore it (the blob is deleted either way). One row
    per space, uniqueId and incoming content: importing the same archive again finds it, and
    a decided conflict is never asked again. What the metadata say of the document (title,
    author, file name) is encrypted like a document's; the content's SHA-256 too, with a keyed
    digest of it (``empreinte``) to find the row in SQL."""

    class Decision(models.TextChoices):
        A_DECIDER = "a_decider", _("À décider")
        NOUVELLE_VERSION = "nouvelle_version", _("Importé comme nouvelle version")
        IGNORE = "ignore", _("Ignoré")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="conflits_import")
    identifiant_unique = models.CharField(max_length=128)
    sha256 = TexteChiffre(max_length=64)
    empreinte = models.CharField(max_length=64, editable=False)
    blob = models.OneToOneField(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="conflit_import"
    )
    titre = TexteChiffre(_("titre"), max_length=200)
    nom_fichier = TexteChiffre(max_length=255, blank=True)
    auteur_nom = TexteChiffre(_("auteur"), max_length=200)
    type_code = models.CharField(_("type"), max_length=64)
    # The type as the archive's metadata state it, kept for a code the national table does not
    # know (as a document keeps it): the new version gets it.
    type_libelle = TexteChiffre(_("libellé du type"), max_length=200, blank=True)
    type_systeme = models.CharField(_("système de codes du type"), max_length=64, blank=True)
    date_acte = models.DateField(_("date de l'acte"))
    media_type = models.CharField(max_length=127, blank=True)
    taille = models.BigIntegerField(default=0)
    masque_ps = models.BooleanField(default=False)
    invisible_patient = models.BooleanField(default=False)
    invisible_representants = models.BooleanField(default=False)
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.A_DECIDER)
    decide_le = models.DateTimeField(null=True, blank=True)
    decide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The new version the decision created.
    document = models.ForeignKey(
        Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cree_le = models.DateTimeField(default=timezone.now)

    # Rebuilt by ``rotate_keys --index`` (after SECRET_KEY changed).
    INDEX_AVEUGLES: ClassVar[dict[str, tuple[str, str]]] = {"empreinte": ("sha256", "conflit-dmp")}

    class Meta:
        verbose_name = _("conflit d'import du DMP")
        verbose_name_plural = _("conflits d'import du DMP")
        ordering = ["cree_le", "id"]
        indexes = [models.Index(fields=["espace", "decision"])]
        constraints = [
            models.UniqueConstraint(
                fields=["espace", "identifiant_unique", "empreinte"],
                name="conflit_import_unique_par_contenu",
            ),
        ]

    def __str__(self) -> str:
        return f"conflit {self.uuid}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.empreinte = empreinte_conflit(self.espace_id, self.sha256)
        super().save(*args, **kwargs)

    @property
    def a_decider(self) -> bool:
        return self.decision == self.Decision.A_DECIDER


def empreinte_conflit(espace_id: int | None, sha256: str) -> str:
    """The keyed digest of an incoming document's SHA-256 in its space (``ConflitImport``)."""
    return empreinte_indexee(sha256, usage="conflit-dmp", portee=espace_id or "")


# --- Lab results read from structured lab reports (issue 16, docs/RESULTATS.md) -----------------


def empreinte_analyse(espace_id: int | None, code: str) -> str:
    """The blind index of an analysis (its LOINC code) in its space: results are grouped,
    filtered and linked by it, without the code in clear."""
    return empreinte_indexee(code, usage="analyse", portee=espace_id or "")


class Resultat(models.Model):
    """One coded observation of a structured lab report (CR-BIO level 3), read at ingestion
    (``dossier/resultats/lecture.py``). What says something about the person's health is
    encrypted: the LOINC code, and the reading itself (``contenu``: label, value, unit,
    reference range, interpretation, method, specimen, as JSON, one decryption per row). In
    clear: the space, the source document, the rank in it, the observation's date (results are
    ordered by it in SQL) and ``analyse``, a keyed digest of the LOINC code in this space (the
    results of one analysis are grouped by it). A result is read through its document
    (``espace_sante.acces.resultats_lisibles``): hidden or deleted with it."""

    espace = models.ForeignKey(Espace, on_delete=models.CASCADE, related_name="resultats")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="resultats")
    rang = models.PositiveIntegerField()
    code = TexteChiffre(max_length=32)
    analyse = models.CharField(max_length=64)
    date_observation = models.DateField()
    contenu = TexteChiffre()

    # Rebuilt by ``rotate_keys --index`` (after SECRET_KEY changed).
    INDEX_AVEUGLES: ClassVar[dict[str, tuple[str, str]]] = {"analyse": ("code", "analyse")}

    class Meta:
        verbose_name = _("résultat de biologie")
        verbose_name_plural = _("résultats de biologie")
        ordering = ["date_observation", "id"]
        indexes = [
            models.Index(
                fields=["espace", "analyse", "date_observation"],
                name="resultat_espace_analyse_date",
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["document", "rang"], name="resultat_rang_par_document")
        ]

    def __str__(self) -> str:
        return f"résultat {self.pk}"


class LectureResultats(models.Model):
    """A document whose lab results were read: how many, and those skipped with the reason in
    plain French (encrypted: a reason names the analysis). Shown on the document's page."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, related_name="lecture_resultats"
    )
    lus = models.PositiveIntegerField(default=0)
    ignores = models.PositiveIntegerField(default=0)
    # [{"analyse": "…", "motif": "…"}…] for the skipped ones: encrypted.
    motifs = TexteChiffre(blank=True)
    lue_le = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"lecture des résultats {self.document_id}"
