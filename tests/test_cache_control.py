"""Issue 13, finding 2: no health page may stay in a cache. Every response to a logged-in
person, and every download, is ``Cache-Control: no-store, private``; checked on every URL the
IDOR sweep (tests/test_idor.py) visits, by its personas (the proches of issue 21 among them: a
carer of each perimeter, a tutor), and on the same URLs with the persona's own objects (the
pages that answer 200: documents, a document, its download, the profile, the history, the
reimbursements, the professional's pages, the proches page)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from agenda.models import RappelRecurrent, RendezVous
from dossier.models import Apercu, ConflitImport, ImportDMP, empreinte_analyse
from espace_sante.coffre.services import blob_ecrire_octets
from profil.models import (
    Allergie,
    Delegation,
    ExportDonnees,
    InvitationRepresentant,
    MesureProtection,
)

from .conftest import client_pour
from .dossier.resultats_cda import resultat
from .factories import ProfessionnelFactory, document, empreinte_jeton
from .test_idor import _fil, _motifs, _reauthentifier, _urls, monde  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _sans_cache(reponse: Any) -> bool:
    directives = {d.strip() for d in reponse.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def _clients(monde: dict[str, Any]) -> dict[str, Client]:  # noqa: F811
    return {
        nom: _reauthentifier(client_pour(utilisateur), utilisateur)
        for nom, utilisateur in monde["personas"].items()
    }


def test_every_response_of_the_idor_sweep_to_a_logged_in_person_is_never_cached(
    monde: dict[str, Any],  # noqa: F811
) -> None:
    urls = sorted({u for nom, motif in _motifs(get_resolver()) for u in _urls(nom, motif, monde)})
    assert len(urls) > 30
    fautes = [
        f"{persona} {methode.upper()} {url} → {reponse.status_code} "
        f"Cache-Control: {reponse.get('Cache-Control', '')!r}"
        for (persona, client), url, methode in itertools.product(
            _clients(monde).items(), urls, ["get", "post"]
        )
        if not _sans_cache(reponse := getattr(client, methode)(url))
    ]
    assert not fautes, "\n".join(fautes)


@pytest.fixture
def objets_propres(monde: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """The sweep's world, but every id points at the persona's own space."""
    mien = monde["mien"]
    doc = document(mien, titre="mon compte rendu")
    resultat(doc, code="3016-3")
    Apercu.objects.create(
        document=doc, genre="miniature", rang=0, blob=blob_ecrire_octets(b"png", media_type="x")
    )
    export = ExportDonnees.objects.create(
        espace=mien,
        demande_par=mien.titulaire,
        role="titulaire",
        etat="pret",
        blob=blob_ecrire_octets(b"PK", media_type="application/zip"),
        pret_le=timezone.now(),
        expire_le=timezone.now() + timedelta(days=7),
    )
    fil, piece = _fil(mien, ProfessionnelFactory(utilisateur__nom="MONFIL"))
    invitation = InvitationRepresentant.objects.create(
        espace=monde["enfant_mien"],
        invite_par=mien,
        courriel="second-parent@exemple.test",
        jeton_empreinte=empreinte_jeton("mon-jeton"),
        expire_le=timezone.now() + timedelta(days=7),
    )
    return {
        **monde,
        # the proches of my space (the sweep's own: a carer's delegation, a measure)
        "delegations": {mien.pk: Delegation.objects.filter(espace=mien).first()},
        "invitations": {mien.pk: invitation},
        "mesures": {mien.pk: MesureProtection.objects.filter(espace=mien).first()},
        "fils": {mien.pk: fil},
        "pieces": {mien.pk: piece},
        "rdvs": {
            mien.pk: RendezVous.objects.create(
                espace=mien, titre="mon rendez-vous", debut=timezone.now()
            )
        },
        "recurrents": {
            mien.pk: RappelRecurrent.objects.create(
                espace=mien,
                libelle="mon rappel",
                frequence="jour",
                heure="08:00",
                debut=timezone.localdate(),
                occurrences=3,
            )
        },
        "autres": [mien],
        "documents": {mien.pk: doc},
        "imports": {mien.pk: ImportDMP.objects.create(espace=mien, etat="termine")},
        "exports": {mien.pk: export},
        "elements": {mien.pk: Allergie.objects.create(espace=mien, substance="Pollen")},
        "conflits": {
            mien.pk: ConflitImport.objects.create(
                espace=mien,
                identifiant_unique="1.2.250.1.999.6.2",
                sha256="1" * 64,
                titre="mon conflit",
                auteur_nom="Dr Paul DURAND",
                type_code="11502-2",
                date_acte=timezone.localdate(),
            )
        },
        "analyses": {mien.pk: empreinte_analyse(mien.pk, "3016-3")},
    }


def test_the_health_pages_and_downloads_of_ones_own_space_are_never_cached(
    objets_propres: dict[str, Any],
) -> None:
    urls = sorted(
        {
            (nom, u)
            for nom, motif in _motifs(get_resolver())
            for u in _urls(nom, motif, objets_propres)
        }
    )
    servies, fautes = set(), []
    par_persona: dict[str, set[str]] = {}
    for (persona, client), (nom, url) in itertools.product(_clients(objets_propres).items(), urls):
        reponse = client.get(url)
        if reponse.status_code == 200:
            servies.add(nom)
            par_persona.setdefault(persona, set()).add(nom)
        if not _sans_cache(reponse):
            fautes.append(f"{persona} GET {url} → {reponse.status_code}")
    assert not fautes, "\n".join(fautes)
    # The proches were served their part's pages (so their answers were checked too).
    proches = {
        "aidant_tout": {"dossier:document", "messagerie:fil", "agenda:modifier", "proches:proches"},
        "tuteur": {"dossier:document", "profil:profil_modifier", "proches:proches"},
    }
    for persona, pages in proches.items():
        attendues_proche = pages - {"proches:proches"} if persona.startswith("aidant") else pages
        assert attendues_proche <= par_persona.get(persona, set()), (persona, par_persona)
    attendues = {
        "dossier:document",
        "dossier:contenu",
        "dossier:apercu",
        "dossier:import_dmp_etat",
        "dossier:resultats:analyse",
        "ensemble:export_telecharger",
        "proches:proches",
        "professionnels:patient",
        "professionnels:document",
    }
    assert attendues <= servies, sorted(servies)


def test_the_pages_of_ones_own_space_are_never_cached(
    monde: dict[str, Any],  # noqa: F811
) -> None:
    from django.urls import reverse

    client = _clients(monde)["titulaire"]
    for nom in [
        "ensemble:espace",
        "dossier:documents",
        "dossier:chronologie",
        "dossier:remboursements",
        "dossier:resultats:liste",
        "profil:profil_medical",
        "ensemble:synthese",
        "ensemble:historique",
        "profil:parametres",
        "proches:proches",
    ]:
        reponse = client.get(reverse(nom, args=[monde["mien"].uuid]))
        assert reponse.status_code == 200 and _sans_cache(reponse), (nom, reponse.status_code)


def test_static_files_stay_cacheable_and_the_anonymous_health_check_is_untouched(
    monde: dict[str, Any],  # noqa: F811
) -> None:
    from django.urls import reverse

    connecte = _clients(monde)["titulaire"]
    assert "no-store" not in connecte.get("/static/css/espace_sante.css").get("Cache-Control", "")
    assert "no-store" not in Client().get(reverse("sante")).get("Cache-Control", "")
