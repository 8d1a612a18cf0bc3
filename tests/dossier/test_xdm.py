"""dossier.xdm : lecture durcie des archives IHE XDM (DESIGN.md §8).

Deux sortes de tests : contre les archives du cadre d'interopérabilité (``../shared/data/xdm``,
non copiées dans le projet ; absentes, les tests le disent et passent, sauf en CI où ils
échouent) et contre des archives hostiles fabriquées ici avec ``zipfile``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import stat
import zipfile
from pathlib import Path

import pytest

from dossier.xdm import (
    Archive,
    ArchiveRefusee,
    Code,
    IdentifiantPatient,
    Limites,
    date_hl7,
    lire_archive,
)

from ..conftest import SHARED_DATA, en_ci

XDM = SHARED_DATA / "xdm"
INS = "277076322082910"
OID_INS_NIR_PRODUCTION = "1.2.250.1.213.1.4.8"
OID_INS_NIR_TEST = "1.2.250.1.213.1.4.10"


def _reference(nom: str) -> Path:
    chemin = XDM / nom
    if not chemin.is_file():
        raison = f"Données de référence absentes : {chemin} (attendues dans ../shared/data/xdm/)."
        if en_ci():
            pytest.fail(raison + " Elles sont obligatoires en CI.")
        pytest.skip(raison)
    return chemin


def _lire_reference(nom: str) -> Archive:
    with _reference(nom).open("rb") as flux:
        return lire_archive(flux)


# --- Archives réelles ----------------------------------------------------------------------

FRANCAISES = [
    # (archive, uniqueId du document, typeCode, classCode, uniqueId du lot, SHA-1, taille)
    (
        "CR-BIO_2021.01_PDF.zip",
        "1.2.250.1.213.1.1.9^CR-BIO_2021.01_20210104_008_1",
        "11502-2",
        "10",
        "1.2.250.1.213.1.1.1.1.2021.11.11.637720734024534044",
        "08b0f5f915739a1149b8b2a0cd5225d54f883f8c",
        156545,
    ),
    (
        "LDL-SES_2020.01.zip",
        "1.2.250.1.213.1.1.9^LDL-SES-2020.01_20191203_001_1",
        "11490-0",
        "10",
        "1.2.250.1.213.1.1.1.1.2021.10.10.637692204046099579",
        "362384a910a1b8cb4f72a522c179d5b562018591",
        68842,
    ),
    (
        "VAC-NOTE_2021.01.zip",
        "1.2.3.4^VAC-NOTE_2021.01_20210409_001_1",
        "87273-9",
        "52",
        "1.2.250.1.213.1.1.1.1.2021.11.11.637719849681618113",
        "8ef1520da4b6d22b5e578f6499364870d3a71a6f",
        79426,
    ),
]


@pytest.mark.parametrize(
    ("nom", "unique", "type_code", "classe", "lot", "sha1", "taille"), FRANCAISES
)
def test_archives_francaises(
    nom: str, unique: str, type_code: str, classe: str, lot: str, sha1: str, taille: int
) -> None:
    archive = _lire_reference(nom)
    assert archive.dossier_lot == "IHE_XDM/SUBSET01"
    assert archive.refus == []
    assert archive.soumission.identifiant_unique == lot
    # Les exemples de l'ANS portent l'OID INS-NIR de production, pas celui de test.
    patient = IdentifiantPatient(
        valeur=INS,
        oid=OID_INS_NIR_PRODUCTION,
        type_identifiant="NH",
        brut=f"{INS}^^^&{OID_INS_NIR_PRODUCTION}&ISO^NH",
    )
    assert archive.soumission.patient == patient
    [doc] = archive.documents
    assert doc.identifiant == "documentEntryUUID_00001"
    assert doc.identifiant_unique == unique
    assert doc.patient == patient
    assert doc.type_document is not None and doc.type_document.code == type_code
    assert doc.type_document.systeme == "2.16.840.1.113883.6.1"
    assert doc.classe is not None and doc.classe.code == classe
    assert doc.classe.systeme == "1.2.250.1.213.1.1.4.1"
    assert [c.code for c in doc.confidentialite] == ["N"]
    assert doc.uri == "DOC0001.XML"
    assert doc.chemin == "IHE_XDM/SUBSET01/DOC0001.XML"
    assert doc.type_mime == "text/xml"
    assert doc.empreinte == sha1 and doc.taille == taille
    assert hashlib.sha1(doc.contenu, usedforsecurity=False).hexdigest() == sha1
    assert len(doc.contenu) == taille and doc.verifier() is None
    assert doc.contenu.lstrip().startswith(b"<?xml")
    archive.exiger_patient(INS)
    archive.exiger_patient(INS, OID_INS_NIR_PRODUCTION)
    with pytest.raises(ArchiveRefusee, match="autre personne"):
        archive.exiger_patient(INS, OID_INS_NIR_TEST)
    with pytest.raises(ArchiveRefusee, match="autre personne"):
        archive.exiger_patient("180012B01234567")


def test_cr_bio_detail() -> None:
    archive = _lire_reference("CR-BIO_2021.01_PDF.zip")
    [doc] = archive.documents
    assert doc.titre == "Compte rendu d'examens biologiques"
    assert doc.type_document == Code("11502-2", "2.16.840.1.113883.6.1", "CR d'examens biologiques")
    [auteur] = doc.auteurs
    assert auteur.personne is not None
    assert (auteur.personne.identifiant, auteur.personne.nom, auteur.personne.prenom) == (
        "801234534765",
        "CAMPARINI",
        "Marcel",
    )
    assert auteur.personne.oid == "1.2.250.1.71.4.2.1"
    assert [i.nom for i in auteur.institutions] == ["Laboratoire des charmes"]
    assert auteur.institutions[0].identifiant == "1120459876"
    assert auteur.specialites == (
        Code("G15_10/SM03", "1.2.250.1.213.1.1.4.5", "Médecin - Biologie médicale (SM)"),
    )
    assert doc.date_creation == dt.datetime(2021, 1, 4, 15, 5, 27, tzinfo=dt.UTC)
    assert doc.debut_acte == dt.datetime(2021, 1, 4, 8, 22, tzinfo=dt.UTC)
    assert doc.fin_acte == dt.datetime(2021, 1, 4, 15, 5, tzinfo=dt.UTC)
    assert archive.soumission.date_soumission == dt.datetime(2021, 11, 9, 16, 50, 2, tzinfo=dt.UTC)


def test_archive_nist() -> None:
    archive = _lire_reference("NIST_ToC_Ambulatory.zip")
    assert archive.refus == []
    [doc] = archive.documents
    assert doc.identifiant == "eo1ID"
    assert (
        doc.identifiant_unique == "1.2.840.114350.1.13.252.1.7.2.688879.02004.634308739192149557.11"
    )
    assert doc.patient.valeur == "1" and doc.patient.oid == "2.16.840.1.113883.4.6"
    assert doc.type_document == Code("34133-9", "LOINC", "name")
    assert doc.classe is None and doc.confidentialite == ()
    assert doc.chemin == "IHE_XDM/SUBSET01/TOC_AMBULATORY.XML"
    assert doc.empreinte == "ac858e31fab99a2260ff5f666aca0d3f22c46bfc" and doc.taille == 78021
    assert doc.date_creation == dt.date(2015, 6, 22)
    assert archive.soumission.date_soumission == dt.date(2015, 6, 23)
    # Archive américaine : pas d'INS, la vérification du patient la refuse.
    with pytest.raises(ArchiveRefusee):
        archive.exiger_patient(INS)


# --- Fabrique d'archives -------------------------------------------------------------------

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"


def _slot(nom: str, *valeurs: str) -> str:
    corps = "".join(f"<Value>{v}</Value>" for v in valeurs)
    return f'<Slot name="{nom}"><ValueList>{corps}</ValueList></Slot>'


def _classif(schema: str, code: str, systeme: str = "", *slots: str) -> str:
    s = _slot("codingScheme", systeme) if systeme else ""
    return (
        f'<Classification classificationScheme="urn:uuid:{schema}" classifiedObject="x" '
        f'nodeRepresentation="{code}">{s}{"".join(slots)}</Classification>'
    )


def _fiche(
    ident: str,
    contenu: bytes | None,
    *,
    uri: str | None = None,
    sha1: str | None = None,
    taille: int | None = None,
    patient: str = f"{INS}^^^&amp;{OID_INS_NIR_TEST}&amp;ISO^NH",
    confidentialite: tuple[str, ...] = ("N",),
) -> str:
    slots = []
    if contenu is not None:
        empreinte = sha1 or hashlib.sha1(contenu, usedforsecurity=False).hexdigest().upper()
        slots.append(_slot("hash", empreinte))
        slots.append(_slot("size", str(len(contenu) if taille is None else taille)))
    if uri is not None:
        slots.append(_slot("URI", uri))
    slots.append(_slot("creationTime", "20210101120000+0100"))
    conf = "".join(
        _classif("f4f85eac-e6cb-4883-b524-f2705394840f", c, "1.2.250.1.213.1.1.4.13")
        for c in confidentialite
    )
    auteur = (
        '<Classification classificationScheme="urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d" '
        'classifiedObject="x" nodeRepresentation="">'
        + _slot("authorPerson", "801234567897^DUPONT^Jeanne^^^Dr^^^&amp;1.2.250.1.71.4.2.1&amp;ISO")
        + _slot("authorInstitution", "Cabinet^^^^^&amp;1.2.250.1.71.4.2.2&amp;ISO^IDNST^^^123")
        + "</Classification>"
    )
    return (
        f'<ExtrinsicObject id="{ident}" mimeType="text/xml">'
        + "".join(slots)
        + f'<Name><LocalizedString value="Titre {ident}"/></Name>'
        + _classif("f0306f51-975f-434e-a61c-c59651d33983", "11502-2", "2.16.840.1.113883.6.1")
        + _classif("41a5887f-8865-4c09-adf7-e362475b143a", "10", "1.2.250.1.213.1.1.4.1")
        + conf
        + auteur
        + '<ExternalIdentifier identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"'
        + f' value="{patient}"/>'
        + '<ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"'
        + f' value="1.2.3.{ident}"/>'
        + "</ExtrinsicObject>"
    )


def _metadonnees(*fiches: str, prologue: str = "") -> bytes:
    lot = (
        '<RegistryPackage id="lot">'
        + _slot("submissionTime", "20240102030405")
        + '<ExternalIdentifier identificationScheme="urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"'
        ' value="1.2.3.lot"/>'
        + '<ExternalIdentifier identificationScheme="urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"'
        f' value="{INS}^^^&amp;{OID_INS_NIR_TEST}&amp;ISO^NH"/>' + "</RegistryPackage>"
    )
    return (
        f'{prologue}<lcm:SubmitObjectsRequest xmlns:lcm="{LCM}">'
        f'<RegistryObjectList xmlns="{RIM}">{lot}{"".join(fiches)}</RegistryObjectList>'
        "</lcm:SubmitObjectsRequest>"
    ).encode()


def _zip(entrees: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression) as zf:
        for nom, octets in entrees.items():
            zf.writestr(nom, octets)
    return tampon.getvalue()


def _xdm(*documents: tuple[str, bytes], lot: str = "SUBSET01", meta: bytes | None = None) -> bytes:
    if meta is None:
        meta = _metadonnees(*(_fiche(n, c, uri=n) for n, c in documents))
    entrees = {"README.TXT": b"lisez-moi", f"IHE_XDM/{lot}/METADATA.XML": meta}
    entrees.update({f"IHE_XDM/{lot}/{n}": c for n, c in documents})
    return _zip(entrees)


CDA = b"<?xml version='1.0'?><ClinicalDocument xmlns='urn:hl7-org:v3'/>"


# --- Archives bien formées fabriquées ------------------------------------------------------


def test_dossier_ss000001_et_plusieurs_documents() -> None:
    archive = lire_archive(_xdm(("DOC0001.XML", CDA), ("DOC0002.PDF", b"%PDF"), lot="SS000001"))
    assert archive.dossier_lot == "IHE_XDM/SS000001"
    assert [d.chemin for d in archive.documents] == [
        "IHE_XDM/SS000001/DOC0001.XML",
        "IHE_XDM/SS000001/DOC0002.PDF",
    ]
    assert archive.documents[1].contenu == b"%PDF"
    assert archive.soumission.identifiant_unique == "1.2.3.lot"
    assert archive.soumission.date_soumission == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    doc = archive.documents[0]
    assert doc.patient.oid == OID_INS_NIR_TEST
    assert doc.date_creation == dt.datetime(
        2021, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )
    [auteur] = doc.auteurs
    assert auteur.personne is not None and auteur.personne.prefixe == "Dr"
    assert auteur.institutions[0].nom == "Cabinet"
    archive.exiger_patient(INS, OID_INS_NIR_TEST)


def test_confidentialites_multiples() -> None:
    fiche = _fiche(
        "D1", CDA, uri="D1", confidentialite=("N", "MASQUE_PS", "INVISIBLE_REPRESENTANTS_LEGAUX")
    )
    archive = lire_archive(_xdm(("D1", CDA), meta=_metadonnees(fiche)))
    assert [c.code for c in archive.documents[0].confidentialite] == [
        "N",
        "MASQUE_PS",
        "INVISIBLE_REPRESENTANTS_LEGAUX",
    ]


def test_sans_uri_le_fichier_porte_l_identifiant_de_la_fiche() -> None:
    archive = lire_archive(_xdm(("DOC9", CDA), meta=_metadonnees(_fiche("DOC9", CDA))))
    assert archive.documents[0].chemin == "IHE_XDM/SUBSET01/DOC9"


def test_patient_different_sur_un_document() -> None:
    autre = f"180012B01234567^^^&amp;{OID_INS_NIR_TEST}&amp;ISO^NH"
    meta = _metadonnees(_fiche("A", CDA, uri="A"), _fiche("B", CDA, uri="B", patient=autre))
    archive = lire_archive(_xdm(("A", CDA), ("B", CDA), meta=meta))
    assert archive.patients_differents(INS) == ["B"]
    with pytest.raises(ArchiveRefusee, match="autre personne") as refus:
        archive.exiger_patient(INS)
    assert "(B)" not in str(refus.value)  # no identifier of the archive's entries


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        ("20210101", dt.date(2021, 1, 1)),
        ("202101", dt.date(2021, 1, 1)),
        ("20210101120000", dt.datetime(2021, 1, 1, 12, tzinfo=dt.UTC)),
        ("202101011200-0230", dt.datetime(2021, 1, 1, 14, 30, tzinfo=dt.UTC)),
        ("20211301", None),
        ("hier", None),
        ("", None),
    ],
)
def test_date_hl7(valeur: str, attendu: object) -> None:
    assert date_hl7(valeur) == attendu


# --- Refus par document --------------------------------------------------------------------


def test_empreinte_ou_taille_fausse_refuse_le_seul_document() -> None:
    meta = _metadonnees(
        _fiche("BON", CDA, uri="BON"),
        _fiche("HASH", CDA, uri="HASH", sha1="0" * 40),
        _fiche("TAILLE", CDA, uri="TAILLE", taille=len(CDA) + 1),
        _fiche("ABSENT", CDA, uri="ABSENT"),
        _fiche("EVASION", CDA, uri="../../README.TXT"),
    )
    archive = lire_archive(_xdm(("BON", CDA), ("HASH", CDA), ("TAILLE", CDA), meta=meta))
    assert [d.identifiant for d in archive.documents] == ["BON"]
    motifs = dict(archive.refus)
    assert list(motifs) == ["HASH", "TAILLE", "ABSENT", "EVASION"]
    assert "SHA-1" in motifs["HASH"]
    assert "taille" in motifs["TAILLE"]
    assert "absent" in motifs["ABSENT"]
    assert "invalide" in motifs["EVASION"]
    # Named to a person by rank in the archive, never by the entry's id.
    assert archive.libelle("HASH") == "Document n° 2 de l'archive"
    assert archive.libelle("inconnu") == "Un document de l'archive"


# --- Refus de l'archive entière ------------------------------------------------------------


def _refus(donnees: bytes, motif: str, limites: Limites | None = None) -> None:
    with pytest.raises(ArchiveRefusee, match=motif) as exc:
        lire_archive(donnees, limites=limites or Limites())
    assert exc.value.message


def test_pas_un_zip() -> None:
    _refus(b"ceci n'est pas un zip", "pas une archive zip")
    _refus(b"", "pas une archive zip")


def test_zip_corrompu() -> None:
    donnees = bytearray(_zip({"IHE_XDM/SUBSET01/METADATA.XML": _metadonnees() * 20}))
    debut = donnees.index(b"PK\x03\x04") + 30 + len("IHE_XDM/SUBSET01/METADATA.XML")
    donnees[debut + 10 : debut + 40] = b"\xff" * 30  # flux deflate abîmé
    _refus(bytes(donnees), "corrompue")


@pytest.mark.parametrize(
    "nom", ["../x", "/etc/x", "a\\..\\b", "C:/x", "IHE_XDM/../../x", "IHE_XDM/./x"]
)
def test_noms_dangereux(nom: str) -> None:
    donnees = _zip({nom: b"x", "IHE_XDM/SUBSET01/METADATA.XML": _metadonnees()})
    _refus(donnees, "Nom de fichier dangereux")


def test_lien_symbolique() -> None:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as zf:
        zf.writestr("IHE_XDM/SUBSET01/METADATA.XML", _metadonnees(_fiche("D", CDA, uri="D")))
        lien = zipfile.ZipInfo("IHE_XDM/SUBSET01/D")
        lien.create_system = 3
        lien.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(lien, "/etc/passwd")
    _refus(tampon.getvalue(), "lien symbolique")


def test_trop_d_entrees() -> None:
    entrees = {f"IHE_XDM/SUBSET01/F{i}": b"" for i in range(11)}
    _refus(_zip(entrees), "trop de fichiers", Limites(entrees_max=10))


def test_bombe_de_decompression() -> None:
    zeros = b"\0" * (50 * 1024 * 1024)
    donnees = _xdm(("D", zeros))
    # Taux de compression (~1000×) : refusée avec les limites par défaut, sans tout décompresser.
    _refus(donnees, "anormalement compressé")
    # Taille d'une entrée, puis taille totale, comptées pendant la lecture.
    _refus(donnees, "dépasse la taille permise", Limites(taille_entree_max=1024 * 1024))
    _refus(
        donnees,
        "archive décompressée dépasse",
        Limites(taille_totale_max=40 * 1024 * 1024, ratio_max=10_000),
    )


def test_taille_annoncee_mensongere() -> None:
    """En-têtes qui sous-estiment la taille : la lecture compte les octets et ne les croit pas."""
    gros = b"A" * 200_000
    donnees = bytearray(_xdm(("D", gros)))
    vraie = len(gros).to_bytes(4, "little")
    fausse = (100).to_bytes(4, "little")
    assert donnees.count(vraie) == 2  # en-tête local et répertoire central
    _refus(bytes(donnees).replace(vraie, fausse), "corrompue")


def test_entree_chiffree() -> None:
    donnees = bytearray(_xdm(("D", CDA)))
    central = donnees.index(b"PK\x01\x02")
    donnees[central + 8] |= 0x01  # drapeau « chiffré » du répertoire central
    _refus(bytes(donnees), "chiffré")


def test_metadata_absent() -> None:
    _refus(_zip({"IHE_XDM/SUBSET01/DOC0001.XML": CDA}), "aucun fichier IHE_XDM")
    _refus(_zip({"METADATA.XML": _metadonnees()}), "aucun fichier IHE_XDM")


def test_plusieurs_lots() -> None:
    meta = _metadonnees(_fiche("D", CDA, uri="D"))
    entrees = {"IHE_XDM/SUBSET01/METADATA.XML": meta, "IHE_XDM/SUBSET02/METADATA.XML": meta}
    _refus(_zip(entrees), "plusieurs lots")


def test_metadata_sans_document() -> None:
    _refus(_xdm(meta=_metadonnees()), "aucun document")


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)
ENTITE_EXTERNE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("prologue", [BILLION_LAUGHS, ENTITE_EXTERNE, "<!DOCTYPE x>"])
def test_metadata_dtd_refusee(prologue: str) -> None:
    meta = _metadonnees(_fiche("D", CDA, uri="D"), prologue=prologue)
    _refus(_xdm(("D", CDA), meta=meta), "DTD")


def test_metadata_mal_forme() -> None:
    _refus(_xdm(("D", CDA), meta=b"<SubmitObjectsRequest><pas-ferme>"), "mal formé")
