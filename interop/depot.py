"""ITI-65 Provide Document Bundle (PDSm): a transaction Bundle — the SubmissionSet (``List``),
one or more ``DocumentReference`` and their content (a ``Binary`` of the Bundle, or the
attachment's ``data``) — deposited through the same service as the web form.

Everything is checked before anything is stored, for every document of the Bundle: its
structure (R4, with fhir.resources), the patient (the same for every resource, one the
professional may open: otherwise 404, the same for an unknown and a blocked patient), the
type (one a professional deposits), the visibility flags, the size, the file's nature and, for
a CDA, that it is about this patient. A refusal answers an ``OperationOutcome`` and keeps
nothing: 400 malformed, 404 patient, 413 too large, 422 a business rule. Then the documents
are deposited in one transaction, and the answer is a ``transaction-response`` Bundle whose
entries say where each document is and its state (en traitement, disponible, refusé)."""

from __future__ import annotations

import base64
import binascii
import copy
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from dossier import services as documents
from dossier.formats.cda import lecture as lecteur_cda
from dossier.formats.cda.analyse import CDAInvalide
from dossier.models import Document, Nature, Statut
from dossier.types import TYPES
from espace_sante.coffre.services import TropVolumineux
from espace_sante.coffre.televersement import (
    FichierChiffre,
    fichier_chiffre_de,
    limite_televersement,
)
from espace_sante.lib.erreurs import Refus
from espace_sante.lib.http import client_ip
from professionnels.services import MetadonneesDepot, depot_deposer

from .acces import AccesLogiciel, acces_logiciel, espace_par_ins, lire_identifiant_ins
from .api import Appelant, ErreurFhir, reponse_fhir, resultat_operation
from .ressources import INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS, MASQUE_PS

LISTE_SOUMISSION = "submissionset"
FACTICE = "AA=="  # what replaces base64 data while the structure is validated


def _mal_forme(diagnostic: str) -> ErreurFhir:
    return ErreurFhir(400, "structure", diagnostic)


def _regle(diagnostic: str) -> ErreurFhir:
    return ErreurFhir(422, "business-rule", diagnostic)


PATIENT_INCONNU = ErreurFhir(
    404,
    "not-found",
    "Patient inconnu, ou dont l'espace santé ne vous est pas ouvert (autorisation, médecin "
    "traitant ou accès en urgence) : rien n'a été déposé.",
)


@dataclass
class Piece:
    """One document of the Bundle, checked, ready to deposit."""

    entree: int
    type_code: str
    titre: str
    date_acte: date
    media_type: str
    donnees_base64: str
    masque_ps: bool = False
    invisible_patient: bool = False
    invisible_representants: bool = False
    contenu: bytes = b""
    binaire_entree: int | None = None
    document: Document | None = field(default=None)


# --- Reading the Bundle -------------------------------------------------------------------------


def _lire_corps(request: HttpRequest) -> dict[str, Any]:
    try:
        longueur = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        longueur = 0
    if longueur > limite_televersement():
        raise _trop_gros()
    type_contenu = request.content_type or ""
    if type_contenu not in {"application/fhir+json", "application/json"}:
        raise ErreurFhir(
            415, "not-supported", "Envoyez le lot en JSON (Content-Type: application/fhir+json)."
        )
    corps = request.read(limite_televersement() + 1)
    if len(corps) > limite_televersement():
        raise _trop_gros()
    try:
        donnees = json.loads(corps)
    except (UnicodeDecodeError, json.JSONDecodeError) as erreur:
        raise _mal_forme("Le corps de la requête n'est pas un JSON valide.") from erreur
    if not isinstance(donnees, dict):
        raise _mal_forme("Le corps de la requête doit être une ressource Bundle.")
    return donnees


def _trop_gros() -> ErreurFhir:
    mo = settings.VAULT_MAX_UPLOAD // (1024 * 1024)
    return ErreurFhir(
        413, "too-long", f"Un document dépasse la taille maximale de {mo} Mo : rien n'a été gardé."
    )


