"""IDOR sweep (issue 5, point 8): every URL pattern of the project that takes an object id is
requested, by every persona, with the ids of another space's objects — alone, and mixed with
the persona's own space — in GET and POST. Anything but 404, 403, 405 or a redirect to the
login page fails the test. Patterns without ids carry nothing to forge; allauth's and the
admin's own URLs are left to them (the admin is staff-only and tested in tests/profil).

The proches of issue 21 are personas too: a carer of the whole space (writing) and a tutor,
both acting for the persona's own space ("mien"). A carer of a narrower perimeter reaches a
subset of the pages the full carer reaches (``AccesPatient.peut_lire``), each checked by the
policy table for proches (tests/acces/test_politique_proches.py): sweeping it too would only
repeat the same requests, at a minute of the suite each. A proches page is swept as soon as it
exists if its parameters are named as here: ``espace_uuid``, ``delegation_uuid`` (a carer's
delegation), ``invitation_uuid`` (a second parent's invitation), ``mesure_id`` (a protection
measure, which has no uuid); a page whose only parameter is an invitation's ``jeton`` has no
id to forge and is checked by ``test_an_unknown_invitation_token_opens_nothing`` (name it
``proches:…`` with the parameter ``jeton``)."""

from __future__ import annotations

import itertools
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from agenda.models import RappelRecurrent, RendezVous
from dossier.models import Apercu, ConflitImport, ImportDMP, empreinte_analyse
from espace_sante.coffre.services import blob_ecrire_octets
from messagerie.models import Fil, Message, PieceJointe
from professionnels.models import AccesProfessionnel, BrisDeGlace
from profil.models import (
    Allergie,
    ExportDonnees,
    InvitationRepresentant,
    Perimetre,
    TypeProtection,
)

from .conftest import client_pour
from .dossier.resultats_cda import resultat
from .factories import (
    DelegationFactory,
    EspaceFactory,
    MesureProtectionFactory,
    ProfessionnelFactory,
    RepresentationFactory,
    document,
    empreinte_jeton,
)
from .interop.conftest import jeton, logiciel_de

pytestmark = pytest.mark.django_db

ESPACES_EXCLUS = {"admin", "account", "mfa", "socialaccount", "usersessions"}
VALEURS_FIXES = {
    "genre": ["miniature", "pdf"],
    "rang": [0],
    "action": ["masquer", "supprimer"],
    "section": ["allergies", "vaccinations"],
    "cle": ["directives", "personne_confiance"],
    "theme": ["depistage_sein"],
    "choix": ["refuser", "accepter"],
}


def _fil(espace, professionnel, *, secret_mineur: bool = False) -> tuple[Fil, PieceJointe]:  # type: ignore[no-untyped-def]
    """A thread of the messagerie with one message and its attachment."""
    fil = Fil.objects.create(
        espace=espace,
        professionnel=professionnel,
        sujet="fil d'un autre",
        ouvert_par="professionnel",
        secret_mineur=secret_mineur,
    )
    message = Message.objects.create(
        fil=fil, auteur=professionnel.utilisateur, cote="professionnel", auteur_nom="Dr", corps="x"
    )
    piece = PieceJointe.objects.create(
        message=message,
        blob=blob_ecrire_octets(b"%PDF-1.4", media_type="application/pdf"),
        nom="piece.pdf",
        media_type="application/pdf",
        nature="pdf",
        taille=8,
    )
    return fil, piece


@dataclass(frozen=True)
class _Motif:
    """A URL pattern and the parameters of the includes above it (a page in a nested include,
    as ``espace/<uuid:espace_uuid>/resultats/`` + ``<str:analyse>/``, takes both)."""

    motif: URLPattern
    parents: tuple[str, ...]


def _motifs(
    resolveur: URLResolver, espace: str = "", parents: tuple[str, ...] = ()
) -> Iterator[tuple[str, _Motif]]:
    for motif in resolveur.url_patterns:
        if isinstance(motif, URLResolver):
            nom = motif.namespace or ""
            if nom in ESPACES_EXCLUS or "comptes" in str(motif.pattern):
                continue
            yield from _motifs(
                motif,
                f"{espace}{nom}:" if nom else espace,
                (*parents, *motif.pattern.converters),
            )
        elif motif.name:
            yield f"{espace}{motif.name}", _Motif(motif, parents)


