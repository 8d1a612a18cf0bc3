"""Importing the shared DMP-style archives into a space (issue 7 groundwork)."""

from __future__ import annotations

import io
import zipfile

import pytest

from dossier import xdm
from dossier.import_dmp import archive_importer
from dossier.models import Document, Source

from ..conftest import SHARED_DATA, en_ci
from ..factories import EspaceFactory

pytestmark = pytest.mark.django_db

XDM = SHARED_DATA / "xdm"
INS_EXEMPLE = "277076322082910"  # the national examples' fictitious INS


@pytest.fixture
def archives() -> dict[str, bytes]:
    if not XDM.exists():
        raison = f"{XDM} est absent : les archives XDM de référence sont nécessaires."
        if en_ci():
            pytest.fail(raison)
        pytest.skip(raison)
    return {p.name: p.read_bytes() for p in XDM.glob("*_20*.zip")}


def test_the_shared_archives_import_once_into_the_patient_s_space(
    archives, django_capture_on_commit_callbacks
) -> None:
    espace = EspaceFactory(ins=INS_EXEMPLE, nom_naissance="EXEMPLE")
    for nom, contenu in sorted(archives.items()):
        with django_capture_on_commit_callbacks(execute=True):
            rapport = archive_importer(espace=espace, contenu=contenu)
        assert len(rapport.importes) == 1 and not rapport.refuses, (nom, rapport)
        again = archive_importer(espace=espace, contenu=contenu)
        assert again.importes == [] and again.deja_presents == rapport.importes
    documents = Document.objects.filter(espace=espace)
    assert documents.count() == len(archives) == 3
    assert {d.type_code for d in documents} == {"11502-2", "11490-0", "87273-9"}
    assert all(d.source == Source.IMPORT_DMP and d.statut == "disponible" for d in documents)


def test_another_patient_s_archive_is_refused_whole(archives) -> None:
    espace = EspaceFactory()
    with pytest.raises(xdm.ArchiveRefusee):
        archive_importer(espace=espace, contenu=next(iter(archives.values())))
    assert not Document.objects.exists()


def test_a_hostile_archive_stores_nothing() -> None:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        z.writestr("../../etc/passwd", b"x")
    with pytest.raises(xdm.ArchiveRefusee):
        archive_importer(espace=EspaceFactory(ins=INS_EXEMPLE), contenu=tampon.getvalue())
    assert not Document.objects.exists()


def test_the_holder_uploads_an_archive_and_reads_the_report(
    archives, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from dossier.models import ImportDMP
    from espace_sante.coffre.models import Blob

    from ..conftest import client_pour

    espace = EspaceFactory(ins=INS_EXEMPLE)
    client = client_pour(espace.titulaire)
    url = reverse("dossier:import_dmp", args=[espace.uuid])
    assert client.get(url).status_code == 200
    contenu = archives["VAC-NOTE_2021.01.zip"]
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reponse = client.post(
                url, {"archive": SimpleUploadedFile("dmp.zip", contenu, "application/zip")}
            )
        assert reponse.status_code == 302
    premier, second = ImportDMP.objects.order_by("cree_le")
    assert premier.etat == second.etat == "termine"
    assert len(premier.rapport["importes"]) == 1 and premier.rapport["deja_presents"] == []
    assert second.rapport["importes"] == [] and len(second.rapport["deja_presents"]) == 1
    assert premier.blob is None and not Blob.objects.filter(import_dmp__isnull=False).exists()
    page = client.get(reverse("dossier:import_dmp_etat", args=[espace.uuid, second.uuid]))
    assert "1 déjà présent" in page.content.decode()
    assert Document.objects.filter(espace=espace).count() == 1


def test_a_refused_archive_is_reported_and_keeps_nothing(
    django_capture_on_commit_callbacks,
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from dossier.models import ImportDMP

    from ..conftest import client_pour

    espace = EspaceFactory(ins=INS_EXEMPLE)
    client = client_pour(espace.titulaire)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dossier:import_dmp", args=[espace.uuid]),
            {"archive": SimpleUploadedFile("x.zip", b"pas une archive", "application/zip")},
        )
    demande = ImportDMP.objects.get()
    assert demande.etat == "refuse" and demande.rapport["motif"]
    page = client.get(reverse("dossier:import_dmp_etat", args=[espace.uuid, demande.uuid]))
    assert "rien n'a été ajouté" in page.content.decode()
    assert not Document.objects.exists()
