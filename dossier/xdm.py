"""Lecture sûre des archives IHE XDM (exports du DMP, DESIGN.md §8).

Module pur : ni modèle, ni vue. ``lire_archive`` ouvre le zip avec ``zipfile``, refuse l'archive
entière (``ArchiveRefusee``) quand elle est hostile ou illisible, lit ``METADATA.XML`` avec
``defusedxml`` et rend une ``Archive`` : le lot de soumission, les documents acceptés (métadonnées
XDS + octets) et les documents refusés un à un (empreinte ou taille fausse, fichier absent…).

Ce qu'on ne croit pas : les tailles annoncées par les en-têtes du zip (on compte les octets en
décompressant et on s'arrête au-delà de la limite), les noms d'entrées (chemins relatifs simples
uniquement), les chemins donnés par les métadonnées (``URI``), le XML (pas de DTD ni d'entités).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import posixpath
import re
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, Final

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

__all__ = [
    "Archive",
    "ArchiveRefusee",
    "Auteur",
    "Code",
    "EntreeDocument",
    "IdentifiantPatient",
    "Institution",
    "Limites",
    "Personne",
    "Soumission",
    "date_hl7",
    "lire_archive",
]

MIO: Final = 1024 * 1024

RIM: Final = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
LCM: Final = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"

# Schémas XDS (ITI TF-3 §4.2.5).
DOC_UNIQUE_ID: Final = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
DOC_PATIENT_ID: Final = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DOC_TYPE_CODE: Final = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DOC_CLASS_CODE: Final = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DOC_CONFIDENTIALITE: Final = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
DOC_AUTEUR: Final = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
LOT_UNIQUE_ID: Final = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
LOT_PATIENT_ID: Final = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
LOT_NOEUD: Final = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"

_TAILLE_BLOC: Final = 64 * 1024
_LECTEUR_DISQUE = re.compile(r"^[A-Za-z]:")
_TS_HL7 = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d{1,4})?([+-]\d{4})?$")
_HEX_SHA1 = re.compile(r"^[0-9A-Fa-f]{40}$")


class ArchiveRefusee(Exception):
    """L'archive entière est refusée ; ``message`` est en français, montrable à la personne."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limites:
    entrees_max: int = 2_000
    taille_totale_max: int = 500 * MIO
    taille_entree_max: int = 100 * MIO
    taille_metadonnees_max: int = 20 * MIO
    ratio_max: float = 100.0
    # En deçà, un taux de compression élevé est banal (un petit fichier d'espaces) : pas de refus.
    ratio_a_partir_de: int = 1 * MIO


@dataclass(frozen=True)
class Code:
    code: str
    systeme: str = ""
    libelle: str = ""


@dataclass(frozen=True)
class IdentifiantPatient:
    """Type HL7 CX : ``277076322082910^^^&1.2.250.1.213.1.4.8&ISO^NH``."""

    valeur: str
    oid: str = ""
    type_identifiant: str = ""
    brut: str = ""


@dataclass(frozen=True)
class Personne:
    """Type HL7 XCN (authorPerson)."""

    identifiant: str = ""
    nom: str = ""
    prenom: str = ""
    prefixe: str = ""
    oid: str = ""
    brut: str = ""


@dataclass(frozen=True)
class Institution:
    """Type HL7 XON (authorInstitution)."""

    nom: str
    identifiant: str = ""
    oid: str = ""


