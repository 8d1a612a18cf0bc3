"""Issue 13, finding 1: nothing reaches the vault from a request that is not an authenticated,
authorised upload to a URL that expects one; oversize bodies are refused before they are read;
orphans are collected by a scheduled task within the hour.

The attack: a CSRF token, then multipart POSTs to any URL. The CSRF middleware parses every
POST body before any view or permission check, so the upload handler ran for all of them."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as reglages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from espace_sante.celery import app
from espace_sante.coffre import services, stockage
from espace_sante.coffre.models import Blob
from espace_sante.coffre.televersement import MARGE_MULTIPART
from profil.models import Espace

from .factories import document

pytestmark = pytest.mark.django_db
CONTENU = b"%PDF-1.4\n" + b"CONFIDENTIEL " * 40_000  # about 500 kB


@pytest.fixture(autouse=True)
def _coffre(settings, tmp_path: Path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """The vault in a fresh directory; temporary files in another, to see what lands there."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "blobs")},
        },
    }
    temporaire = tmp_path / "tmp"
    temporaire.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temporaire)
    monkeypatch.setattr(tempfile, "tempdir", str(temporaire))
    return tmp_path


def _stockage(racine: Path) -> tuple[set[str], int, set[str]]:
    """Every stored object, the number of blob rows, and every named temporary file."""
    blobs = racine / "blobs"
    objets = {str(p.relative_to(blobs)) for p in blobs.rglob("*") if p.is_file()}
    temporaires = {p.name for p in (racine / "tmp").rglob("*") if p.is_file()}
    return objets, Blob.objects.count(), temporaires


