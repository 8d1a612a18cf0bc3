"""A page never promises what the next click cannot do (issue 21): a read-only carer reads the
pages of their perimeter without one button to add, change or delete — no form that posts to
the space, no link to a form page — while a carer who writes gets them; no carer gets a link to
the management (``GESTION``) they never reach."""

from __future__ import annotations

import re

import pytest
from django.urls import Resolver404, resolve
from django.utils import timezone

from espace_sante.acces import AccesPatient, Role, Rubrique
from professionnels.models import AccesProfessionnel
from profil.models import Espace, Perimetre

from ..conftest import client_pour
from ..factories import DelegationFactory, EspaceFactory, ProfessionnelFactory
from .test_politique_proches import PREPARATIONS, _pages, _rubrique, _url

pytestmark = pytest.mark.django_db

# The pages that show a form to fill: a link to one is a promise to write.
PAGES_FORMULAIRES = {
    "dossier:deposer",
    "profil:profil_ajouter",
    "profil:profil_modifier",
    "profil:profil_unique",
    "agenda:ajouter",
    "agenda:modifier",
    "agenda:supprimer",
    "agenda:recurrent_ajouter",
    "agenda:recurrent_supprimer",
    "agenda:soin_fait",
    "messagerie:ecrire",
    "messagerie:supprimer",
}
LIEN = re.compile(r'<a [^>]*href="([^"#?]+)')
FORMULAIRE = re.compile(r'<form [^>]*method="post"[^>]*action="([^"]+)"|<form [^>]*method="post"')


def _promesses(page: str, espace: Espace) -> tuple[set[str], set[str]]:
    """The page's write promises on this space: (forms posting to it, links to form pages),
    by page name; and the management pages it links to, as a third kind in the first set's
    place when asked."""
    formulaires, liens = set(), set()
    prefixe = f"/espace/{espace.uuid}/"
    for action in FORMULAIRE.findall(page):
        if action.startswith(prefixe):
            formulaires.add(resolve(action).view_name)
    for href in LIEN.findall(page):
        if not href.startswith(prefixe):
            continue
        try:
            nom = resolve(href).view_name
        except Resolver404:
            continue
        liens.add(nom)
    return formulaires, liens


def _pages_lues(perimetre: str) -> list[tuple[str, object]]:
    aidant = AccesPatient(
        espace=Espace(), role=Role.AIDANT, utilisateur=None, perimetre=perimetre, ecriture=False
    )  # type: ignore[arg-type]
    return [
        (nom, motif)
        for nom, motif in _pages()
        if isinstance(rubrique := _rubrique(nom), Rubrique)
        and aidant.peut_lire(rubrique)
        # The form pages themselves are not linked for a read-only carer (checked here); they
        # still answer their GET (tests/acces/test_politique_proches.py, ``LECTURES``' note).
        and nom not in PAGES_FORMULAIRES
    ]


def _espace_aide(perimetre: str, ecriture: bool):  # type: ignore[no-untyped-def]
    """A space with a professional one may write to, its carer."""
    espace = EspaceFactory(prenoms="Paul", sexe="M")
    AccesProfessionnel.objects.create(
        espace=espace, professionnel=ProfessionnelFactory(), autorise=True
    )
    delegation = DelegationFactory(
        espace=espace, perimetre=perimetre, ecriture=ecriture, acceptee_le=timezone.now()
    )
    return espace, client_pour(delegation.aidant.titulaire)


@pytest.mark.parametrize("perimetre", Perimetre.values)
def test_a_read_only_carer_is_offered_nothing_to_write_and_a_writer_is(perimetre: str) -> None:
    offerts: dict[bool, set[str]] = {False: set(), True: set()}
    fautes = []
    for ecriture in (False, True):
        for nom, motif in _pages_lues(perimetre):
            espace, client = _espace_aide(perimetre, ecriture)
            prepare = PREPARATIONS[nom](espace) if nom in PREPARATIONS else None
            donnees = prepare if isinstance(prepare, dict) else {}
            reponse = client.get(_url(nom, motif, espace), donnees)  # type: ignore[arg-type]
            if reponse.status_code != 200 or "html" not in reponse.get("Content-Type", ""):
                continue
            formulaires, liens = _promesses(reponse.content.decode(), espace)
            promesses = formulaires | (liens & PAGES_FORMULAIRES)
            offerts[ecriture] |= promesses
            gestion = {n for n in liens if _rubrique(n) == Rubrique.GESTION}
            if gestion:
                fautes.append(f"{perimetre} {nom}: links to the management {sorted(gestion)}")
            if not ecriture and promesses:
                fautes.append(f"{perimetre} read only, {nom}: offers {sorted(promesses)}")
    assert not fautes, "\n".join(fautes)
    assert offerts[True], "a carer who writes is offered something to write"
