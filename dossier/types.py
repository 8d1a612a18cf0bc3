"""Document types (CI-SIS value set JDV_J07, plus the French DOCPAT/EXPPAT codes) and the
categories shown to the person (DESIGN.md §3)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Categorie(models.TextChoices):
    ORDONNANCES = "ordonnances", _("Ordonnances & soins")
    BIOLOGIE = "biologie", _("Biologie")
    IMAGERIE = "imagerie", _("Imagerie")
    COMPTES_RENDUS = "comptes_rendus", _("Comptes rendus & hospitalisation")
    VACCINATION = "vaccination", _("Vaccination")
    CERTIFICATS = "certificats", _("Certificats & attestations")
    REMBOURSEMENTS = "remboursements", _("Remboursements")
    MES_DOCUMENTS = "mes_documents", _("Mes documents")


OID_LOINC = "2.16.840.1.113883.6.1"
OID_TYPES_FR = "1.2.250.1.213.1.1.4.12"


@dataclass(frozen=True)
class TypeDocument:
    code: str
    libelle: str
    categorie: Categorie
    systeme: str = OID_LOINC
    depot_patient: bool = False


_O, _B, _I, _C = (
    Categorie.ORDONNANCES,
    Categorie.BIOLOGIE,
    Categorie.IMAGERIE,
    Categorie.COMPTES_RENDUS,
)
_V, _A, _R, _M = (
    Categorie.VACCINATION,
    Categorie.CERTIFICATS,
    Categorie.REMBOURSEMENTS,
    Categorie.MES_DOCUMENTS,
)

_FR = [
    ("DOCPAT01", "Synthèse déposée par le patient", _C, True),
    ("DOCPAT02", "Traitement ou document de soins déposé par le patient", _O, True),
    ("DOCPAT03", "Compte rendu déposé par le patient", _C, True),
    ("DOCPAT04", "Imagerie déposée par le patient", _I, True),
    ("DOCPAT05", "Compte rendu de biologie déposé par le patient", _B, True),
    ("DOCPAT06", "Compte rendu de prévention déposé par le patient", _C, True),
    ("DOCPAT07", "Certificat déposé par le patient", _A, True),
    ("DOCPAT08", "Profil médical Mon espace santé", _M, False),
    ("DOCPAT09", "Document administratif déposé par le patient", _M, True),
    ("EXPPAT_1", "Volontés et droits du patient", _M, False),
    ("EXPPAT_2", "Autre document du patient", _M, True),
    ("EXPPAT_3", "Directives anticipées", _M, True),  # the signed scan, deposited by the holder
    ("REMB", "Données de remboursement", _R, False),
    ("SYNTH", "Synthèse", _C, False),
    ("CERT_DECL", "Certificat, déclaration", _A, False),
    ("ATTEST-DROITS-AM", "Attestation de droits à l'assurance maladie", _A, False),
    ("ATTEST-ASS-COMPL", "Attestation assurance complémentaire", _A, False),
    ("PRESC-AAT", "Prescription d'arrêt de travail", _O, False),
    ("PRESC-BIO", "Prescription d'actes de biologie médicale", _O, False),
    ("PRESC-KINE", "Prescription d'actes de kinésithérapie", _O, False),
    ("PRESC-INF", "Prescription d'actes infirmiers", _O, False),
    ("PROT_ALD", "Protocole de soins ALD", _O, False),
    ("DISP_AUT", "Dispensation (autre)", _O, False),
]

_LOINC = [
    ("11369-6", "Historique des vaccinations", _V),
    ("87273-9", "Note de vaccination", _V),
    ("96874-3", "Attestation de vaccination COVID-19", _V),
    ("11502-2", "Compte rendu d'examens biologiques", _B),
    ("51969-4", "Compte rendu de génétique moléculaire", _B),
    ("60568-3", "Compte rendu d'anatomie et de cytologie pathologiques", _B),
    ("18748-4", "Compte rendu d'imagerie médicale", _I),
    ("55115-0", "Demande d'actes d'imagerie", _I),
    ("52040-3", "Image d'illustration non DICOM", _I),
    ("57833-6", "Prescription de produits de santé", _O),
    ("57832-8", "Prescription de soins", _O),
    ("57828-6", "Prescription (autre)", _O),
    ("60593-1", "Dispensation médicamenteuse", _O),
    ("18776-5", "Plan personnalisé de soins", _O),
    ("77604-7", "Planification thérapeutique", _O),
    ("11488-4", "Compte rendu de consultation", _C),
    ("11490-0", "Lettre de liaison à la sortie d'un établissement de soins", _C),
    ("34112-3", "Compte rendu hospitalier (séjour)", _C),
    ("15507-7", "Compte rendu de passage aux urgences", _C),
    ("15508-5", "Compte rendu d'accouchement", _C),
    ("34874-8", "Compte rendu opératoire", _C),
    ("34133-9", "Synthèse d'épisode de soins", _C),
    ("60591-5", "Synthèse médicale", _C),
    ("11505-5", "Compte rendu d'acte thérapeutique", _C),
    ("70004-7", "Compte rendu d'acte diagnostique", _C),
    ("77436-4", "Compte rendu d'anesthésie", _C),
    ("34749-2", "Compte rendu de consultation pré-anesthésique", _C),
    ("57055-6", "Synthèse anténatale", _C),
    ("68599-0", "Synthèse psychiatrique", _C),
    ("83901-9", "Bilan psychologique", _C),
    ("28617-9", "Bilan bucco-dentaire", _C),
    ("83836-7", "Schéma dentaire", _C),
    ("74207-2", "Document de liaison d'urgence", _C),
    ("60280-5", "Fiche de retour du service des urgences", _C),
    ("61357-0", "Intervention pharmaceutique", _O),
    ("78601-2", "Compte rendu d'entretien pharmaceutique", _O),
    ("89601-9", "Certificat médical", _A),
    ("86531-1", "Attestation de sortie", _A),
    ("59284-0", "Attestation de consentement", _A),
    ("51851-4", "Document administratif", _M),
]

TYPES: dict[str, TypeDocument] = {
    **{
        code: TypeDocument(code, libelle, categorie, OID_TYPES_FR, depot)
        for code, libelle, categorie, depot in _FR
    },
    **{code: TypeDocument(code, libelle, categorie) for code, libelle, categorie in _LOINC},
}

TYPES_DEPOT_PATIENT = [t for t in TYPES.values() if t.depot_patient]
TYPE_PAR_DEFAUT_PATIENT = "EXPPAT_2"


def type_document(code: str) -> TypeDocument | None:
    return TYPES.get(code)


def categorie_de(code: str, *, depot_patient: bool = False) -> Categorie:
    """The category of a type; an unknown type goes to "Mes documents" for a patient's deposit
    and to "Comptes rendus" otherwise."""
    connu = TYPES.get(code)
    if connu is not None:
        return connu.categorie
    return Categorie.MES_DOCUMENTS if depot_patient else Categorie.COMPTES_RENDUS
