"""The FHIR endpoints (docs/API.md). Each one: the caller from its token (``vue_fhir``), the
space through the access package, the documents through the same selectors as the web pages,
the same journal as the web ("… via le logiciel X")."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone

from dossier.models import Document
from dossier.reponses import reponse_contenu
from dossier.selectors import document_pour_acteur
from espace_sante.acces import marque_secret
from espace_sante.journal.models import Action
from espace_sante.lib.http import client_ip
from professionnels import consultations

from . import depot
from .acces import AccesLogiciel, acces_logiciel, espace_par_ins, lire_identifiant_ins
from .api import DEPOT, LECTURE, Appelant, ErreurFhir, reponse_erreur, reponse_fhir, vue_fhir
from .capacite import PAR_TYPE, declaration_capacites
from .ressources import STATUTS_SERVIS, patient, reference_document, url_absolue
from .selectors import Recherche, documents_api

PAGE_PAR_DEFAUT = 20


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _parametres(request: HttpRequest, type_ressource: str) -> dict[str, list[str]]:
    """The query's parameters, each a list; an unknown one is refused (400) rather than
    ignored: a filter the server would drop silently would return more than was asked."""
    connus = PAR_TYPE[type_ressource].noms_parametres
    inconnus = sorted(set(request.GET) - connus)
    if inconnus:
        raise ErreurFhir(
            400,
            "not-supported",
            f"Paramètre de recherche non pris en charge : {', '.join(inconnus)}.",
        )
    return {nom: request.GET.getlist(nom) for nom in request.GET}


def _entier(valeurs: list[str], *, defaut: int, minimum: int, maximum: int, nom: str) -> int:
    if not valeurs:
        return defaut
    try:
        valeur = int(valeurs[-1])
    except ValueError as erreur:
        raise ErreurFhir(400, "invalid", f"{nom} doit être un nombre entier.") from erreur
    return max(minimum, min(valeur, maximum))


def _ensemble(
    request: HttpRequest, entrees: list[dict[str, Any]], *, total: int, liens: dict[str, str]
) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": timezone.now().isoformat(timespec="seconds")},
        "type": "searchset",
        "total": total,
        "link": [{"relation": relation, "url": url} for relation, url in liens.items()],
        "entry": entrees,
    }


def _entree(url: str, ressource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": url, "resource": ressource, "search": {"mode": "match"}}


@vue_fhir(methodes=("GET",), scope=None)
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: public, as FHIR wants it (it names no patient)."""
    return reponse_fhir(declaration_capacites(base=_base(request)))


@vue_fhir(methodes=("GET",), scope=LECTURE)
def patients(request: HttpRequest, appelant: Appelant) -> HttpResponse:
    """``Patient?identifier=<INS>``: the patient if the professional may open their space
    (authorisation, médecin traitant, running emergency), else an empty searchset — the same
    as for an INS nobody has."""
    parametres = _parametres(request, "Patient")
    valeurs = parametres.get("identifier", [])
    if len(valeurs) != 1:
        raise ErreurFhir(400, "required", "Indiquez un identifiant : identifier=<système>|<INS>.")
    ins = lire_identifiant_ins(valeurs[0])
    acces = espace_par_ins(appelant=appelant, ins=ins) if ins else None
    entrees = []
    if acces is not None:
        entrees.append(
            _entree(url_absolue(request, "patient", acces.espace.uuid), patient(acces.espace))
        )
    return reponse_fhir(
        _ensemble(
            request, entrees, total=len(entrees), liens={"self": request.build_absolute_uri()}
        )
    )


@vue_fhir(methodes=("GET",), scope=LECTURE)
def patient_lire(request: HttpRequest, appelant: Appelant, espace_uuid: uuid.UUID) -> HttpResponse:
    """What ``DocumentReference.subject`` points to: 404 unless the professional may open it."""
    acces = acces_logiciel(appelant=appelant, espace_uuid=espace_uuid)
    return reponse_fhir(patient(acces.espace))


def _acces_recherche(appelant: Appelant, parametres: dict[str, list[str]]) -> AccesLogiciel | None:
    identifiants = parametres.get("patient.identifier", [])
    references = parametres.get("patient", [])
    if len(identifiants) + len(references) != 1:
        raise ErreurFhir(
            400,
            "required",
            "Indiquez le patient : patient.identifier=<système>|<INS> ou patient=Patient/<id>.",
        )
    if identifiants:
        ins = lire_identifiant_ins(identifiants[0])
        return espace_par_ins(appelant=appelant, ins=ins) if ins else None
    try:
        espace_uuid = uuid.UUID(references[0].removeprefix("Patient/"))
    except ValueError:
        return None
    try:
        return acces_logiciel(appelant=appelant, espace_uuid=espace_uuid)
    except Http404:
        return None


