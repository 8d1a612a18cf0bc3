"""The access policy for proches (issue 21, point 4), table-driven and through every page: each
portal page that takes a space is requested, GET and POST, by the holder, a tutor, a curator, a
carer of each perimeter read only and read and write, and by each of them once their link
ended (revoked, end date passed, measure ended, curatelle not accepted or refused).

Two tables, written from docs/PROCHES.md apart from the code under test:

- ``RUBRIQUES``: the part of the space (``Rubrique``) each page belongs to. Every page of the
  URLconf that takes ``espace_uuid`` must be in it (or be a professional's page, ``PRO``): a
  view that forgot to name its part falls to the default, ``GESTION``, and a carer of that part
  then gets 404 — this table says what the page should have been.
- ``attendu``: a page answers (anything but 404) when the person reaches its part, and, for a
  POST, writes there; 404 otherwise, exactly as for a space that does not exist (or 405, a
  method the page never takes). ``RESERVEES`` lists the pages another rule keeps to fewer
  people (what is reserved to the adult holder).

The proches pages the other parts of issue 21 add are covered without editing this file as long
as they live in the ``proches`` namespace (``GESTION`` unless listed) and take, besides
``espace_uuid``, only parameters ``_objet`` knows (``delegation_uuid``, ``invitation_uuid``,
``mesure_id``, ``jeton``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from agenda.models import RappelRecurrent, RendezVous
from dossier.models import Apercu, ConflitImport, ImportDMP, empreinte_analyse
from espace_sante.acces import AccesPatient, Role, Rubrique
from espace_sante.coffre.services import blob_ecrire_octets
from profil.models import (
    Allergie,
    DirectivesAnticipees,
    Espace,
    ExportDonnees,
    InvitationRepresentant,
    Perimetre,
    TypeProtection,
)

from ..conftest import client_pour
from ..dossier.resultats_cda import resultat
from ..factories import (
    DelegationFactory,
    EspaceFactory,
    MesureProtectionFactory,
    ProfessionnelFactory,
    document,
    empreinte_jeton,
)
from ..test_idor import _fil, _Motif, _motifs, _parametres, _reauthentifier

pytestmark = pytest.mark.django_db

PRO = "professionnel"  # a professional's page: no patient-side person reaches it

D, P, A, M, H, G, ACC = (
    Rubrique.DOCUMENTS,
    Rubrique.PROFIL,
    Rubrique.AGENDA,
    Rubrique.MESSAGERIE,
    Rubrique.HISTORIQUE,
    Rubrique.GESTION,
    Rubrique.ACCUEIL,
)
RUBRIQUES: dict[str, Rubrique | str] = {
    # the home
    "ensemble:espace": ACC,
    # documents, results, reimbursements
    "dossier:documents": D,
    "dossier:chronologie": D,
    "dossier:deposer": D,
    "dossier:selection": D,
    "dossier:corbeille": D,
    "dossier:document": D,
    "dossier:contenu": D,
    "dossier:statut": D,
    "dossier:apercu": D,
    "dossier:remplacer": D,
    "dossier:action": D,
    "dossier:remboursements": D,
    "dossier:resultats:liste": D,
    "dossier:resultats:analyse": D,
    # the profile, and what is read from it
    "profil:profil_medical": P,
    "profil:profil_unique": P,
    "profil:profil_unique_supprimer": P,
    "profil:profil_ajouter": P,
    "profil:profil_modifier": P,
    "profil:profil_supprimer": P,
    "ensemble:synthese": P,
    "ensemble:directives_pdf": P,
    # the agenda and prevention
    "agenda:liste": A,
    "agenda:mois": A,
    "agenda:ajouter": A,
    "agenda:modifier": A,
    "agenda:supprimer": A,
    "agenda:recurrent_ajouter": A,
    "agenda:recurrent_supprimer": A,
    "agenda:preferences": A,
    "agenda:abonnement": A,
    "agenda:abonnement_creer": A,
    "agenda:abonnement_regler": A,
    "agenda:abonnement_revoquer": A,
    "agenda:rdv_ics": A,
    "agenda:a_prevoir": A,
    "agenda:soin_fait": A,
    "agenda:soin_ecarter": A,
    "agenda:soin_retablir": A,
    "agenda:prevention": A,
    "agenda:prevention_theme": A,
    # the messagerie
    "messagerie:boite": M,
    "messagerie:ecrire": M,
    "messagerie:fil": M,
    "messagerie:nouveaux": M,
    "messagerie:repondre": M,
    "messagerie:ranger": M,
    "messagerie:supprimer": M,
    "messagerie:piece": M,
    "messagerie:piece_ajouter": M,
    # the history
    "ensemble:historique": H,
    "ensemble:historique_empreinte": H,
    # the management: who sees what, professionals, proches, closure, export, settings
    "dossier:reglages": G,
    "dossier:import_dmp": G,
    "dossier:import_dmp_etat": G,
    "dossier:import_dmp_conflit": G,
    "professionnels:liste": G,
    "professionnels:reglages": G,
    "professionnels:accorder": G,
    "professionnels:revoquer": G,
    "professionnels:bloquer": G,
    "professionnels:debloquer": G,
    "professionnels:medecin_traitant": G,
    "professionnels:medecin_traitant_retirer": G,
    "profil:parametres": G,
    "profil:cloturer": G,
    "profil:rouvrir": G,
    "profil:activer_mineur": G,
    "ensemble:exports": G,
    "ensemble:export_demander": G,
    "ensemble:export_telecharger": G,
    "proches:proches": G,
    # the professional's side of a patient
    "professionnels:patient": PRO,
    "professionnels:deposer": PRO,
    "professionnels:profil": PRO,
    "professionnels:profil_ajouter": PRO,
    "professionnels:resultats": PRO,
    "professionnels:resultats_analyse": PRO,
    "professionnels:document": PRO,
    "professionnels:contenu": PRO,
    "professionnels:apercu": PRO,
    "professionnels:liberer": PRO,
    "professionnels:remplacer": PRO,
    "messagerie:pro_ecrire": PRO,
    "interop:patient": PRO,
}
# A page of the proches namespace not listed above: the management (a carer never manages).
RUBRIQUE_PROCHES_PAR_DEFAUT = G

# Pages another rule keeps to fewer people, whatever the part: page → who still gets an
# answer (the others 404, GET and POST). The advance directives are the adult holder's alone
# (DESIGN.md §3), and so is their PDF; a minor's activation is for a minor's space only (the
# spaces here are adults').
RESERVEES: dict[str, set[str]] = {
    "ensemble:directives_pdf": {"titulaire"},
    # Closing and reopening a space: its holder's alone, not a tutor's.
    "profil:cloturer": {"titulaire"},
    "profil:rouvrir": {"titulaire"},
    # An export is downloaded by whom asked for it (here the holder).
    "ensemble:export_telecharger": {"titulaire"},
    # The proches pages of issue 21 as their branches stand: only the adult holder gives,
    # re-sends, ends or certifies a delegation (a tutor does not: docs/PROCHES.md, "the adult
    # holder invites"), and only the protected person answers a curatelle.
    "proches:aidant_inviter": {"titulaire"},
    "proches:aidant_renvoyer": {"titulaire"},
    "proches:aidant_terminer": {"titulaire"},
    "proches:aidant_attestation": {"titulaire"},
    "proches:protection_decider": {"titulaire"},
    # The holder never "activates for a minor"; a tutor (a representative's rights) reaches the
    # service, which refuses an adult's active space with a message and sends them home.
    "profil:activer_mineur": {"tuteur"},
}
# A form page — add, change, delete — asks for writing on its GET too (``formulaire=True`` in
# its view): a read-only carer is not shown a form whose sending would be refused.
FORMULAIRES = {
    "dossier:deposer",
    "profil:profil_ajouter",
    "profil:profil_modifier",
    "profil:profil_supprimer",
    "profil:profil_unique",
    "profil:profil_unique_supprimer",
    "agenda:ajouter",
    "agenda:modifier",
    "agenda:supprimer",
    "agenda:recurrent_ajouter",
    "agenda:recurrent_supprimer",
    "agenda:preferences",
    "messagerie:ecrire",
}
# Pages that only read, whatever the method (a POST is answered as a GET, nothing written):
# whoever reads the part gets them, a read-only carer too.
LECTURES = {
    "dossier:documents",
    "dossier:chronologie",
    "dossier:document",
    "dossier:contenu",
    "dossier:apercu",
    "profil:profil_medical",
    "ensemble:espace",
    "ensemble:historique",
    "ensemble:historique_empreinte",
}
# What a page needs to answer at all, besides the objects of its URL (a dict returned: the
# data its GET and POST carry).
PREPARATIONS: dict[str, Callable[[Espace], object]] = {
    # the protected person's answer to a curatelle (issue 21, proches/urls_protection.py)
    # (its form names the measure: what a preparation returns is the request's data)
    "proches:protection_decider": lambda espace: {
        "mesure": str(MesureProtectionFactory(espace=espace, type=TypeProtection.CURATELLE).pk)
    },
    "ensemble:directives_pdf": lambda espace: DirectivesAnticipees.objects.create(
        espace=espace, situation="bonne_sante", fait_le=timezone.localdate()
    ),
}
# A POST's body where the page refuses an empty one with 404 (an unknown choice).
DONNEES: dict[str, dict[str, str]] = {"messagerie:ranger": {"action": "archiver"}}

# Who, and how they stand: (role, perimeter, writes) — None when the link gives nothing.
PERSONNES: dict[str, tuple[Role, str | None, bool] | None] = {
    "titulaire": (Role.TITULAIRE, None, True),
    "tuteur": (Role.TUTEUR, None, True),
    "curateur": (Role.CURATEUR, "tout", True),
    **{
        f"aidant_{perimetre}_{'ecriture' if ecriture else 'lecture'}": (
            Role.AIDANT,
            perimetre,
            ecriture,
        )
        for perimetre in Perimetre.values
        for ecriture in (False, True)
    },
    "aidant_revoque": None,
    "aidant_echu": None,
    "aidant_pas_encore_accepte": None,
    "tuteur_mesure_finie": None,
    "tuteur_mesure_pas_commencee": None,
    "curateur_pas_encore_accepte": None,
    "curateur_refuse": None,
}


def attendu(nom: str, qui: str, *, ecriture: bool) -> bool:
    """Whether the page ``nom`` answers ``qui`` (anything but 404)."""
    rubrique = _rubrique(nom)
    position = PERSONNES[qui]
    if position is None or rubrique == PRO:
        return False
    if nom in RESERVEES and qui not in RESERVEES[nom]:
        return False
    role, perimetre, ecrit = position
    acces = AccesPatient(
        espace=Espace(), role=role, utilisateur=None, perimetre=perimetre, ecriture=ecrit
    )  # type: ignore[arg-type]
    assert isinstance(rubrique, Rubrique)
    if (ecriture or nom in FORMULAIRES) and nom not in LECTURES:
        return acces.peut_ecrire(rubrique)
    return acces.peut_lire(rubrique)


def _rubrique(nom: str) -> Rubrique | str:
    if nom in RUBRIQUES:
        return RUBRIQUES[nom]
    assert nom.startswith("proches:"), f"{nom}: a page of a space, not in RUBRIQUES"
    return RUBRIQUE_PROCHES_PAR_DEFAUT


def _pages() -> list[tuple[str, _Motif]]:
    return [(n, m) for n, m in _motifs(get_resolver()) if "espace_uuid" in _parametres(m)]


def test_every_page_of_a_space_names_its_part_in_the_table() -> None:
    noms = {nom for nom, _motif in _pages()}
    inconnues = {n for n in noms - set(RUBRIQUES) if not n.startswith("proches:")}
    assert not inconnues, f"pages of a space with no part in RUBRIQUES: {sorted(inconnues)}"
    assert not set(RUBRIQUES) - noms, "RUBRIQUES names pages that no longer exist"


# --- The world: one space per page and method, the person linked to it --------------------------


@dataclass
class Personne:
    qui: str
    client: Client | None
    lier: Callable[[Espace], None]


def _personne(qui: str) -> Personne:
    """The person, with a way to link them to a fresh space as ``qui`` says."""
    if qui == "titulaire":
        return Personne(qui, None, lambda espace: None)
    propre = EspaceFactory(prenoms="Marie", sexe="F")
    hier = timezone.localdate() - timedelta(days=1)
    champs: dict[str, Any]
    if qui.startswith("aidant_"):
        champs = {
            "aidant_revoque": {"revoquee_le": timezone.now(), "revoquee_par": "titulaire"},
            "aidant_echu": {"fin": hier},
            "aidant_pas_encore_accepte": {"acceptee_le": None},
        }.get(qui, {})
        position = PERSONNES[qui]
        if position is not None:
            champs = {"perimetre": position[1], "ecriture": position[2]}

        def lier(espace: Espace) -> None:
            DelegationFactory(espace=espace, aidant=propre, **champs)

    else:
        type_ = TypeProtection.CURATELLE if qui.startswith("curateur") else TypeProtection.TUTELLE
        champs = {
            "curateur": {"acceptee_le": timezone.now()},
            "curateur_refuse": {"refusee_le": timezone.now()},
            "tuteur_mesure_finie": {"fin": hier, "motif_fin": "mainlevée"},
            "tuteur_mesure_pas_commencee": {"debut": timezone.localdate() + timedelta(days=3)},
        }.get(qui, {})

        def lier(espace: Espace) -> None:
            MesureProtectionFactory(espace=espace, responsable=propre, type=type_, **champs)

    return Personne(qui, _client(propre.titulaire), lier)


def _client(utilisateur: Any) -> Client:
    """Logged in, and just re-authenticated: the pages behind a fresh password check answer
    as they do for whom gave it (else they redirect there, whoever asks)."""
    return _reauthentifier(client_pour(utilisateur), utilisateur)


def _objet(parametre: str, espace: Espace, nom: str) -> object:
    """A value for the URL parameter ``parametre``: the space's own object, so that only the
    person's standing decides the answer."""
    if parametre == "espace_uuid":
        return espace.uuid
    if parametre in ("document_uuid", "analyse"):
        doc = document(espace, titre="Bilan")
        Apercu.objects.create(
            document=doc, genre="miniature", rang=0, blob=blob_ecrire_octets(b"png", media_type="x")
        )
        if parametre == "analyse":
            resultat(doc, code="3016-3")
            return empreinte_analyse(espace.pk, "3016-3")
        return doc.uuid
    if parametre == "element_uuid":
        return Allergie.objects.create(espace=espace, substance="Pollen").uuid
    if parametre == "import_uuid":
        return ImportDMP.objects.create(espace=espace, etat="termine").uuid
    if parametre == "conflit_uuid":
        return ConflitImport.objects.create(
            espace=espace,
            identifiant_unique=f"1.2.250.1.999.6.{secrets.randbelow(10**6)}",
            sha256="1" * 64,
            titre="conflit",
            auteur_nom="Dr Paul DURAND",
            type_code="11502-2",
            date_acte=timezone.localdate(),
        ).uuid
    if parametre == "export_uuid":
        return ExportDonnees.objects.create(
            espace=espace,
            demande_par=espace.titulaire,
            role="titulaire",
            etat="pret",
            blob=blob_ecrire_octets(b"PK", media_type="application/zip"),
            pret_le=timezone.now(),
            expire_le=timezone.now() + timedelta(days=7),
        ).uuid
    if parametre in ("fil_uuid", "piece_uuid"):
        fil, piece = _fil(espace, ProfessionnelFactory())
        espace._fil = fil  # type: ignore[attr-defined]  # the piece's page takes both
        return piece.uuid if parametre == "piece_uuid" else fil.uuid
    if parametre == "rdv_uuid":
        return RendezVous.objects.create(espace=espace, titre="rdv", debut=timezone.now()).uuid
    if parametre == "recurrent_uuid":
        return RappelRecurrent.objects.create(
            espace=espace,
            libelle="rappel",
            frequence="jour",
            heure="08:00",
            debut=timezone.localdate(),
            occurrences=3,
        ).uuid
    if parametre == "professionnel_uuid":
        return ProfessionnelFactory().uuid
    if parametre == "delegation_uuid":
        if nom.endswith("renvoyer"):  # an invitation re-sent: still pending
            return DelegationFactory(espace=espace, aidant=None, acceptee_le=None).uuid
        return DelegationFactory(espace=espace).uuid  # another carer's, accepted
    if parametre == "invitation_uuid":
        return InvitationRepresentant.objects.create(
            espace=espace,
            invite_par=espace,
            courriel="parent@exemple.test",
            jeton_empreinte=empreinte_jeton(secrets.token_urlsafe(32)),
            expire_le=timezone.now() + timedelta(days=7),
        ).uuid
    if parametre in ("mesure_id", "mesure_pk"):
        return MesureProtectionFactory(espace=espace).pk
    if parametre == "jeton":
        return secrets.token_urlsafe(32)
    if parametre == "cle":
        if nom.startswith("agenda:"):
            from agenda import prevention

            titulaire = AccesPatient(
                espace=espace, role=Role.TITULAIRE, utilisateur=espace.titulaire
            )
            return prevention.tous_les_soins(titulaire)[0].cle
        return "habitudes"
    fixes = {
        "genre": "miniature",
        "rang": 0,
        "action": "masquer",
        "section": "allergies",
        "theme": "depistage_sein",
        "choix": "refuser",
    }
    assert parametre in fixes, f"{nom}: no value for the parameter {parametre!r}"
    return fixes[parametre]


