"""Uploads encrypted while they arrive; downloads decrypted while they stream."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopFutureHandlers, StopUpload
from django.test import Client
from django.urls import reverse

from espace_sante.coffre import services
from espace_sante.coffre.models import Blob
from espace_sante.coffre.televersement import TeleversementChiffre
from espace_sante.journal.models import Action, Evenement
from espace_sante.lib.envkeys import KeySet
from tests.appli_test.models import PieceJointe

from ..conftest import client_pour
from ..factories import UtilisateurFactory
from .conftest import objets_stockes, remplacer_objet

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.coffre.vues")]
SEGMENT = 64 * 1024
MARQUEUR = b"CONFIDENTIEL-Camille-MARTIN-VIH-"


@pytest.fixture(autouse=True)
def _reglages(settings):  # type: ignore[no-untyped-def]
    settings.VAULT_SEGMENT_SIZE = SEGMENT
    settings.VAULT_SPOOL_MEMORY = 128 * 1024  # small, so that big uploads spill to disk


@pytest.fixture
def personne():  # type: ignore[no-untyped-def]
    return UtilisateurFactory()


@pytest.fixture
def client(personne) -> Client:  # type: ignore[no-untyped-def]
    return client_pour(personne)


def _televerser(
    client: Client, contenu: bytes, nom: str = "cr.pdf", type_: str = "application/pdf"
):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("televerser"), {"fichier": SimpleUploadedFile(nom, contenu, content_type=type_)}
    )


def test_an_upload_is_encrypted_as_it_arrives_and_no_plaintext_touches_a_temp_file(
    stockage: str, client: Client, settings, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    temporaire = tmp_path / "tmp"
    temporaire.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temporaire)
    monkeypatch.setattr(tempfile, "tempdir", str(temporaire))
    ecrits: list[bytes] = []
    vrai = tempfile.SpooledTemporaryFile

    class Espion(vrai):  # type: ignore[misc,valid-type]
        def write(self, s):  # type: ignore[no-untyped-def]
            ecrits.append(bytes(s))
            return super().write(s)

    monkeypatch.setattr(services.tempfile, "SpooledTemporaryFile", Espion)
    contenu = MARQUEUR * (3 * 1024 * 1024 // len(MARQUEUR))  # 3 MiB: the spool goes to disk
    reponse = _televerser(client, contenu)
    assert reponse.status_code == 200, reponse.content
    ecrit = b"".join(ecrits)
    assert len(ecrit) > len(contenu) and MARQUEUR not in ecrit  # everything spooled was ciphertext
    for fichier in temporaire.rglob("*"):
        assert MARQUEUR not in fichier.read_bytes()
    piece = PieceJointe.objects.get()
    assert piece.blob.sha256 == services.empreinte_blob(hashlib.sha256(contenu).hexdigest())
    assert all(MARQUEUR not in donnees for donnees in objets_stockes().values())
    telecharge = client.get(reverse("telecharger", args=[piece.uuid]))
    assert b"".join(telecharge.streaming_content) == contenu


def test_download_headers(stockage: str, client: Client) -> None:
    contenu = os.urandom(3 * SEGMENT + 11)
    piece_uuid = _televerser(client, contenu, nom="compte rendu été.pdf").json()["uuid"]
    reponse = client.get(reverse("telecharger", args=[piece_uuid]))
    assert reponse.status_code == 200 and reponse.streaming
    assert reponse["Content-Length"] == str(len(contenu))
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''compte%20rendu%20%C3%A9t%C3%A9.pdf" in reponse["Content-Disposition"]
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert reponse["Accept-Ranges"] == "bytes"
    assert "no-store" in reponse["Cache-Control"]
    assert b"".join(reponse.streaming_content) == contenu
    en_ligne = client.get(reverse("telecharger", args=[piece_uuid]), {"en_ligne": "1"})
    assert en_ligne["Content-Disposition"].startswith("inline;")


def test_html_is_never_served_as_a_page_of_the_site(stockage: str, client: Client) -> None:
    piece_uuid = _televerser(
        client, b"<script>alert(1)</script>", nom="x.html", type_="text/html"
    ).json()["uuid"]
    reponse = client.get(reverse("telecharger", args=[piece_uuid]), {"en_ligne": "1"})
    assert "sandbox" in reponse["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("entete", "debut", "fin"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=10-70000", 10, 70000),
        ("bytes=65530-", 65530, 3 * SEGMENT + 10),
        ("bytes=-100", 3 * SEGMENT + 11 - 100, 3 * SEGMENT + 10),
        ("bytes=100-999999999", 100, 3 * SEGMENT + 10),
    ],
)
def test_range_requests(stockage: str, client: Client, entete: str, debut: int, fin: int) -> None:
    contenu = os.urandom(3 * SEGMENT + 11)
    piece_uuid = _televerser(client, contenu).json()["uuid"]
    reponse = client.get(reverse("telecharger", args=[piece_uuid]), HTTP_RANGE=entete)
    assert reponse.status_code == 206
    assert reponse["Content-Range"] == f"bytes {debut}-{fin}/{len(contenu)}"
    assert reponse["Content-Length"] == str(fin - debut + 1)
    assert b"".join(reponse.streaming_content) == contenu[debut : fin + 1]


@pytest.mark.parametrize("entete", ["bytes=999999-", "bytes=-0", "bytes=50-10"])
def test_unsatisfiable_ranges_get_416(stockage: str, client: Client, entete: str) -> None:
    piece_uuid = _televerser(client, b"a" * 1000).json()["uuid"]
    reponse = client.get(reverse("telecharger", args=[piece_uuid]), HTTP_RANGE=entete)
    assert reponse.status_code == 416 and reponse["Content-Range"] == "bytes */1000"


def test_someone_elses_file_is_404(stockage: str, client: Client) -> None:
    piece_uuid = _televerser(client, b"secret").json()["uuid"]
    autre = client_pour(UtilisateurFactory())
    assert autre.get(reverse("telecharger", args=[piece_uuid])).status_code == 404
    assert client.get(reverse("telecharger", args=[uuid.uuid4()])).status_code == 404
    assert Client().get(reverse("telecharger", args=[piece_uuid])).status_code == 302


def _piece(client: Client, contenu: bytes) -> PieceJointe:
    return PieceJointe.objects.select_related("blob").get(
        uuid=_televerser(client, contenu).json()["uuid"]
    )


@pytest.mark.parametrize("cas", ["octet-debut", "absent", "cle"])
def test_an_unreadable_file_gets_a_clear_error_page_and_a_journal_event(
    stockage: str, client: Client, personne, settings, cas: str
) -> None:  # type: ignore[no-untyped-def]
    piece = _piece(client, os.urandom(2 * SEGMENT))
    nom = piece.blob.nom
    if cas == "octet-debut":
        chiffre = bytearray(objets_stockes()[nom])
        chiffre[100] ^= 1
        remplacer_objet(nom, bytes(chiffre))
    elif cas == "absent":
        from espace_sante.coffre import stockage as st

        st.supprimer(nom)
    else:
        settings.ENCRYPTION_KEYS = KeySet(keys={"autre": os.urandom(32)}, active="autre")
    reponse = client.get(reverse("telecharger", args=[piece.uuid]))
    assert reponse.status_code == 500
    assert "Ce document ne peut pas être lu" in reponse.content.decode()
    evenement = Evenement.objects.get(action=Action.FICHIER_ILLISIBLE)
    assert evenement.objet_id == str(piece.blob_id)
    assert (
        evenement.details["motif"]
        == {"octet-debut": "corrompu", "absent": "absent", "cle": "cle"}[cas]
    )


def test_a_later_altered_segment_stops_the_stream_without_serving_it(
    stockage: str, client: Client
) -> None:
    contenu = os.urandom(4 * SEGMENT)
    piece = _piece(client, contenu)
    chiffre = bytearray(objets_stockes()[piece.blob.nom])
    chiffre[-SEGMENT] ^= 1  # inside the last segment
    remplacer_objet(piece.blob.nom, bytes(chiffre))
    reponse = client.get(reverse("telecharger", args=[piece.uuid]))
    assert reponse.status_code == 200  # headers were sent with the first, valid segment
    recu = []
    with pytest.raises(services.BlobIllisible):
        for morceau in reponse.streaming_content:
            recu.append(morceau)
    assert b"".join(recu) == contenu[: 3 * SEGMENT]
    assert Evenement.objects.filter(action=Action.FICHIER_ILLISIBLE).count() == 1


def test_an_upload_declared_over_the_limit_is_refused_with_413_before_a_byte_is_read(
    stockage: str, client: Client, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    settings.VAULT_MAX_UPLOAD = 1024 * 1024
    recus: list[int] = []
    original = TeleversementChiffre.receive_data_chunk

    def compter(self, raw_data, start):  # type: ignore[no-untyped-def]
        recus.append(len(raw_data))
        return original(self, raw_data, start)

    monkeypatch.setattr(TeleversementChiffre, "receive_data_chunk", compter)
    # declared size over the limit: refused from Content-Length, before the body is parsed
    reponse = _televerser(client, b"x" * (3 * 1024 * 1024))
    assert reponse.status_code == 413 and "taille maximale de 1 Mo" in reponse.content.decode()
    assert recus == []
    assert not Blob.objects.exists() and objets_stockes() == {}


def test_a_file_growing_past_the_limit_is_cut_at_the_limit(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.VAULT_MAX_UPLOAD = 200 * 1024
    gestionnaire = TeleversementChiffre(None)
    gestionnaire.handle_raw_input(None, {}, 1000, b"b")  # the client lied about its size
    with pytest.raises(StopFutureHandlers):
        gestionnaire.new_file("fichier", "x.bin", "application/octet-stream", None)

    with pytest.raises(StopUpload):
        for debut in range(0, 10 * 1024 * 1024, 64 * 1024):
            gestionnaire.receive_data_chunk(b"y" * 64 * 1024, debut)
    assert debut < 300 * 1024
    assert gestionnaire.ecrivain is None


def test_an_interrupted_upload_keeps_nothing(stockage: str) -> None:
    gestionnaire = TeleversementChiffre(None)
    gestionnaire.handle_raw_input(None, {}, 10_000, b"b")
    with pytest.raises(StopFutureHandlers):
        gestionnaire.new_file("fichier", "x.pdf", "application/pdf", None)
    gestionnaire.receive_data_chunk(os.urandom(5000), 0)
    gestionnaire.upload_interrupted()
    assert objets_stockes() == {} and not Blob.objects.exists()


def test_an_empty_file_is_refused_and_nothing_is_kept(stockage: str, client: Client) -> None:
    reponse = _televerser(client, b"")
    assert reponse.status_code == 400 and "vide" in reponse.content.decode()
    assert not Blob.objects.exists() and objets_stockes() == {}
