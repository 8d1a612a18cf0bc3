"""The database restarting under the web (issue 14, points 1 and 5): what is asked meanwhile
answers a clear 503 page ("réessayez dans quelques instants", nothing lost), and the site comes
back by itself — through a real gunicorn whose persistent connection goes through the loopback
proxy, and in-process for a deposit cut in the middle of its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from dossier import services
from dossier.models import Document, Source
from ensemble import demo
from espace_sante.coffre.models import Blob
from espace_sante.journal.models import Evenement
from espace_sante.journal.services import Acteur

from ..conftest import attendre
from ..factories import EspaceFactory
from .proxy import ProxyTCP
from .reprise import BIN, environnement, port_libre, postgresql, processus, url_base

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["postgresql"]


def _lire(url: str, cookie: str) -> tuple[int, Any, str]:
    reponse = httpx.get(url, cookies={settings.SESSION_COOKIE_NAME: cookie}, timeout=10)
    return reponse.status_code, reponse.headers, reponse.text


@pytest.fixture
def site(postgresql: None, tmp_path: Path) -> Iterator[tuple[str, ProxyTCP]]:
    """gunicorn (one sync worker, persistent connections as in production) on the proxy."""
    reglages = connection.settings_dict
    proxy = ProxyTCP(reglages["HOST"] or "127.0.0.1", int(reglages["PORT"] or 5432)).demarrer()
    port = port_libre()
    env = environnement(
        DATABASE_URL=url_base(proxy.port),
        CONN_MAX_AGE="600",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
    )
    commande = [str(BIN / "gunicorn"), "espace_sante.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"]
    journal = tmp_path / "gunicorn.log"
    try:
        with processus(commande, env, journal):
            base = f"http://127.0.0.1:{port}"

            def pret() -> bool:
                try:
                    return _lire(base + "/sante/", "")[0] == 200
                except httpx.HTTPError:
                    return False

            assert attendre(pret, 30), journal.read_text()
            yield base, proxy
    finally:
        proxy.arreter()


def _connecte(titre: str) -> tuple[Any, str]:
    espace = EspaceFactory()
    document = services.document_creer(
        espace=espace,
        contenu=demo.cda(ins=espace.ins, titre=titre),
        nom_fichier="cr.xml",
        titre=titre,
        date_acte=date(2026, 1, 10),
        type_code="11502-2",
        auteur=Acteur.systeme(),
        source=Source.IMPORT_DMP,
    )
    client = Client()
    client.force_login(espace.titulaire)
    return document.espace, client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_page_asked_while_the_database_is_cut_answers_503_and_the_next_one_200(site) -> None:  # type: ignore[no-untyped-def]
    base, proxy = site
    espace, cookie = _connecte("Bilan sanguin")
    url = base + reverse("dossier:documents", args=[espace.uuid])
    assert _lire(url, cookie)[0] == 200  # its connection is open now, and kept

    proxy.couper()
    statut, entetes, page = _lire(url, cookie)
    assert statut == 503, page
    assert entetes["Retry-After"] == "30"
    assert "Réessayez dans quelques instants." in page
    assert "Rien n’est perdu" in page
    assert "Bilan sanguin" not in page and "OperationalError" not in page

    proxy.retablir()
    statut, _, page = _lire(url, cookie)
    assert statut == 200 and "Bilan sanguin" in page


def test_a_database_restart_between_two_requests_goes_unnoticed(site) -> None:  # type: ignore[no-untyped-def]
    """The persistent connection died while idle: it is checked before use and replaced."""
    base, proxy = site
    espace, cookie = _connecte("Radio du thorax")
    url = base + reverse("dossier:documents", args=[espace.uuid])
    assert _lire(url, cookie)[0] == 200
    proxy.couper()
    proxy.retablir()
    statut, _, page = _lire(url, cookie)
    assert statut == 200 and "Radio du thorax" in page


@pytest.fixture
def base_par_le_proxy(postgresql: None) -> Iterator[ProxyTCP]:
    """This process's own connection goes through the proxy for the test."""
    reglages = connection.settings_dict
    port_direct = reglages["PORT"]
    proxy = ProxyTCP(reglages["HOST"] or "127.0.0.1", int(port_direct or 5432)).demarrer()
    connection.close()
    reglages["PORT"] = str(proxy.port)
    try:
        yield proxy
    finally:
        proxy.retablir()
        connection.close()
        reglages["PORT"] = port_direct
        proxy.arreter()


def test_a_deposit_cut_in_the_middle_of_its_transaction_writes_nothing_and_says_to_retry(
    base_par_le_proxy, titulaire, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    proxy = base_par_le_proxy
    client = Client(raise_request_exception=False)
    client.force_login(titulaire.titulaire)
    documents, evenements, blobs = (
        Document.objects.count(),
        Evenement.objects.count(),
        Blob.objects.count(),
    )
    journaliser = services._journal

    def coupure_apres_l_ecriture_du_document(*args: Any, **kwargs: Any) -> None:
        assert Document.objects.filter(espace=titulaire).exists()  # written, not committed
        proxy.couper()
        journaliser(*args, **kwargs)

    monkeypatch.setattr(services, "_journal", coupure_apres_l_ecriture_du_document)
    reponse = _deposer(client, titulaire)
    assert reponse.status_code == 503
    assert reponse["Retry-After"] == "30"
    page = reponse.content.decode()
    assert "Réessayez dans quelques instants." in page and "vous pourrez le renvoyer" in page

    proxy.retablir()
    monkeypatch.undo()
    assert not Document.objects.filter(espace=titulaire).exists()
    assert (Document.objects.count(), Evenement.objects.count(), Blob.objects.count()) == (
        documents,
        evenements,
        blobs,
    )
    # the site is back by itself: the same deposit, sent again, is taken
    assert _deposer(client, titulaire).status_code == 302
    assert Document.objects.filter(espace=titulaire).count() == 1


def _deposer(client: Client, espace: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fichier = SimpleUploadedFile("note.pdf", demo.pdf(), content_type="application/pdf")
    return client.post(
        reverse("dossier:deposer", args=[espace.uuid]),
        {
            "fichiers": fichier,
            "titre": "Ma note",
            "date_acte": "2026-01-15",
            "type_code": "DOCPAT05",
        },
    )