def _url(nom: str, motif: _Motif, espace: Espace) -> str:
    valeurs: dict[str, object] = {}
    for parametre in sorted(_parametres(motif), key=lambda p: p != "fil_uuid"):
        if parametre == "fil_uuid" and "piece_uuid" in _parametres(motif):
            continue
        valeurs[parametre] = _objet(parametre, espace, nom)
    if "piece_uuid" in valeurs:
        valeurs["fil_uuid"] = espace._fil.uuid  # type: ignore[attr-defined]
    return reverse(nom, kwargs=valeurs)


def _reponses(personne: Personne) -> Iterator[tuple[str, str, int, bool]]:
    """For every page of a space, GET and POST: (page, method, status, expected to answer)."""
    for nom, motif in _pages():
        if _rubrique(nom) == PRO:
            continue
        for methode in ("get", "post"):
            espace = EspaceFactory(prenoms="Paul", sexe="M")
            client = personne.client or _client(espace.titulaire)
            personne.lier(espace)
            prepare = PREPARATIONS[nom](espace) if nom in PREPARATIONS else None
            url = _url(nom, motif, espace)
            donnees = DONNEES.get(nom, {}) if methode == "post" else {}
            if isinstance(prepare, dict):
                donnees = {**donnees, **prepare}
            reponse = getattr(client, methode)(url, donnees)
            yield (
                nom,
                methode,
                reponse.status_code,
                attendu(nom, personne.qui, ecriture=methode == "post"),
            )


@pytest.mark.parametrize("qui", PERSONNES)
def test_every_page_of_a_space_answers_a_proche_as_their_part_and_writing_allow(qui: str) -> None:
    fautes = []
    vues = 0
    for nom, methode, code, repond in _reponses(_personne(qui)):
        vues += 1
        # 405: the method refused before anything is read, as for a space that does not exist
        refus = code == 404 or (code == 405 and not repond)
        if code >= 500 or refus is repond:
            fautes.append(
                f"{qui} {methode.upper()} {nom} ({_rubrique(nom)}) → {code}, "
                f"expected {'an answer' if repond else '404'}"
            )
    assert vues > 100
    assert not fautes, "\n".join(fautes)