@vue_fhir(methodes=("GET",), scope=LECTURE)
def references(request: HttpRequest, appelant: Appelant) -> HttpResponse:
    """ITI-67 Find Document References: the documents of the patient's space the professional
    may read, filtered, newest deposit first, by pages (``_count``, ``_offset``; links
    ``self``, ``next``, ``previous``). A patient they may not open: an empty searchset."""
    parametres = _parametres(request, "DocumentReference")
    recherche = Recherche.lire(
        status=parametres.get("status", []),
        types=parametres.get("type", []),
        category=parametres.get("category", []),
        dates=parametres.get("date", []),
        auteur=parametres.get("author.identifier", []),
    )
    compte = _entier(
        parametres.get("_count", []),
        defaut=PAGE_PAR_DEFAUT,
        minimum=1,
        maximum=settings.FHIR_PAGE_MAX,
        nom="_count",
    )
    rang = _entier(parametres.get("_offset", []), defaut=0, minimum=0, maximum=10**9, nom="_offset")
    acces = _acces_recherche(appelant, parametres)
    base = request.build_absolute_uri(request.path)
    requete = {
        nom: valeurs for nom, valeurs in parametres.items() if nom not in {"_count", "_offset"}
    }

    def lien(debut: int) -> str:
        return (
            f"{base}?{urlencode({**requete, '_count': [compte], '_offset': [debut]}, doseq=True)}"
        )

    if acces is None:
        return reponse_fhir(_ensemble(request, [], total=0, liens={"self": lien(rang)}))
    documents = documents_api(acces=acces, recherche=recherche)
    total = documents.count()
    page = list(documents[rang : rang + compte])
    consultations.consultation_tracer(
        acces=acces, action=Action.DOSSIER_CONSULTE, ip=client_ip(request)
    )
    liens = {"self": lien(rang)}
    if rang + compte < total:
        liens["next"] = lien(rang + compte)
    if rang > 0:
        liens["previous"] = lien(max(rang - compte, 0))
    entrees = [
        _entree(url_absolue(request, "reference", d.uuid), reference_document(request, d))
        for d in page
    ]
    return reponse_fhir(_ensemble(request, entrees, total=total, liens=liens))


def _document(appelant: Appelant, document_uuid: uuid.UUID) -> tuple[AccesLogiciel, Any]:
    """The document and the access it is read through, or 404: its space must be one the
    professional may open, and the document one they may read there (the web's selector)."""
    espace_uuid = (
        Document.objects.filter(uuid=document_uuid, statut__in=STATUTS_SERVIS)
        .values_list("espace__uuid", flat=True)
        .first()
    )
    if espace_uuid is None:
        raise ErreurFhir(404, "not-found", "Ressource introuvable.")
    acces = acces_logiciel(appelant=appelant, espace_uuid=espace_uuid)
    document = document_pour_acteur(acces=acces, document_uuid=document_uuid)
    if document.statut not in STATUTS_SERVIS:
        raise ErreurFhir(404, "not-found", "Ressource introuvable.")
    return acces, document


@vue_fhir(methodes=("GET",), scope=LECTURE)
def reference(request: HttpRequest, appelant: Appelant, document_uuid: uuid.UUID) -> HttpResponse:
    acces, document = _document(appelant, document_uuid)
    consultations.consultation_tracer(
        acces=acces,
        action=Action.DOCUMENT_CONSULTE,
        objet_type="document",
        objet_id=str(document.uuid),
        ip=client_ip(request),
        **marque_secret(document),
    )
    return reponse_fhir(reference_document(request, document))


@vue_fhir(methodes=("GET",), scope=LECTURE)
def binaire(request: HttpRequest, appelant: Appelant, document_uuid: uuid.UUID) -> HttpResponseBase:
    """ITI-68 Retrieve Document: the original file, streamed from the vault (decrypted as it
    goes), with byte ranges (206, 416), journaled as a web download."""
    acces, document = _document(appelant, document_uuid)
    if document.blob is None:
        raise ErreurFhir(404, "not-found", "Ressource introuvable.")
    consultations.consultation_tracer(  # every call, ranges too, as the web's download
        acces=acces,
        action=Action.DOCUMENT_TELECHARGE,
        objet_type="document",
        objet_id=str(document.uuid),
        ip=client_ip(request),
        **marque_secret(document),
    )
    return reponse_contenu(request, acces, document, en_ligne=False)


@vue_fhir(methodes=("POST",), scope=DEPOT)
def transaction(request: HttpRequest, appelant: Appelant) -> HttpResponse:
    """ITI-65 Provide Document Bundle (``depot``)."""
    return depot.lot_recevoir(request, appelant)


def _lot_trop_gros(request: HttpRequest, maximum_mo: float) -> HttpResponse:
    """A body longer than the upload limit, refused before it is read (the portal's body-size
    middleware): an ``OperationOutcome``, as every refusal of the API."""
    return reponse_erreur(
        ErreurFhir(
            413,
            "too-long",
            f"Le lot dépasse la taille maximale de {maximum_mo:.0f} Mo (pièces jointes comprises, "
            "en base64) : rien n'a été gardé. Déposez les documents en plusieurs lots.",
        )
    )


transaction.televersement = True  # type: ignore[attr-defined]
transaction.reponse_413 = _lot_trop_gros  # type: ignore[attr-defined]
