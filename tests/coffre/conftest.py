"""The vault's tests run against the filesystem and against a real S3-protocol server (moto in
server mode on loopback), through django-storages' S3 backend."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from moto.server import ThreadedMotoServer


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def serveur_s3() -> Iterator[str]:
    port = _port_libre()
    serveur = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    serveur.start()
    yield f"http://127.0.0.1:{port}"
    serveur.stop()


@pytest.fixture(params=["fichiers", "s3"])
def stockage(request, settings, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    """Point the default storage at a fresh directory or a fresh bucket."""
    if request.param == "fichiers":
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path / "blobs")},
            },
        }
        return "fichiers"
    url = request.getfixturevalue("serveur_s3")
    seau = f"coffre-{uuid.uuid4().hex[:12]}"
    identifiants = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    boto3.client("s3", endpoint_url=url, region_name="us-east-1", **identifiants).create_bucket(
        Bucket=seau
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": seau,
                "endpoint_url": url,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    return "s3"


def objets_stockes() -> dict[str, bytes]:
    """Every stored object of the vault, raw (ciphertext)."""
    from espace_sante.coffre import stockage as st

    contenu = {}
    for nom in st.lister("coffre"):
        with st.ouvrir(nom) as f:
            contenu[nom] = f.read()
    return contenu


def remplacer_objet(nom: str, donnees: bytes) -> None:
    from espace_sante.coffre import stockage as st

    st.supprimer(nom)
    assert st.stockage().save(nom, ContentFile(donnees)) == nom