def _sans_donnees(lot: dict[str, Any]) -> tuple[dict[str, Any], dict[tuple[int, str], str]]:
    """A copy of the Bundle whose base64 payloads are replaced by a placeholder (validating a
    50 MB string against base64's pattern costs more than decoding it), and the payloads by
    (entry, where)."""
    copie = copy.copy(lot)
    donnees: dict[tuple[int, str], str] = {}
    entrees = []
    for rang, entree in enumerate(lot.get("entry") or []):
        ressource = entree.get("resource") if isinstance(entree, dict) else None
        if not isinstance(ressource, dict):
            entrees.append(entree)
            continue
        ressource = dict(ressource)
        if ressource.get("resourceType") == "Binary" and isinstance(ressource.get("data"), str):
            donnees[(rang, "data")] = ressource["data"]
            ressource["data"] = FACTICE
        if ressource.get("resourceType") == "DocumentReference":
            contenus = []
            for i, contenu in enumerate(ressource.get("content") or []):
                piece = (contenu or {}).get("attachment") if isinstance(contenu, dict) else None
                if isinstance(piece, dict) and isinstance(piece.get("data"), str):
                    donnees[(rang, f"content.{i}")] = piece["data"]
                    contenu = {**contenu, "attachment": {**piece, "data": FACTICE}}
                contenus.append(contenu)
            if contenus:
                ressource["content"] = contenus
        entrees.append({**entree, "resource": ressource})
    if "entry" in lot:
        copie["entry"] = entrees
    return copie, donnees


def _valider(lot: dict[str, Any]) -> None:
    """R4 structure (fhir.resources' R4B models read R4 transaction Bundles alike)."""
    if lot.get("resourceType") != "Bundle":
        raise _mal_forme("La ressource envoyée doit être un Bundle de type transaction.")
    try:
        Bundle.model_validate(lot)
    except ValidationError as erreurs:
        details = "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])} : {e['msg']}" for e in erreurs.errors()[:5]
        )
        raise _mal_forme(f"Bundle invalide (FHIR R4) : {details}") from erreurs
    if lot.get("type") != "transaction":
        raise _mal_forme("Le Bundle doit être de type « transaction » (ITI-65).")


def _codes(concepts: Any) -> list[tuple[str, str]]:
    resultat = []
    for concept in concepts if isinstance(concepts, list) else [concepts]:
        for codage in (concept or {}).get("coding") or []:
            resultat.append((codage.get("system") or "", codage.get("code") or ""))
    return resultat


def _date(valeur: Any) -> date | None:
    if not isinstance(valeur, str) or len(valeur) < 10:
        return None
    try:
        if len(valeur) == 10:
            return date.fromisoformat(valeur)
        moment = datetime.fromisoformat(valeur.replace("Z", "+00:00"))
        return timezone.localtime(moment).date() if moment.tzinfo else moment.date()
    except ValueError:
        return None


# --- The patient ----------------------------------------------------------------------------------


def _sujet(reference: Any) -> str:
    """The patient a ``subject`` names, as a key: ``ins:<NIR>`` or ``uuid:<id>``."""
    if not isinstance(reference, dict):
        raise _mal_forme("Chaque ressource du lot doit désigner le patient (subject).")
    identifiant = reference.get("identifier")
    if isinstance(identifiant, dict):
        texte = f"{identifiant.get('system', '')}|{identifiant.get('value', '')}"
    else:
        texte = str(reference.get("reference") or "")
        if texte.startswith("Patient?identifier="):
            texte = texte.removeprefix("Patient?identifier=")
        elif texte.startswith("Patient/"):
            try:
                return f"uuid:{uuid.UUID(texte.removeprefix('Patient/'))}"
            except ValueError as erreur:
                raise PATIENT_INCONNU from erreur
        else:
            raise _mal_forme(
                "Le patient se désigne par son INS : Patient?identifier=urn:oid:…|<INS>."
            )
    ins = lire_identifiant_ins(texte)
    if ins is None:
        raise _mal_forme("Le patient se désigne par son INS (OID 1.2.250.1.213.1.4.8, ou de test).")
    return f"ins:{ins}"


def _acces(appelant: Appelant, cle: str) -> AccesLogiciel:
    genre, _, valeur = cle.partition(":")
    if genre == "ins":
        acces = espace_par_ins(appelant=appelant, ins=valeur)
    else:
        try:
            acces = acces_logiciel(appelant=appelant, espace_uuid=uuid.UUID(valeur))
        except Http404 as refus:
            raise PATIENT_INCONNU from refus
    if acces is None:
        raise PATIENT_INCONNU
    return acces


# --- Each document ------------------------------------------------------------------------------


def _drapeaux(ressource: dict[str, Any]) -> set[str]:
    """The visibility codes (TRE_A07) in ``securityLabel`` or ``meta.security``."""
    codes = {code for _s, code in _codes(ressource.get("securityLabel") or [])}
    codes |= {
        (c or {}).get("code", "") for c in ((ressource.get("meta") or {}).get("security") or [])
    }
    return codes


