"""The vault's storage failing while an upload is stored (issue 14, point 5): the person is told
nothing was kept (503, "réessayez"), nothing is recorded, no job queued; once the storage is
back, the same upload is kept once."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from dossier.models import Document, ImportDMP
from espace_sante.coffre.models import Blob
from espace_sante.taches.models import TacheEnAttente
from profil.models import Espace

from ..dossier import fabrique

pytestmark = pytest.mark.django_db


def _en_panne(settings, dossier: Path) -> None:  # type: ignore[no-untyped-def]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.fautes.stockage.StockageEnLectureSeule",
            "OPTIONS": {"location": str(dossier)},
        },
    }


def _deposer(client: Client, espace: Espace, contenu: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("dossier:deposer", args=[espace.uuid]),
        {
            "fichiers": SimpleUploadedFile("cr.pdf", contenu, "application/pdf"),
            "titre": "Compte rendu",
            "date_acte": "2026-01-15",
            "type_code": "DOCPAT05",
        },
    )


def test_an_upload_the_storage_fails_to_write_is_refused_truthfully_and_keeps_nothing(
    settings, tmp_path: Path, titulaire: Espace, client_titulaire: Client
) -> None:  # type: ignore[no-untyped-def]
    _en_panne(settings, tmp_path)
    contenu = fabrique.pdf(1)
    reponse = _deposer(client_titulaire, titulaire, contenu)
    assert reponse.status_code == 503
    page = reponse.content.decode()
    assert "momentanément indisponible" in page and "Réessayez dans quelques minutes" in page
    assert "ajouté" not in page
    assert not Document.objects.exists() and not Blob.objects.exists()
    assert not TacheEnAttente.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    reponse = _deposer(client_titulaire, titulaire, contenu)  # the storage is back: once
    assert reponse.status_code == 302
    assert Document.objects.count() == 1


def test_a_dmp_archive_the_storage_fails_to_write_is_refused_truthfully_and_keeps_nothing(
    settings, tmp_path: Path, titulaire: Espace, client_titulaire: Client
) -> None:  # type: ignore[no-untyped-def]
    _en_panne(settings, tmp_path)
    reponse = client_titulaire.post(
        reverse("dossier:import_dmp", args=[titulaire.uuid]),
        {"archive": SimpleUploadedFile("dmp.zip", b"PK\x03\x04" + b"0" * 64, "application/zip")},
    )
    assert reponse.status_code == 503
    assert "momentanément indisponible" in reponse.content.decode()
    assert not ImportDMP.objects.exists() and not Blob.objects.exists()
    assert not TacheEnAttente.objects.exists()