@dataclass(frozen=True)
class Auteur:
    personne: Personne | None = None
    institutions: tuple[Institution, ...] = ()
    specialites: tuple[Code, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntreeDocument:
    """Une fiche XDSDocumentEntry (``ExtrinsicObject``) et les octets du document."""

    identifiant: str
    identifiant_unique: str
    patient: IdentifiantPatient
    chemin: str
    type_document: Code | None = None
    classe: Code | None = None
    confidentialite: tuple[Code, ...] = ()
    auteurs: tuple[Auteur, ...] = ()
    titre: str = ""
    type_mime: str = ""
    uri: str = ""
    date_creation: dt.datetime | dt.date | None = None
    debut_acte: dt.datetime | dt.date | None = None
    fin_acte: dt.datetime | dt.date | None = None
    empreinte: str = ""  # SHA-1 hexadécimal en minuscules, tel que donné par les métadonnées
    taille: int | None = None
    contenu: bytes = field(default=b"", repr=False)

    def verifier(self) -> str | None:
        """Motif de refus si le contenu ne correspond pas aux métadonnées, sinon ``None``."""
        if self.taille is not None and self.taille != len(self.contenu):
            return (
                f"Le fichier est incomplet ou abîmé : sa taille ({len(self.contenu)} octets) "
                f"n'est pas celle que l'archive annonce ({self.taille} octets)."
            )
        if self.empreinte:
            calculee = hashlib.sha1(self.contenu, usedforsecurity=False).hexdigest()
            if calculee != self.empreinte:
                return (
                    "Le fichier est abîmé ou a été modifié : son empreinte (SHA-1) n'est pas "
                    "celle que l'archive annonce."
                )
        return None


@dataclass(frozen=True)
class Soumission:
    identifiant_unique: str | None = None
    patient: IdentifiantPatient | None = None
    date_soumission: dt.datetime | dt.date | None = None
    titre: str = ""


@dataclass
class Archive:
    dossier_lot: str  # ex. « IHE_XDM/SUBSET01 »
    soumission: Soumission
    documents: list[EntreeDocument]
    refus: list[tuple[str, str]]  # (identifiant de la fiche, motif)
    # Rang (à partir de 1) de chaque fiche dans METADATA.XML, par identifiant de fiche.
    rangs: dict[str, int] = field(default_factory=dict)

    def libelle(self, identifiant: str) -> str:
        """Comment nommer une fiche à la personne : par son rang dans l'archive, jamais par ses
        identifiants XDS (ni son titre, qui dit quelque chose de sa santé et serait en clair
        dans le rapport)."""
        rang = self.rangs.get(identifiant)
        return f"Document n° {rang} de l'archive" if rang else "Un document de l'archive"

    def patients_differents(self, ins: str, oid: str | None = None) -> list[str]:
        """Identifiants des fiches (et « lot de soumission ») dont le patient n'est pas ``ins``."""
        ecarts: list[str] = []
        if self.soumission.patient is not None and not _meme_patient(
            self.soumission.patient, ins, oid
        ):
            ecarts.append("lot de soumission")
        ecarts.extend(
            d.identifiant for d in self.documents if not _meme_patient(d.patient, ins, oid)
        )
        return ecarts

    def exiger_patient(self, ins: str, oid: str | None = None) -> None:
        """Refuse l'archive entière si un document (ou le lot) concerne un autre patient."""
        ecarts = self.patients_differents(ins, oid)
        if ecarts:
            raise ArchiveRefusee(
                "L'archive concerne une autre personne que celle de cet espace : rien n'est gardé."
            )


def _meme_patient(patient: IdentifiantPatient, ins: str, oid: str | None) -> bool:
    return patient.valeur == ins and (oid is None or patient.oid == oid)


# --- Zip -------------------------------------------------------------------------------------


def lire_archive(flux: BinaryIO | bytes, *, limites: Limites = Limites()) -> Archive:
    """Lit une archive XDM ; lève ``ArchiveRefusee`` si elle est à refuser en entier."""
    source: IO[bytes] = io.BytesIO(flux) if isinstance(flux, bytes | bytearray) else flux
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise ArchiveRefusee("Le fichier n'est pas une archive zip lisible.") from exc
    with zf:
        lecteur = _Lecteur(zf, limites)
        return lecteur.lire()


class _Lecteur:
    def __init__(self, zf: zipfile.ZipFile, limites: Limites) -> None:
        self.zf = zf
        self.limites = limites
        self.lus = 0  # octets décompressés depuis le début, toutes entrées confondues
        self.entrees: dict[str, zipfile.ZipInfo] = {}

    def lire(self) -> Archive:
        self._controler_entrees()
        chemin_meta = self._trouver_metadonnees()
        dossier = posixpath.dirname(chemin_meta)
        octets = self._lire_entree(chemin_meta, self.limites.taille_metadonnees_max)
        racine = _analyser_xml(octets)
        soumission = _soumission(racine)
        documents: list[EntreeDocument] = []
        refus: list[tuple[str, str]] = []
        objets = list(racine.iter(f"{{{RIM}}}ExtrinsicObject"))
        if not objets:
            raise ArchiveRefusee("METADATA.XML ne décrit aucun document.")
        autonomes = _classifications_autonomes(racine)
        rangs: dict[str, int] = {}
        for rang, objet in enumerate(objets, start=1):
            identifiant = objet.get("id") or "(sans identifiant)"
            rangs.setdefault(identifiant, rang)
            try:
                documents.append(self._document(objet, dossier, autonomes))
            except _DocumentRefuse as exc:
                refus.append((identifiant, str(exc)))
        return Archive(
            dossier_lot=dossier,
            soumission=soumission,
            documents=documents,
            refus=refus,
            rangs=rangs,
        )

    def _controler_entrees(self) -> None:
        infos = self.zf.infolist()
        if len(infos) > self.limites.entrees_max:
            raise ArchiveRefusee(
                f"L'archive contient trop de fichiers ({len(infos)}, au plus "
                f"{self.limites.entrees_max})."
            )
        annonce = 0
        for info in infos:
            nom = info.filename
            if not _nom_sur(nom):
                raise ArchiveRefusee(f"Nom de fichier dangereux dans l'archive : {nom!r}.")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ArchiveRefusee(f"L'archive contient un lien symbolique : {nom!r}.")
            if info.flag_bits & 0x1:
                raise ArchiveRefusee(f"L'archive contient un fichier chiffré : {nom!r}.")
            if nom in self.entrees:
                raise ArchiveRefusee(f"L'archive contient deux fois le fichier {nom!r}.")
            self.entrees[nom] = info
            annonce += info.file_size
        # Les tailles annoncées ne prouvent rien, mais une annonce excessive suffit à refuser.
        if annonce > self.limites.taille_totale_max:
            raise ArchiveRefusee(_trop_gros_total(self.limites))

    def _trouver_metadonnees(self) -> str:
        candidats = sorted(
            nom
            for nom in self.entrees
            if (parties := nom.split("/"))
            and len(parties) == 3
            and parties[0].upper() == "IHE_XDM"
            and parties[1]
            and parties[2].upper() == "METADATA.XML"
        )
        if not candidats:
            raise ArchiveRefusee("Archive XDM invalide : aucun fichier IHE_XDM/<lot>/METADATA.XML.")
        if len(candidats) > 1:
            raise ArchiveRefusee(
                "L'archive contient plusieurs lots de soumission ; un seul est pris en charge."
            )
        return candidats[0]

    def _lire_entree(self, nom: str, taille_max: int) -> bytes:
        info = self.entrees[nom]
        plafond = min(taille_max, self.limites.taille_entree_max)
        compresse = max(info.compress_size, 1)
        morceaux: list[bytes] = []
        lus = 0
        try:
            with self.zf.open(info) as entree:
                while bloc := entree.read(_TAILLE_BLOC):
                    lus += len(bloc)
                    self.lus += len(bloc)
                    if lus > plafond:
                        raise ArchiveRefusee(
                            f"Le fichier {nom!r} dépasse la taille permise ({plafond} octets)."
                        )
                    if self.lus > self.limites.taille_totale_max:
                        raise ArchiveRefusee(_trop_gros_total(self.limites))
                    if (
                        lus > self.limites.ratio_a_partir_de
                        and lus / compresse > self.limites.ratio_max
                    ):
                        raise ArchiveRefusee(
                            f"Le fichier {nom!r} est anormalement compressé "
                            "(bombe de décompression probable)."
                        )
                    morceaux.append(bloc)
        except (zipfile.BadZipFile, EOFError, zlib.error, OSError, ValueError) as exc:
            raise ArchiveRefusee(f"Archive corrompue : le fichier {nom!r} est illisible.") from exc
        except (NotImplementedError, RuntimeError) as exc:
            raise ArchiveRefusee(
                f"Le fichier {nom!r} utilise une compression ou un chiffrement non pris en charge."
            ) from exc
        return b"".join(morceaux)

    def _document(
        self, objet: Any, dossier: str, autonomes: dict[str, list[Any]]
    ) -> EntreeDocument:
        identifiant = objet.get("id") or ""
        classifications = [
            *objet.findall(f"{{{RIM}}}Classification"),
            *autonomes.get(identifiant, []),
        ]
        identifiants = _identifiants_externes(objet)
        unique = identifiants.get(DOC_UNIQUE_ID, "").strip()
        if not unique:
            raise _DocumentRefuse("Métadonnées incomplètes : uniqueId absent.")
        brut_patient = identifiants.get(DOC_PATIENT_ID, "").strip()
        if not brut_patient:
            raise _DocumentRefuse("Métadonnées incomplètes : patientId absent.")
        emplacements = _slots(objet)
        uri = _premiere(emplacements, "URI")
        chemin = self._chemin_document(dossier, uri or identifiant)
        empreinte = _premiere(emplacements, "hash").lower()
        if empreinte and not _HEX_SHA1.match(empreinte):
            raise _DocumentRefuse("Métadonnées invalides : empreinte SHA-1 mal formée.")
        taille_texte = _premiere(emplacements, "size")
        taille: int | None = None
        if taille_texte:
            if not taille_texte.isdigit():
                raise _DocumentRefuse("Métadonnées invalides : taille mal formée.")
            taille = int(taille_texte)
        contenu = self._lire_entree(chemin, self.limites.taille_entree_max)
        entree = EntreeDocument(
            identifiant=identifiant,
            identifiant_unique=unique,
            patient=_cx(brut_patient),
            chemin=chemin,
            type_document=_premier_code(classifications, DOC_TYPE_CODE),
            classe=_premier_code(classifications, DOC_CLASS_CODE),
            confidentialite=tuple(_codes(classifications, DOC_CONFIDENTIALITE)),
            auteurs=tuple(
                _auteur(c) for c in classifications if c.get("classificationScheme") == DOC_AUTEUR
            ),
            titre=_nom(objet),
            type_mime=objet.get("mimeType") or "",
            uri=uri,
            date_creation=date_hl7(_premiere(emplacements, "creationTime")),
            debut_acte=date_hl7(_premiere(emplacements, "serviceStartTime")),
            fin_acte=date_hl7(_premiere(emplacements, "serviceStopTime")),
            empreinte=empreinte,
            taille=taille,
            contenu=contenu,
        )
        motif = entree.verifier()
        if motif:
            raise _DocumentRefuse(motif)
        return entree

    def _chemin_document(self, dossier: str, relatif: str) -> str:
        if not relatif or not _nom_sur(relatif) or relatif.endswith("/"):
            raise _DocumentRefuse(
                f"Chemin de document invalide dans les métadonnées : {relatif!r}."
            )
        chemin = f"{dossier}/{relatif}"
        if chemin not in self.entrees:
            raise _DocumentRefuse(f"Fichier du document absent de l'archive : {relatif!r}.")
        return chemin


class _DocumentRefuse(Exception):
    pass


def _trop_gros_total(limites: Limites) -> str:
    return (
        "L'archive décompressée dépasse la taille permise "
        f"({limites.taille_totale_max} octets au plus)."
    )


def _nom_sur(nom: str) -> bool:
    """Chemin relatif simple : ni absolu, ni ``..``, ni barre inverse, ni lecteur, ni NUL."""
    if not nom or "\\" in nom or "\x00" in nom or nom.startswith("/"):
        return False
    if _LECTEUR_DISQUE.match(nom):
        return False
    return all(partie not in {"..", "."} for partie in nom.rstrip("/").split("/"))


# --- XML -------------------------------------------------------------------------------------


def _analyser_xml(octets: bytes) -> Any:
    try:
        return DET.fromstring(octets, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ArchiveRefusee(
            "METADATA.XML refusé : déclarations DTD, entités ou références externes interdites."
        ) from exc
    except (DET.ParseError, ValueError) as exc:
        raise ArchiveRefusee("METADATA.XML est un XML mal formé.") from exc


def _slots(element: Any) -> dict[str, list[str]]:
    resultat: dict[str, list[str]] = {}
    for slot in element.findall(f"{{{RIM}}}Slot"):
        valeurs = [
            (v.text or "").strip() for v in slot.iterfind(f"{{{RIM}}}ValueList/{{{RIM}}}Value")
        ]
        resultat.setdefault(slot.get("name") or "", []).extend(valeurs)
    return resultat


def _premiere(emplacements: dict[str, list[str]], nom: str) -> str:
    valeurs = emplacements.get(nom) or [""]
    return valeurs[0]


def _nom(element: Any) -> str:
    chaine = element.find(f"{{{RIM}}}Name/{{{RIM}}}LocalizedString")
    return (chaine.get("value") or "").strip() if chaine is not None else ""


def _identifiants_externes(element: Any) -> dict[str, str]:
    return {
        e.get("identificationScheme") or "": e.get("value") or ""
        for e in element.findall(f"{{{RIM}}}ExternalIdentifier")
    }


def _classifications_autonomes(racine: Any) -> dict[str, list[Any]]:
    """Classifications placées hors de l'objet classé (au niveau de RegistryObjectList)."""
    resultat: dict[str, list[Any]] = {}
    for liste in racine.iter(f"{{{RIM}}}RegistryObjectList"):
        for c in liste.findall(f"{{{RIM}}}Classification"):
            resultat.setdefault(c.get("classifiedObject") or "", []).append(c)
    return resultat


def _codes(classifications: list[Any], schema: str) -> Iterator[Code]:
    for c in classifications:
        if c.get("classificationScheme") != schema:
            continue
        code = (c.get("nodeRepresentation") or "").strip()
        if code:
            yield Code(code=code, systeme=_premiere(_slots(c), "codingScheme"), libelle=_nom(c))


def _premier_code(classifications: list[Any], schema: str) -> Code | None:
    return next(_codes(classifications, schema), None)


def _auteur(classification: Any) -> Auteur:
    emplacements = _slots(classification)
    personne = _premiere(emplacements, "authorPerson")
    return Auteur(
        personne=_xcn(personne) if personne else None,
        institutions=tuple(_xon(v) for v in emplacements.get("authorInstitution", []) if v),
        specialites=tuple(_ce(v) for v in emplacements.get("authorSpecialty", []) if v),
        roles=tuple(v for v in emplacements.get("authorRole", []) if v),
    )


def _soumission(racine: Any) -> Soumission:
    paquets = list(racine.iter(f"{{{RIM}}}RegistryPackage"))
    lot = next(
        (p for p in paquets if LOT_UNIQUE_ID in _identifiants_externes(p)),
        next(
            (
                p
                for p in paquets
                for c in p.findall(f"{{{RIM}}}Classification")
                if c.get("classificationNode") == LOT_NOEUD
            ),
            None,
        ),
    )
    if lot is None:
        return Soumission()
    identifiants = _identifiants_externes(lot)
    patient = identifiants.get(LOT_PATIENT_ID, "").strip()
    return Soumission(
        identifiant_unique=identifiants.get(LOT_UNIQUE_ID, "").strip() or None,
        patient=_cx(patient) if patient else None,
        date_soumission=date_hl7(_premiere(_slots(lot), "submissionTime")),
        titre=_nom(lot),
    )


# --- Types HL7 v2 ----------------------------------------------------------------------------


def _composants(valeur: str) -> list[str]:
    return [c.strip() for c in valeur.split("^")]


def _autorite(composant: str) -> str:
    """``&1.2.250.1.213.1.4.8&ISO`` → ``1.2.250.1.213.1.4.8``."""
    sous = composant.split("&")
    return sous[1].strip() if len(sous) > 1 else ""


def _cx(valeur: str) -> IdentifiantPatient:
    c = _composants(valeur) + [""] * 5
    return IdentifiantPatient(valeur=c[0], oid=_autorite(c[3]), type_identifiant=c[4], brut=valeur)


def _xcn(valeur: str) -> Personne:
    c = _composants(valeur) + [""] * 9
    return Personne(
        identifiant=c[0], nom=c[1], prenom=c[2], prefixe=c[5], oid=_autorite(c[8]), brut=valeur
    )


def _xon(valeur: str) -> Institution:
    c = _composants(valeur) + [""] * 10
    return Institution(nom=c[0], identifiant=c[9], oid=_autorite(c[5]))


def _ce(valeur: str) -> Code:
    c = _composants(valeur) + [""] * 3
    return Code(code=c[0], libelle=c[1], systeme=c[2])


def date_hl7(valeur: str) -> dt.datetime | dt.date | None:
    """TS HL7 (``20210101``, ``20210101120000``, ``20210101120000+0100``) ; UTC par défaut (XDS).

    Une date seule (8 chiffres au plus) donne une ``date`` ; sinon un ``datetime`` avec fuseau.
    Valeur absente ou invalide : ``None``.
    """
    m = _TS_HL7.match(valeur.strip())
    if not m:
        return None
    annee, mois, jour, heure, minute, seconde, decalage = m.groups()
    try:
        if heure is None:
            return dt.date(int(annee), int(mois or 1), int(jour or 1))
        fuseau = dt.UTC
        if decalage:
            signe = -1 if decalage[0] == "-" else 1
            minutes = int(decalage[1:3]) * 60 + int(decalage[3:5])
            fuseau = dt.timezone(signe * dt.timedelta(minutes=minutes))
        return dt.datetime(
            int(annee),
            int(mois),
            int(jour),
            int(heure),
            int(minute or 0),
            int(seconde or 0),
            tzinfo=fuseau,
        )
    except ValueError:
        return None