def _client_csrf(utilisateur: Any = None) -> tuple[Client, str]:
    """A browser that enforces CSRF, holding a real token obtained with a GET of the login page
    (as the attacker did); then logged in when ``utilisateur`` is given."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("account_login"))
    if utilisateur is not None:
        client.force_login(utilisateur)
    return client, client.cookies[reglages.CSRF_COOKIE_NAME].value


def _fichier(nom: str = "cr.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, CONTENU, content_type="application/pdf")


def _post(client: Client, url: str, jeton: str, **champs: Any) -> Any:
    donnees = {
        "csrfmiddlewaretoken": jeton,
        "fichiers": _fichier(),
        "fichier": _fichier(),
        "archive": _fichier("dmp.zip"),
        "titre": "Compte rendu",
        "date_acte": "2026-03-03",
        "type_code": "DOCPAT05",
        **champs,
    }
    return client.post(url, donnees)


def test_an_anonymous_multipart_post_to_the_health_check_stores_nothing(_coffre: Path) -> None:
    client, jeton = _client_csrf()
    avant = _stockage(_coffre)
    for _ in range(3):
        _post(client, reverse("sante"), jeton)
    assert _stockage(_coffre) == avant == (set(), 0, set())


def test_an_anonymous_multipart_post_to_an_upload_url_stores_nothing(
    _coffre: Path, titulaire: Espace
) -> None:
    client, jeton = _client_csrf()
    reponse = _post(client, reverse("dossier:deposer", args=[titulaire.uuid]), jeton)
    assert reponse.status_code == 302 and "login" in reponse["Location"]
    assert _stockage(_coffre) == (set(), 0, set())


def test_an_authenticated_multipart_post_to_a_page_that_takes_no_file_stores_nothing(
    _coffre: Path, titulaire: Espace
) -> None:
    client, jeton = _client_csrf(titulaire.titulaire)
    url = reverse("dossier:reglages", args=[titulaire.uuid])
    reponse = _post(client, url, jeton, tout_masque="on")
    assert reponse.status_code == 302  # the page did its job, the file parts were dropped
    assert _stockage(_coffre) == (set(), 0, set())


def test_an_authenticated_multipart_post_to_a_404_stores_nothing(
    _coffre: Path, titulaire: Espace, autre_titulaire: Espace
) -> None:
    client, jeton = _client_csrf(titulaire.titulaire)
    inconnue = _post(client, "/nulle-part/", jeton)
    chez_un_autre = _post(client, reverse("dossier:deposer", args=[autre_titulaire.uuid]), jeton)
    import_chez_un_autre = _post(
        client, reverse("dossier:import_dmp", args=[autre_titulaire.uuid]), jeton
    )
    assert inconnue.status_code == chez_un_autre.status_code == 404
    assert import_chez_un_autre.status_code == 404
    assert _stockage(_coffre) == (set(), 0, set())


def _urls_de_televersement(titulaire: Espace, pro: Any, operateur: Any) -> list[tuple[Any, str]]:
    """Every upload URL of the project, with a persona allowed to upload there."""
    doc = document(titulaire, titre="Ancienne version")
    return [
        (titulaire.titulaire, reverse("dossier:deposer", args=[titulaire.uuid])),
        (titulaire.titulaire, reverse("dossier:remplacer", args=[titulaire.uuid, doc.uuid])),
        (titulaire.titulaire, reverse("dossier:import_dmp", args=[titulaire.uuid])),
        (pro.utilisateur, reverse("professionnels:deposer", args=[titulaire.uuid])),
        (pro.utilisateur, reverse("professionnels:remplacer", args=[titulaire.uuid, doc.uuid])),
        (operateur, reverse("admin:profil_espace_import_dmp", args=[titulaire.pk])),
        (operateur, reverse("admin:profil_espace_importer")),
    ]


def test_an_upload_with_a_bad_csrf_token_is_refused_and_stores_nothing_on_every_upload_url(
    _coffre: Path, titulaire: Espace, pro_autorise: Any, operateur: Any
) -> None:
    urls = _urls_de_televersement(titulaire, pro_autorise, operateur)
    avant = _stockage(_coffre)  # the document to replace has its blob
    for personne, url in urls:
        client, jeton = _client_csrf(personne)
        mauvais = "x" * len(jeton)
        sans_jeton = Client(enforce_csrf_checks=True)
        sans_jeton.force_login(personne)
        sans_jeton.cookies[reglages.CSRF_COOKIE_NAME] = jeton
        for reponse in (
            _post(client, url, mauvais),
            sans_jeton.post(url, {"fichier": _fichier(), "fichiers": _fichier()}),
        ):
            assert reponse.status_code == 403, url
            assert _stockage(_coffre) == avant, url


def test_every_upload_url_still_accepts_its_persona_with_a_good_csrf_token(
    _coffre: Path, titulaire: Espace, pro_autorise: Any, operateur: Any
) -> None:
    for personne, url in _urls_de_televersement(titulaire, pro_autorise, operateur):
        client, jeton = _client_csrf(personne)
        reponse = _post(client, url, jeton)
        assert reponse.status_code in {200, 302, 400}, (url, reponse.status_code)


def test_an_accepted_upload_with_a_good_csrf_token_is_stored(
    _coffre: Path, titulaire: Espace
) -> None:
    """The counterpart of the refusals above: the same request with the right token stores the
    file (so the tests above would see an object if one were stored)."""
    client, jeton = _client_csrf(titulaire.titulaire)
    reponse = _post(client, reverse("dossier:deposer", args=[titulaire.uuid]), jeton)
    assert reponse.status_code == 302, reponse.content.decode()[:2000]
    objets, blobs, temporaires = _stockage(_coffre)
    assert len(objets) >= 1 and blobs >= 1 and temporaires == set()
    assert all(b"CONFIDENTIEL" not in (_coffre / "blobs" / o).read_bytes() for o in objets)


def test_an_upload_view_that_reads_its_body_before_opening_the_upload_is_refused(
    rf: Any,
) -> None:
    from espace_sante.coffre.televersement import vue_de_televersement

    @vue_de_televersement
    def vue(request: Any) -> Any:
        return request.POST  # before televersement_ouvrir: the CSRF token was never checked

    with pytest.raises(RuntimeError):
        vue(rf.post("/", {"fichier": _fichier()}))


class _CorpsIntouchable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = read


def test_a_body_declared_over_the_upload_limit_is_refused_with_413_before_it_is_read(
    titulaire: Espace,
) -> None:
    client, _jeton = _client_csrf(titulaire.titulaire)
    longueur = reglages.VAULT_MAX_UPLOAD + MARGE_MULTIPART + 1
    reponse = client.generic(
        "POST",
        reverse("dossier:deposer", args=[titulaire.uuid]),
        b"x",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(longueur),
        **{"wsgi.input": _CorpsIntouchable()},
    )
    page = reponse.content.decode()
    assert reponse.status_code == 413
    assert "taille maximale de 100 Mo" in page and "plus petit" in page


def test_a_body_over_the_form_limit_is_refused_with_413_before_it_is_read_elsewhere(
    titulaire: Espace,
) -> None:
    client, _jeton = _client_csrf()
    for url in (
        reverse("sante"),
        reverse("dossier:reglages", args=[titulaire.uuid]),
        "/nulle-part/",  # Django's 404 page would parse the body too
    ):
        reponse = client.generic(
            "POST",
            url,
            b"x",
            content_type="multipart/form-data; boundary=xyz",
            CONTENT_LENGTH=str(reglages.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            **{"wsgi.input": _CorpsIntouchable()},
        )
        assert reponse.status_code == 413 and "taille acceptée" in reponse.content.decode()


def test_the_vault_collection_is_scheduled_so_that_an_orphan_goes_within_the_hour() -> None:
    taches = {entree["task"]: entree for entree in reglages.CELERY_BEAT_SCHEDULE.values()}
    entree = taches["espace_sante.coffre.tasks.orphelins_supprimer"]
    from espace_sante.coffre import tasks

    assert tasks.orphelins_supprimer.name == entree["task"]
    assert entree["task"] in app.tasks
    assert entree["schedule"] + reglages.VAULT_GC_GRACE <= timedelta(hours=1)
    # long enough for a write and the transaction that creates its row
    assert timedelta(minutes=15) <= reglages.VAULT_GC_GRACE


def test_the_scheduled_task_removes_orphans_older_than_the_grace_and_keeps_the_rest(
    _coffre: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    from espace_sante.coffre.tasks import orphelins_supprimer

    garde = services.blob_ecrire_octets(b"garde", media_type="text/plain")
    recent = services.blob_stocker(source=[b"en cours"], media_type="text/plain")
    vieux = services.blob_stocker(source=[b"abandon"], media_type="text/plain")
    il_y_a_une_heure = (services.timezone.now() - timedelta(hours=1)).timestamp()
    os.utime(stockage.chemin_local(vieux.nom), (il_y_a_une_heure, il_y_a_une_heure))  # type: ignore[arg-type]
    settings.VAULT_GC_GRACE = timedelta(minutes=30)
    assert orphelins_supprimer.delay().get() == 1
    assert set(stockage.lister("coffre")) == {garde.nom, recent.nom}
