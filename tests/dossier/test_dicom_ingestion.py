"""One DICOM of each kind through the real deposit and ingestion job (run in-process on commit):
every compression a decoder here handles, palette colour in either byte order, a dataset
without the Part-10 header; and the ones refused or kept without preview, with their reason."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image
from pydicom.uid import JPEG2000MC, HTJ2KLossless, JPEGLossless

from dossier.formats.pixels import taille_cible
from dossier.models import Apercu, Document, Statut
from espace_sante.coffre.models import Blob
from profil.models import Espace

from .test_dicom import (
    dicom_gris,
    encapsule,
    fichier,
    jpeg_sans_perte,
    motif,
    octets,
    reecrite,
    sans_entete,
    uniforme,
)
from .test_ingestion import _deposer

pytestmark = pytest.mark.django_db


def _image(client: Client, espace: Espace, document: Document, genre: str) -> Image.Image:
    reponse = client.get(reverse("dossier:apercu", args=[espace.uuid, document.uuid, genre, 0]))
    image = Image.open(io.BytesIO(b"".join(reponse.streaming_content)))
    image.load()
    return image


SORTES: dict[str, Callable[[], bytes]] = {
    "jpeg-lossless-sv1": lambda: fichier("JPGLosslessP14SV1_1s_1f_8b.dcm"),
    "jpeg-lossless-process-14": lambda: jpeg_lossless_predicteur_7(),
    "jpeg-ls-lossless": lambda: fichier("emri_small_jpeg_ls_lossless.dcm"),
    "jpeg-ls-near-lossless": lambda: fichier("JPEGLSNearLossless_16.dcm"),
    "jpeg-extended-12-bit": lambda: fichier("JPGExtended.dcm"),
    "jpeg-2000-lossless": lambda: fichier("US1_J2KR.dcm"),
    "jpeg-2000": lambda: fichier("JPEG2000.dcm"),
    "jpeg-2000-part-2": lambda: reecrite(fichier("JPEG2000.dcm"), syntaxe=JPEG2000MC),
    "htj2k": lambda: reecrite(fichier("MR_small_jp2klossless.dcm"), syntaxe=HTJ2KLossless),
    "palette-big-endian": lambda: fichier("OBXXXX1A_expb.dcm"),
    "sans-entete-palette": lambda: fichier("OT-PAL-8-face.dcm"),
}


def jpeg_lossless_predicteur_7() -> bytes:
    valeurs = motif(12)
    ds = dicom_gris(valeurs, bits=12)
    return octets(encapsule(ds, JPEGLossless, [jpeg_sans_perte(valeurs, 7, 12)]))


@pytest.mark.parametrize("sorte", SORTES)
def test_each_kind_of_dicom_becomes_available_with_previews_that_show_it(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks, sorte: str
) -> None:  # type: ignore[no-untyped-def]
    contenu = SORTES[sorte]()
    with django_capture_on_commit_callbacks(execute=True):
        reponse = _deposer(client_titulaire, titulaire, contenu, f"{sorte}.dcm")
    assert reponse.status_code == 302
    document = Document.objects.get()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    assert document.nature == "dicom"
    faits = json.loads(document.faits)
    assert "remarque" not in faits and faits["apercu_possible"] is True
    assert document.apercus.filter(genre=Apercu.Genre.IMAGE).count() == min(faits["images"], 50)
    apercu = _image(client_titulaire, titulaire, document, "image")
    taille = taille_cible((faits["largeur"], faits["hauteur"]), (1600, 6400))
    assert (apercu.width, apercu.height) == taille
    assert not uniforme(apercu)
    assert not uniforme(_image(client_titulaire, titulaire, document, "miniature"))
    page = client_titulaire.get(reverse("dossier:document", args=[titulaire.uuid, document.uuid]))
    assert "Image 1 sur" in page.content.decode()


def test_an_image_without_a_header_goes_through_the_deposit_and_the_job(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, sans_entete(fichier("CT_small.dcm")), "IM0001")
    document = Document.objects.get()
    assert document.statut == Statut.DISPONIBLE, document.motif_erreur
    assert json.loads(document.faits)["modalite"] == "CT"
    assert not uniforme(_image(client_titulaire, titulaire, document, "image"))


def test_bytes_that_only_look_like_a_dataset_are_refused_at_the_deposit(
    titulaire: Espace, client_titulaire: Client
) -> None:
    contenu = b"\x08\x00\x05\x00CS\x0a\x00ISO_IR 100" + bytes(range(256)) * 8
    reponse = _deposer(client_titulaire, titulaire, contenu, "IM0002")
    assert reponse.status_code == 400
    assert "Exportez l&#x27;examen" in reponse.content.decode()
    assert not Document.objects.exists() and not Blob.objects.exists()


def test_a_dicom_without_preview_says_why_on_its_page(
    titulaire: Espace, client_titulaire: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    contenu = octets(dicom_gris(np.full((16, 16), 700, dtype=np.uint16)))
    with django_capture_on_commit_callbacks(execute=True):
        _deposer(client_titulaire, titulaire, contenu, "blanc.dcm")
    document = Document.objects.get()
    assert document.statut == Statut.DISPONIBLE
    assert not document.apercus.exists()
    page = client_titulaire.get(reverse("dossier:document", args=[titulaire.uuid, document.uuid]))
    assert "une seule couleur" in page.content.decode()