def _piece(
    rang: int,
    ressource: dict[str, Any],
    binaires: dict[str, tuple[int, dict[str, Any]]],
    donnees: dict[tuple[int, str], str],
) -> Piece:
    numero = f"DocumentReference (entrée {rang + 1})"
    type_code = next((c for _s, c in _codes(ressource.get("type")) if c in TYPES), "")
    if not type_code:
        raise _regle(f"{numero} : type de document inconnu (jeu de valeurs JDV_J07 attendu).")
    if not TYPES[type_code].depot_professionnel:
        raise _regle(
            f"{numero} : un professionnel ne peut pas déposer ce type de document "
            f"(« {TYPES[type_code].libelle} »)."
        )
    contenus = ressource.get("content") or []
    if len(contenus) != 1:
        raise _mal_forme(f"{numero} : une seule pièce jointe (content) par document.")
    piece = contenus[0].get("attachment") or {}
    binaire_entree = None
    if (rang, "content.0") in donnees:
        base64_ = donnees[(rang, "content.0")]
    elif piece.get("url") in binaires:
        binaire_entree, binaire = binaires[piece["url"]]
        base64_ = donnees.get((binaire_entree, "data"), "")
        piece = {"contentType": binaire.get("contentType"), **piece}
    else:
        raise _mal_forme(
            f"{numero} : la pièce jointe doit contenir ses données (data) ou désigner une "
            "ressource Binary du lot (url = fullUrl du Binary)."
        )
    if not base64_:
        raise _regle(f"{numero} : le fichier est vide.")
    drapeaux = _drapeaux(ressource)
    contexte = ressource.get("context") or {}
    date_acte = (
        _date((contexte.get("period") or {}).get("start"))
        or _date(piece.get("creation"))
        or _date(ressource.get("date"))
        or timezone.localdate()
    )
    titre = (
        ressource.get("description")
        or piece.get("title")
        or next(
            (
                c.get("display")
                for c in (ressource.get("type") or {}).get("coding") or []
                if c.get("display")
            ),
            "",
        )
        or TYPES[type_code].libelle
    )
    return Piece(
        entree=rang,
        type_code=type_code,
        titre=str(titre),
        date_acte=date_acte,
        media_type=str(piece.get("contentType") or "application/octet-stream"),
        donnees_base64=base64_,
        masque_ps=MASQUE_PS in drapeaux,
        invisible_patient=INVISIBLE_PATIENT in drapeaux,
        invisible_representants=INVISIBLE_REPRESENTANTS in drapeaux,
        binaire_entree=binaire_entree,
    )


def _decoder(piece: Piece) -> bytes:
    texte = "".join(piece.donnees_base64.split())
    maximum = settings.VAULT_MAX_UPLOAD
    if len(texte) // 4 * 3 > maximum + 3:
        raise _trop_gros()
    try:
        contenu = base64.b64decode(texte, validate=True)
    except (binascii.Error, ValueError) as erreur:
        raise _mal_forme(
            f"DocumentReference (entrée {piece.entree + 1}) : données base64 illisibles."
        ) from erreur
    if len(contenu) > maximum:
        raise _trop_gros()
    if not contenu:
        raise _regle(f"DocumentReference (entrée {piece.entree + 1}) : le fichier est vide.")
    return contenu


def _verifier_contenu(piece: Piece, acces: AccesLogiciel) -> None:
    """The checks the web form's deposit makes at once (the nature), and those ingestion would
    make later but that must refuse now, before anything is kept: a CDA about another person,
    or that does not carry the patient's INS."""
    numero = f"DocumentReference (entrée {piece.entree + 1})"
    try:
        nature = documents.nature_des_octets(piece.contenu)
    except Refus as refus:
        raise _regle(f"{numero} : {refus.message}") from refus
    if nature != Nature.CDA:
        return
    try:
        cda = lecteur_cda.lire_cda(piece.contenu)
    except CDAInvalide as erreur:
        raise _regle(f"{numero} : {erreur.message}") from erreur
    ins = lecteur_cda.ins_du_patient(cda)
    if ins is None:
        raise _regle(f"{numero} : ce document CDA ne porte pas l'INS du patient.")
    if ins != acces.espace.ins:
        raise _regle(
            f"{numero} : ce document concerne une autre personne (INS du patient différent)."
        )


def _fichier(piece: Piece) -> FichierChiffre:
    try:
        return fichier_chiffre_de(piece.contenu, nom=piece.titre, media_type=piece.media_type)
    except TropVolumineux as erreur:
        raise _trop_gros() from erreur


