"""A closed space stays readable by its holder (issue 20, point 3): documents, a document and
its download, the profile, the history and the export answer in read-only mode, with a banner
that explains the status and offers re-opening; every write stays refused; the menu keeps only
what can still be read; nobody else reads a closed space."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from espace_sante.journal.services import Acteur
from profil import services
from profil.models import Espace, Statut

from ..conftest import client_pour
from ..factories import EspaceFactory, RepresentationFactory, document

pytestmark = pytest.mark.django_db


@pytest.fixture
def clos(titulaire: Espace) -> Espace:
    services.espace_cloturer(espace=titulaire, acteur=Acteur.systeme())
    titulaire.refresh_from_db()
    assert titulaire.statut == Statut.CLOTURE
    return titulaire


def _lectures(espace: Espace) -> list[str]:
    doc = document(espace, titre="Compte rendu opératoire")
    e = [espace.uuid]
    return [
        reverse("ensemble:espace", args=e),
        reverse("dossier:documents", args=e),
        reverse("dossier:chronologie", args=e),
        reverse("dossier:document", args=[espace.uuid, doc.uuid]),
        reverse("dossier:contenu", args=[espace.uuid, doc.uuid]),
        reverse("profil:profil_medical", args=e),
        reverse("ensemble:historique", args=e),
        reverse("ensemble:exports", args=e),
    ]


def _ecritures(espace: Espace) -> list[tuple[str, str]]:
    e = [espace.uuid]
    return [
        ("get", reverse("dossier:deposer", args=e)),
        ("post", reverse("dossier:deposer", args=e)),
        ("post", reverse("dossier:reglages", args=e)),
        ("get", reverse("profil:profil_ajouter", args=[espace.uuid, "allergies"])),
        ("post", reverse("profil:profil_ajouter", args=[espace.uuid, "allergies"])),
        ("get", reverse("profil:parametres", args=e)),
        ("post", reverse("ensemble:synthese", args=e)),
        ("get", reverse("agenda:ajouter", args=e)),
        ("get", reverse("professionnels:liste", args=e)),
    ]


def test_the_holder_reads_every_page_of_a_closed_space(clos: Espace) -> None:
    client = client_pour(clos.titulaire)
    for url in _lectures(clos):
        reponse = client.get(url)
        assert reponse.status_code == 200, url


def test_the_read_pages_explain_the_closure_and_offer_reopening(clos: Espace) -> None:
    client = client_pour(clos.titulaire)
    for url in [reverse("dossier:documents", args=[clos.uuid])]:
        page = client.get(url).content.decode()
        assert "Votre espace est clos depuis le" in page
        assert "Vous pouvez encore consulter et exporter vos documents." in page
        assert "Rouvrir mon espace" in page
    accueil = client.get(reverse("ensemble:espace", args=[clos.uuid])).content.decode()
    assert reverse("profil:rouvrir", args=[clos.uuid]) in accueil


def _controles_d_ecriture(page: str, espace: Espace) -> list[str]:
    """The forms that POST and the links to pages that write, on a rendered page (the banner's
    re-opening form and the export request excepted: both are allowed on a closed space)."""
    permis = {
        reverse("profil:rouvrir", args=[espace.uuid]),
        reverse("ensemble:export_demander", args=[espace.uuid]),
        reverse("account_logout"),
    }
    formulaires = re.findall(r'<form method="post" action="([^"]*)"', page)
    liens = re.findall(
        r'href="([^"]*/(?:deposer|ajouter|modifier|reglages|corbeille|import-dmp|remplacer)/[^"]*)"',
        page,
    )
    return [url for url in formulaires if url not in permis] + liens


def test_a_closed_space_s_pages_offer_no_write_an_open_one_does(titulaire: Espace) -> None:
    """The read-only mode is in the HTML itself (not hidden by a style sheet): no form or link
    that the next click would refuse."""
    from profil.models import Allergie

    Allergie.objects.create(espace=titulaire, substance="Pollen")
    client = client_pour(titulaire.titulaire)
    pages = _lectures(titulaire)
    pages.remove(reverse("dossier:contenu", args=[titulaire.uuid, titulaire.documents.get().uuid]))
    ouvertes = {
        url: _controles_d_ecriture(client.get(url).content.decode(), titulaire) for url in pages
    }
    for url in (pages[1], pages[3], pages[4]):  # documents, a document, the profile
        assert ouvertes[url], url  # the test sees the controls when they are there
    services.espace_cloturer(espace=titulaire, acteur=Acteur.systeme())
    for url in pages:
        page = client.get(url).content.decode()
        assert _controles_d_ecriture(page, titulaire) == [], url


def test_every_write_of_a_closed_space_stays_refused(clos: Espace) -> None:
    client = client_pour(clos.titulaire)
    for methode, url in _ecritures(clos):
        assert getattr(client, methode)(url).status_code == 404, (methode, url)


def test_the_menu_of_a_closed_space_keeps_only_what_can_be_read(clos: Espace) -> None:
    client = client_pour(clos.titulaire)
    page = client.get(reverse("dossier:documents", args=[clos.uuid])).content.decode()
    menu = page[
        page.index('id="navigation-espace"') : page.index(
            "</nav>", page.index('id="navigation-espace"')
        )
    ]
    for lisible in ("dossier:documents", "profil:profil_medical", "ensemble:historique"):
        assert reverse(lisible, args=[clos.uuid]) in menu
    for ecriture in ("profil:parametres", "agenda:liste", "professionnels:liste"):
        assert reverse(ecriture, args=[clos.uuid]) not in menu


def test_the_menu_of_an_open_space_is_whole(client_titulaire: Client, titulaire: Espace) -> None:
    page = client_titulaire.get(
        reverse("dossier:documents", args=[titulaire.uuid])
    ).content.decode()
    assert reverse("profil:parametres", args=[titulaire.uuid]) in page
    assert "Votre espace est clos" not in page


def test_the_holder_may_still_ask_for_an_export(clos: Espace) -> None:
    client = client_pour(clos.titulaire)
    reponse = client.post(reverse("ensemble:export_demander", args=[clos.uuid]))
    assert reponse.status_code == 302
    assert reponse.url == reverse("ensemble:exports", args=[clos.uuid])


def test_nobody_else_reads_a_closed_space(clos: Espace, client_autre: Client) -> None:
    for url in _lectures(clos):
        assert client_autre.get(url).status_code == 404, url


def test_a_representative_does_not_read_a_closed_childs_space(titulaire: Espace) -> None:
    enfant = EspaceFactory(titulaire=None, statut=Statut.CLOTURE)
    RepresentationFactory(espace=enfant, representant=titulaire)
    client = client_pour(titulaire.titulaire)
    for url in _lectures(enfant):
        assert client.get(url).status_code == 404, url


def test_a_professional_sees_nothing_of_a_closed_space(clos: Espace, pro_autorise: object) -> None:
    client = client_pour(pro_autorise.utilisateur)  # type: ignore[attr-defined]
    reponse = client.get(reverse("professionnels:patient", args=[clos.uuid]))
    assert reponse.status_code == 404