def _parametres(motif: _Motif) -> list[str]:
    return [*motif.parents, *motif.motif.pattern.converters]


def _reauthentifier(client: Client, utilisateur) -> Client:  # type: ignore[no-untyped-def]
    session = client.session
    session["account_authentication_methods_user"] = str(utilisateur.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()
    return client


@pytest.fixture
def monde():  # type: ignore[no-untyped-def]
    """Two spaces with everything a URL can point at; personas linked only to the first."""
    mien = EspaceFactory(nom_naissance="MIEN")
    autre = EspaceFactory(nom_naissance="AUTRE")
    enfant_autre = RepresentationFactory(representant=autre).espace
    enfant_mien = RepresentationFactory(representant=mien).espace
    objets, elements, imports, exports, conflits, analyses = {}, {}, {}, {}, {}, {}
    fils, pieces, rdvs, recurrents = {}, {}, {}, {}
    delegations, invitations, mesures = {}, {}, {}
    pro_des_fils = ProfessionnelFactory(utilisateur__nom="DESFILS")
    for espace in (autre, enfant_autre):
        elements[espace.pk] = Allergie.objects.create(espace=espace, substance="Latex")
        imports[espace.pk] = ImportDMP.objects.create(espace=espace, etat="termine")
        conflits[espace.pk] = ConflitImport.objects.create(
            espace=espace,
            identifiant_unique="1.2.250.1.999.6.1",
            sha256="0" * 64,
            blob=blob_ecrire_octets(b"<ClinicalDocument/>", media_type="text/xml"),
            titre="conflit d'un autre",
            auteur_nom="Dr Autre",
            type_code="11502-2",
            date_acte=timezone.localdate(),
        )
        exports[espace.pk] = ExportDonnees.objects.create(
            espace=espace,
            demande_par=autre.titulaire,
            role="titulaire" if espace == autre else "representant",
            etat="pret",
            blob=blob_ecrire_octets(b"PK", media_type="application/zip"),
            pret_le=timezone.now(),
            expire_le=timezone.now() + timedelta(days=7),
        )
        doc = document(espace, titre="document d'un autre")
        Apercu.objects.create(
            document=doc,
            genre="miniature",
            rang=0,
            blob=blob_ecrire_octets(b"png", media_type="image/png"),
        )
        objets[espace.pk] = doc
        resultat(doc, code="3016-3")  # a lab result: its analysis' page takes its key
        analyses[espace.pk] = empreinte_analyse(espace.pk, "3016-3")
        fils[espace.pk], pieces[espace.pk] = _fil(espace, pro_des_fils)
        rdvs[espace.pk] = RendezVous.objects.create(
            espace=espace, titre="rendez-vous d'un autre", debut=timezone.now()
        )
        # The proches of the other spaces: a carer's delegation, a second parent's invitation,
        # a protection measure (a minor's space carries them too: the ids are what matters).
        delegations[espace.pk] = DelegationFactory(espace=espace, perimetre=Perimetre.TOUT)
        invitations[espace.pk] = InvitationRepresentant.objects.create(
            espace=espace,
            invite_par=autre,
            courriel="second-parent@exemple.test",
            jeton_empreinte=empreinte_jeton(f"jeton-{espace.pk}"),
            expire_le=timezone.now() + timedelta(days=7),
        )
        mesures[espace.pk] = MesureProtectionFactory(espace=espace, type=TypeProtection.CURATELLE)
        recurrents[espace.pk] = RappelRecurrent.objects.create(
            espace=espace,
            libelle="rappel d'un autre",
            frequence="jour",
            heure="08:00",
            debut=timezone.localdate(),
            occurrences=3,
        )
    # A verified professional is public (anyone may grant or block them): the professional id
    # worth forging is one only the other space knows — suspended since it was authorised.
    pro_de_l_autre = ProfessionnelFactory(utilisateur__nom="DELAUTRE", statut="suspendu")
    AccesProfessionnel.objects.create(espace=autre, professionnel=pro_de_l_autre, autorise=True)
    pro_du_mien = ProfessionnelFactory(utilisateur__nom="DUMIEN")
    AccesProfessionnel.objects.create(espace=mien, professionnel=pro_du_mien, autorise=True)
    pro_urgence = ProfessionnelFactory(utilisateur__nom="URGENCE")
    BrisDeGlace.objects.create(
        espace=mien,
        professionnel=pro_urgence,
        mode="bris_de_glace",
        motif="patient inconscient",
        fin=timezone.now() + timedelta(hours=1),
    )
    document(mien, titre="document à moi")
    # The FHIR API's personas: the software of a professional the space authorised, of one in
    # emergency, of one it never authorised — and the software of another professional (whose
    # id is worth forging on the "Mes logiciels" pages).
    logiciels = {
        "logiciel_pro_autorise": logiciel_de(pro_du_mien),
        "logiciel_pro_urgence": logiciel_de(pro_urgence),
        "logiciel_pro_non_autorise": logiciel_de(ProfessionnelFactory(utilisateur__nom="NONAUT")),
    }
    logiciel_de_l_autre = logiciel_de(ProfessionnelFactory(utilisateur__nom="AUTRELOGICIEL"))
    # The proches of my space: a carer of the whole space, writing (the most a carer reaches),
    # and a tutor (an adult's space under tutelle: the representative's rights).
    proches = {
        "aidant_tout": DelegationFactory(
            espace=mien, perimetre=Perimetre.TOUT, ecriture=True
        ).aidant.titulaire
    }
    proches["tuteur"] = MesureProtectionFactory(espace=mien).responsable.titulaire
    personas = {
        "titulaire": mien.titulaire,
        "representant": mien.titulaire,  # represents enfant_mien
        **proches,
        "pro_autorise": pro_du_mien.utilisateur,
        "pro_urgence": pro_urgence.utilisateur,
        "pro_non_autorise": ProfessionnelFactory(utilisateur__nom="NONAUTORISE").utilisateur,
        "pro_en_attente": ProfessionnelFactory(statut="en_attente").utilisateur,
    }
    return {
        "mien": mien,
        "enfant_mien": enfant_mien,
        "autres": [autre, enfant_autre],
        "documents": objets,
        "elements": elements,
        "imports": imports,
        "conflits": conflits,
        "exports": exports,
        "analyses": analyses,
        "fils": fils,
        "pieces": pieces,
        "rdvs": rdvs,
        "recurrents": recurrents,
        "delegations": delegations,
        "invitations": invitations,
        "mesures": mesures,
        "pro_de_l_autre": pro_de_l_autre,
        "logiciel_de_l_autre": logiciel_de_l_autre,
        "personas": personas,
        "jetons": {nom: jeton(logiciel) for nom, logiciel in logiciels.items()},
    }


def _urls(nom: str, motif: _Motif, monde: dict) -> Iterator[str]:  # type: ignore[type-arg]
    parametres = _parametres(motif)
    if not any(p.endswith("uuid") for p in parametres):
        return
    for autre in monde["autres"]:
        for propre in [autre, monde["mien"], monde["enfant_mien"]]:
            valeurs: dict[str, list[object]] = {}
            for p in parametres:
                if p == "espace_uuid":
                    valeurs[p] = [propre.uuid]
                elif p == "document_uuid":
                    valeurs[p] = [monde["documents"][autre.pk].uuid]
                elif p == "import_uuid":
                    valeurs[p] = [monde["imports"][autre.pk].uuid]
                elif p == "conflit_uuid":
                    valeurs[p] = [monde["conflits"][autre.pk].uuid]
                elif p == "export_uuid":
                    valeurs[p] = [monde["exports"][autre.pk].uuid]
                elif p == "element_uuid":
                    valeurs[p] = [monde["elements"][autre.pk].uuid]
                elif p == "professionnel_uuid":
                    valeurs[p] = [monde["pro_de_l_autre"].uuid]
                elif p == "logiciel_uuid":
                    valeurs[p] = [monde["logiciel_de_l_autre"].uuid]
                elif p == "analyse":
                    valeurs[p] = [monde["analyses"][autre.pk]]
                elif p == "fil_uuid":
                    valeurs[p] = [monde["fils"][autre.pk].uuid]
                elif p == "piece_uuid":
                    valeurs[p] = [monde["pieces"][autre.pk].uuid]
                elif p == "rdv_uuid":
                    valeurs[p] = [monde["rdvs"][autre.pk].uuid]
                elif p == "recurrent_uuid":
                    valeurs[p] = [monde["recurrents"][autre.pk].uuid]
                elif p == "delegation_uuid":
                    valeurs[p] = [monde["delegations"][autre.pk].uuid]
                elif p == "invitation_uuid":
                    valeurs[p] = [monde["invitations"][autre.pk].uuid]
                elif p == "mesure_id":
                    valeurs[p] = [monde["mesures"][autre.pk].pk]
                else:
                    assert p in VALEURS_FIXES, f"{nom}: name the parameter {p!r} as the sweep does"
                    valeurs[p] = list(VALEURS_FIXES[p])
            ids_etrangers = [
                p
                for p in parametres
                if (p.endswith("uuid") and p != "espace_uuid") or p in ("analyse", "mesure_id")
            ]
            if propre != autre and not ids_etrangers:
                continue  # the persona's own space alone is not someone else's id
            for combinaison in itertools.product(*valeurs.values()):
                yield reverse(nom, kwargs=dict(zip(valeurs, combinaison, strict=True)))


def test_no_url_answers_with_another_spaces_objects(monde) -> None:  # type: ignore[no-untyped-def]
    motifs = [(n, m) for n, m in _motifs(get_resolver())]
    urls = sorted({u for nom, motif in motifs for u in _urls(nom, motif, monde)})
    assert len(urls) > 30, urls  # the sweep really walks the project
    assert any(u.startswith("/fhir/") for u in urls), urls  # the API's routes are swept too
    clients = {"anonyme": Client()}
    for nom, utilisateur in monde["personas"].items():
        clients[nom] = _reauthentifier(client_pour(utilisateur), utilisateur)
    for nom, valeur in monde["jetons"].items():  # a bearer token, no session
        clients[nom] = Client(HTTP_AUTHORIZATION=f"Bearer {valeur}")
    fautes = []
    for (persona, client), url, methode in itertools.product(
        clients.items(), urls, ["get", "post"]
    ):
        reponse = getattr(client, methode)(url)
        code = reponse.status_code
        if code in {403, 404, 405}:
            continue
        if code == 401 and url.startswith("/fhir/") and persona not in monde["jetons"]:
            continue  # the API without a token: 401, whatever the id
        if code == 302 and (
            reponse["Location"].startswith(reverse("account_login"))
            or (persona == "anonyme" and "login" in reponse["Location"])
        ):
            continue
        fautes.append(f"{persona} {methode.upper()} {url} → {code} {reponse.get('Location', '')}")
    assert not fautes, "\n".join(fautes)


def test_an_unknown_invitation_token_opens_nothing(monde) -> None:  # type: ignore[no-untyped-def]
    """The proches' invitation pages (a second parent's, a carer's: ``proches:`` names taking a
    ``jeton`` and no other id) with a token nobody was given, by every persona, GET and POST:
    no error, no other person's name shown, never cached for a logged-in person. (Whether it answers
    404, 410 or a page that says what to do next is the invitation's own tests' business.)"""
    motifs = [
        (nom, motif)
        for nom, motif in _motifs(get_resolver())
        if nom.startswith("proches:") and "jeton" in _parametres(motif)
    ]
    if not motifs:
        pytest.skip("no invitation page yet")
    urls = []
    for nom, motif in motifs:
        autres = [p for p in _parametres(motif) if p != "jeton"]
        assert not autres, f"{nom}: an invitation page takes its token alone ({autres})"
        urls.append(reverse(nom, kwargs={"jeton": secrets.token_urlsafe(32)}))
    clients = {"anonyme": Client()}
    for nom, utilisateur in monde["personas"].items():
        clients[nom] = _reauthentifier(client_pour(utilisateur), utilisateur)
    # The names of the spaces nobody here acts for (a word: "DELAUTRE" is a professional's).
    noms = [re.compile(rf"\b{e.nom_naissance}\b") for e in monde["autres"]]
    fautes = []
    for (persona, client), url, methode in itertools.product(
        clients.items(), urls, ["get", "post"]
    ):
        reponse = getattr(client, methode)(url)
        contenu = reponse.content.decode(errors="replace")
        cache = {d.strip() for d in reponse.get("Cache-Control", "").split(",")}
        if (
            reponse.status_code >= 500
            or any(nom.search(contenu) for nom in noms)
            or (persona != "anonyme" and not {"no-store", "private"} <= cache)
        ):
            fautes.append(f"{persona} {methode.upper()} {url} → {reponse.status_code}")
    assert not fautes, "\n".join(fautes)


def test_a_representative_reaches_none_of_the_minor_s_secrets(monde) -> None:  # type: ignore[no-untyped-def]
    """Issue 13, finding 5: the same sweep, by the representative, on the minor they represent:
    every URL that takes a secret document or a secret profile entry of the minor answers 404
    (as for what does not exist), and the history names neither."""
    from dossier import services as dossier_services
    from espace_sante.acces import espace_pour_acteur
    from profil import profil_medical

    enfant = monde["enfant_mien"]
    secret = document(enfant, titre="document secret", invisible_representants=True)
    Apercu.objects.create(
        document=secret,
        genre="miniature",
        rang=0,
        blob=blob_ecrire_octets(b"png", media_type="image/png"),
    )
    entree = Allergie.objects.create(espace=enfant, substance="Latex", secret_mineur=True)
    resultat(secret, code="3016-3")  # the secret's lab result: its analysis' pages too
    pediatre = ProfessionnelFactory(utilisateur__nom="PEDIATRE")
    AccesProfessionnel.objects.create(espace=enfant, professionnel=pediatre, autorise=True)
    fil_secret, piece_secrete = _fil(enfant, pediatre, secret_mineur=True)
    parent = monde["personas"]["representant"]
    acces = espace_pour_acteur(utilisateur=parent, espace_uuid=enfant.uuid)
    assert acces.role == "representant"
    # The minor's own acts on both, written by the real services (the minor stands in as an
    # access of holder: who acts does not matter, what they act on does).
    mineur = type(acces)(espace=enfant, role="titulaire", utilisateur=parent)
    dossier_services.document_consultation(
        acces=mineur, document=secret, action="document_consulte", ip=None
    )
    valeurs = {
        "espace_uuid": [enfant.uuid],
        "document_uuid": [secret.uuid],
        "element_uuid": [entree.uuid],
        "analyse": [empreinte_analyse(enfant.pk, "3016-3")],
        "fil_uuid": [fil_secret.uuid],
        "piece_uuid": [piece_secrete.uuid],
        **VALEURS_FIXES,
    }
    urls = set()
    for nom, motif in _motifs(get_resolver()):
        parametres = _parametres(motif)
        if "espace_uuid" not in parametres or not {
            "document_uuid",
            "element_uuid",
            "analyse",
            "fil_uuid",
        } & set(parametres):
            continue
        if any(p not in valeurs for p in parametres):
            continue
        for combinaison in itertools.product(*(valeurs[p] for p in parametres)):
            urls.add(reverse(nom, kwargs=dict(zip(parametres, combinaison, strict=True))))
    assert len(urls) > 10, urls
    client = _reauthentifier(client_pour(parent), parent)
    fautes = [
        f"{methode.upper()} {url} → {code}"
        for url in sorted(urls)
        for methode in ("get", "post")
        if (code := getattr(client, methode)(url).status_code) not in {403, 404, 405}
    ]
    assert not fautes, "\n".join(fautes)
    profil_medical.element_supprimer(  # the minor deletes the entry: the event outlives it
        acces=mineur, section=profil_medical.section("allergies"), element=entree, ip=None
    )
    for onglet in ("moi", "professionnels"):
        page = client.get(reverse("ensemble:historique", args=[enfant.uuid]), {"onglet": onglet})
        assert page.status_code == 200
        contenu = page.content.decode()
        assert "evenement--document_consulte" not in contenu
        assert "evenement--profil_suppression" not in contenu