def _deposer(acces: AccesLogiciel, piece: Piece, ip: str | None) -> Document:
    """The web form's deposit service (``professionnels.services.depot_deposer``, the one
    ``professionnels:deposer`` calls), for one checked document; its journal lines name the
    software (the token's access), its source is "api"."""
    return depot_deposer(
        professionnel=acces.professionnel,
        espace=acces.espace,
        fichier=_fichier(piece),
        metadonnees=MetadonneesDepot(
            titre=piece.titre,
            date_acte=piece.date_acte,
            type_code=piece.type_code,
            invisible_patient=piece.invisible_patient,
            masque_ps=piece.masque_ps,
            invisible_representants=piece.invisible_representants,
        ),
        ip=ip,
        acces=acces,
    )


# --- The transaction ------------------------------------------------------------------------------


def _etat(document: Document) -> dict[str, Any]:
    document.refresh_from_db(fields=["statut", "motif_erreur"])
    if document.statut == Statut.EN_ERREUR:
        return resultat_operation(
            "processing",
            f"Document refusé au traitement : {document.motif_erreur}",
            severite="error",
        )
    texte = {
        Statut.DISPONIBLE: "Document disponible dans l'espace santé du patient.",
        Statut.EN_TRAITEMENT: "Document reçu, en cours de traitement.",
    }.get(Statut(document.statut), "Document reçu.")
    return resultat_operation("informational", texte, severite="information")


def lot_recevoir(request: HttpRequest, appelant: Appelant) -> HttpResponse:
    lot = _lire_corps(request)
    structure, donnees = _sans_donnees(lot)
    _valider(structure)
    entrees = [e.get("resource") or {} for e in lot.get("entry") or []]
    adresses = [str(e.get("fullUrl") or "") for e in lot.get("entry") or []]
    for rang, entree in enumerate(lot.get("entry") or []):
        if (entree.get("request") or {}).get("method") != "POST":
            raise _mal_forme(f"Entrée {rang + 1} : seules les créations (POST) sont acceptées.")
    listes = [
        (r, ressource)
        for r, ressource in enumerate(entrees)
        if ressource.get("resourceType") == "List"
        and LISTE_SOUMISSION in {c for _s, c in _codes(ressource.get("code"))}
    ]
    if len(listes) != 1:
        raise _mal_forme(
            "Le lot doit contenir exactement un SubmissionSet (List, code submissionset)."
        )
    references = [
        (r, ressource)
        for r, ressource in enumerate(entrees)
        if ressource.get("resourceType") == "DocumentReference"
    ]
    if not references:
        raise _mal_forme("Le lot ne contient aucun DocumentReference.")
    binaires = {
        adresses[r]: (r, ressource)
        for r, ressource in enumerate(entrees)
        if ressource.get("resourceType") == "Binary" and adresses[r]
    }
    autres = [
        ressource.get("resourceType")
        for ressource in entrees
        if ressource.get("resourceType") not in {"List", "DocumentReference", "Binary"}
    ]
    if autres:
        raise _mal_forme(
            f"Ressource non prise en charge dans le lot : {', '.join(map(str, autres))}."
        )
    sujets = {_sujet(listes[0][1].get("subject"))} | {
        _sujet(ressource.get("subject")) for _r, ressource in references
    }
    if len(sujets) != 1:
        raise _regle("Toutes les ressources du lot doivent concerner le même patient.")
    acces = _acces(appelant, sujets.pop())
    pieces = [_piece(r, ressource, binaires, donnees) for r, ressource in references]
    for piece in pieces:
        piece.contenu = _decoder(piece)
        piece.donnees_base64 = ""
        _verifier_contenu(piece, acces)
    ip = client_ip(request)
    try:
        with transaction.atomic():
            for piece in pieces:
                piece.document = _deposer(acces, piece, ip)
    except Refus as refus:
        raise _regle(refus.message) from refus
    return reponse_fhir(_reponse(entrees, pieces))


def _reponse(entrees: list[dict[str, Any]], pieces: list[Piece]) -> dict[str, Any]:
    maintenant = timezone.now().isoformat(timespec="seconds")
    reponses: list[dict[str, Any]] = [
        {"response": {"status": "201 Created", "lastModified": maintenant}} for _ in entrees
    ]
    for piece in pieces:
        assert piece.document is not None
        document = piece.document
        reponses[piece.entree] = {
            "response": {
                "status": "201 Created",
                "location": f"DocumentReference/{document.uuid}",
                "lastModified": maintenant,
                "outcome": _etat(document),
            }
        }
        if piece.binaire_entree is not None:
            reponses[piece.binaire_entree] = {
                "response": {
                    "status": "201 Created",
                    "location": f"Binary/{document.uuid}",
                    "lastModified": maintenant,
                }
            }
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "transaction-response",
        "entry": reponses,
    }
