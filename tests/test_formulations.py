"""The wording walk (issue 20, point 11): the pages a patient, a representative and a
professional reach from their home pages, in the demo world, are read as text (tags
stripped) for the slips people noticed: "(s)", doubled optional markers, "de" not elided before
a first name ("de Alex" for "d'Alex"), "1 septembre" for "1er septembre", and the blank
"---------" choice among radio buttons.

A crawl of GET requests only, bounded, through internal links; downloads, previews and the
logout are not followed."""

from __future__ import annotations

import html
import re
from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from professionnels.models import Professionnel
from profil.models import Espace

from .conftest import client_pour

pytestmark = pytest.mark.django_db

PAGES_MAX = 150  # per person: the walk stays bounded
PAR_FAMILLE = 2  # pages of one shape (the same path but for an id or a slug with a number)

# Links not followed: they serve files, previews or data rather than pages, or end the session.
NON_SUIVIS = re.compile(
    r"/contenu/|/apercu/|/statut/|\.json|\.ics|\.pdf|\.zip|/telecharger|/empreinte|"
    r"logout|deconnexion|/static/|/media/|/admin/|/api/|/fhir/|/calendrier/flux"
)

MOIS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
FAUTES = {
    "« (s) » au lieu d'un vrai pluriel": re.compile(r"\w\((?:s|e?s)\)"),
    "« (e) » au lieu d'une phrase qui n'en a pas besoin": re.compile(r"\w\(e\)"),
    "marque « facultatif » en double": re.compile(
        r"\((?:facultatif|optionnel)\)\s*\((?:facultatif|optionnel)\)", re.IGNORECASE
    ),
    "« de » non élidé devant un prénom": re.compile(r"\bde (?:[AEIOUH][a-zéèêëîïôöûüç]+)\b"),
    "« 1 » au lieu de « 1er »": re.compile(rf"(?<![\d/])\b1 (?:{MOIS})\b"),
}
# A radio button with no value is the blank "---------" choice of a model field.
RADIO_VIDE = re.compile(r'<input\b(?=[^>]*\btype="radio")(?=[^>]*\bvalue="")[^>]*>')
# Known exceptions, each with its reason: (fault, exact text).
EXCEPTIONS: set[tuple[str, str]] = set()


def _texte(contenu: str) -> str:
    contenu = re.sub(r"<(script|style)\b.*?</\1>", " ", contenu, flags=re.DOTALL)
    contenu = re.sub(r"<!--.*?-->", " ", contenu, flags=re.DOTALL)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", contenu)))


def _liens(contenu: str) -> list[str]:
    liens = []
    for lien in re.findall(r'<a\b[^>]*\bhref="([^"]+)"', contenu):
        lien = urldefrag(html.unescape(lien))[0]
        if lien.startswith("/") and not lien.startswith("//") and not NON_SUIVIS.search(lien):
            liens.append(lien)
    return liens


def _famille(url: str) -> str:
    chemin = urlsplit(url).path
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|[a-z0-9-]*\d[a-z0-9-]*", "*", chemin)


def _parcourir(client: Client, depart: str) -> dict[str, list[str]]:
    """The pages reached from ``depart`` (at most ``PAGES_MAX``, and ``PAR_FAMILLE`` of each
    shape: forty "done" pages of the prevention list are one page to read), and the faults in
    each."""
    vus, file = {depart}, deque([depart])
    familles: dict[str, int] = {}
    fautes: dict[str, list[str]] = {}
    pages = 0
    while file and pages < PAGES_MAX:
        url = file.popleft()
        reponse = client.get(url)
        if reponse.status_code in (301, 302):
            cible = reponse["Location"]
            if urlsplit(cible).netloc == "" and cible not in vus and not NON_SUIVIS.search(cible):
                vus.add(cible)
                file.append(cible)
            continue
        if reponse.status_code != 200 or "html" not in reponse.get("Content-Type", ""):
            continue
        pages += 1
        contenu = reponse.content.decode()
        texte = _texte(contenu)
        for nom, motif in FAUTES.items():
            for trouve in motif.finditer(texte):
                if (nom, trouve.group(0)) in EXCEPTIONS:
                    continue
                extrait = texte[max(0, trouve.start() - 40) : trouve.end() + 40]
                fautes.setdefault(url, []).append(f"{nom} : …{extrait}…")
        if RADIO_VIDE.search(contenu):
            fautes.setdefault(url, []).append("bouton radio « --------- » (choix vide)")
        for lien in _liens(contenu):
            famille = _famille(lien)
            if lien not in vus and familles.get(famille, 0) < PAR_FAMILLE:
                familles[famille] = familles.get(famille, 0) + 1
                vus.add(lien)
                file.append(lien)
    assert pages > 5, f"the walk from {depart} reached only {pages} pages"
    return fautes


@pytest.fixture
def monde_demo(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    call_command("demo", stdout=StringIO())
    camille = Espace.objects.get(titulaire__email="camille.martin@demo.espace-sante.test")
    return camille


def test_the_patient_s_pages_have_none_of_the_known_slips(monde_demo: Espace) -> None:
    client = client_pour(monde_demo.titulaire)
    fautes = _parcourir(client, reverse("ensemble:espace", args=[monde_demo.uuid]))
    assert not fautes, "\n".join(f"{url}: {f}" for url, liste in fautes.items() for f in liste)


def test_a_representative_s_pages_have_none_of_the_known_slips(monde_demo: Espace) -> None:
    enfant = Espace.objects.filter(
        representants__representant=monde_demo, representants__fin__isnull=True
    ).order_by("prenoms")[0]
    client = client_pour(monde_demo.titulaire)
    fautes = _parcourir(client, reverse("ensemble:espace", args=[enfant.uuid]))
    assert not fautes, "\n".join(f"{url}: {f}" for url, liste in fautes.items() for f in liste)


def test_a_professional_s_pages_have_none_of_the_known_slips(monde_demo: Espace) -> None:
    medecin = Professionnel.objects.get(utilisateur__email="dr.lefevre@demo.espace-sante.test")
    client = client_pour(medecin.utilisateur)
    fautes = _parcourir(client, reverse("professionnels:accueil"))
    assert not fautes, "\n".join(f"{url}: {f}" for url, liste in fautes.items() for f in liste)


def test_the_walk_finds_each_slip_it_looks_for() -> None:
    """The checks can fail: each known slip is caught in a sample text."""
    exemples = {
        "« (s) » au lieu d'un vrai pluriel": "2 document(s) ajouté(s)",
        "« (e) » au lieu d'une phrase qui n'en a pas besoin": "Né(e) le 3 mars",
        "marque « facultatif » en double": "Titre (facultatif) (Optionnel)",
        "« de » non élidé devant un prénom": "l'espace santé de Alex",
        "« 1 » au lieu de « 1er »": "du 1 septembre 2025",
    }
    for nom, texte in exemples.items():
        assert FAUTES[nom].search(texte), nom
    assert RADIO_VIDE.search('<input type="radio" name="position" value="" id="p0">')
    assert not RADIO_VIDE.search('<input type="radio" name="position" value="accepte">')
    assert not any(
        m.search("l'espace santé d'Alex, du 1er septembre, de Camille, 1 page")
        for m in FAUTES.values()
    )
