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
