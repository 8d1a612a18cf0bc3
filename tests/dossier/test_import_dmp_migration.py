"""DMP import: progress, a killed job resumed, and the operators' bulk migration
(``manage.py import_dmp_archives DIR``). The archives are made here (``ensemble.demo``)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from dossier import import_dmp, import_masse
from dossier.models import Document, ImportDMP, Source
from ensemble import demo
from espace_sante.coffre.models import Blob
from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur
from profil.models import Statut

from ..conftest import client_pour
from ..factories import EspaceFactory

pytestmark = pytest.mark.django_db


def _archive(ins: str, nombre: int, prefixe: str = "1.2.250.1.999.9") -> bytes:
    return demo.archive_xdm(
        ins=ins,
        documents=[
            demo.DocumentXDM(
                contenu=demo.cda(ins=ins, titre=f"Compte rendu {rang}"),
                identifiant_unique=f"{prefixe}.{rang}",
                titre=f"Compte rendu {rang}",
            )
            for rang in range(nombre)
        ],
    )


def _demande(espace, contenu: bytes) -> ImportDMP:  # type: ignore[no-untyped-def]
    from espace_sante.coffre import services as coffre

    return import_dmp.import_demander(
        espace=espace,
        attente=coffre.blob_stocker(source=[contenu], media_type="application/zip"),
        acteur=Acteur.systeme(),
    )


def test_progress_is_written_with_each_document(django_capture_on_commit_callbacks) -> None:
    espace = EspaceFactory()
    vus: list[tuple[int, int, int]] = []
    rapport = import_dmp.archive_importer(
        espace=espace,
        contenu=_archive(espace.ins, 4),
        suivi=lambda r, traites, total: vus.append((traites, total, len(r.importes))),
    )
    assert vus == [(0, 4, 0), (1, 4, 1), (2, 4, 2), (3, 4, 3), (4, 4, 4)]
    assert len(rapport.importes) == 4


def test_the_job_records_progress_then_the_page_and_its_poll_show_it(
    django_capture_on_commit_callbacks,
) -> None:
    espace = EspaceFactory()
    with django_capture_on_commit_callbacks(execute=False) as rappels:
        demande = _demande(espace, _archive(espace.ins, 3))
    client = client_pour(espace.titulaire)
    url = reverse("dossier:import_dmp_etat", args=[espace.uuid, demande.uuid])
    page = client.get(url).content.decode()
    # its job has not left yet (the commit callbacks are held): the page says it waits
    assert 'id="suivi-import"' in page and "L'import est en attente" in page
    assert client.get(url, HTTP_ACCEPT="application/json").json() == {
        "etat": "en_attente",
        "traites": 0,
        "total": 0,
    }
    ImportDMP.objects.filter(pk=demande.pk).update(etat="en_cours", traites=1, total=3)
    page = client.get(url).content.decode()
    assert 'max="3" value="1"' in page and "1 sur 3 documents traités" in page
    for rappel in rappels:
        rappel()
    assert client.get(url, HTTP_ACCEPT="application/json").json() == {
        "etat": "termine",
        "traites": 3,
        "total": 3,
    }
    assert "3 documents importés" in client.get(url).content.decode()
    actions = set(
        Evenement.objects.filter(objet_id=str(demande.uuid)).values_list("action", flat=True)
    )
    assert actions == {Action.IMPORT_DMP_DEMANDE, Action.IMPORT_DMP_TERMINE}


def test_someone_else_s_import_is_not_found(client_autre, titulaire) -> None:  # type: ignore[no-untyped-def]
    demande = ImportDMP.objects.create(espace=titulaire)
    url = reverse("dossier:import_dmp_etat", args=[titulaire.uuid, demande.uuid])
    assert client_autre.get(url).status_code == 404
    assert client_autre.get(url, HTTP_ACCEPT="application/json").status_code == 404


def test_a_job_killed_midway_resumes_and_finishes_without_duplicates(
    monkeypatch, django_capture_on_commit_callbacks
) -> None:
    espace = EspaceFactory()
    with django_capture_on_commit_callbacks(execute=False):
        demande = _demande(espace, _archive(espace.ins, 5))
    vrai = import_dmp.document_creer
    appels = 0

    def tue_au_troisieme(**kwargs):  # type: ignore[no-untyped-def]
        nonlocal appels
        appels += 1
        if appels == 3:
            raise SystemExit("worker killed")  # the process dies in the middle of a document
        return vrai(**kwargs)

    monkeypatch.setattr(import_dmp, "document_creer", tue_au_troisieme)
    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
        import_dmp.import_executer(demande_id=demande.pk)
    demande.refresh_from_db()
    assert demande.etat == "en_cours" and demande.traites == 2 and demande.total == 5
    assert demande.modifie_le > demande.cree_le  # its last sign of life, for the sweep
    assert len(demande.rapport["importes"]) == 2 and demande.blob is not None
    assert Document.objects.filter(espace=espace).count() == 2

    monkeypatch.setattr(import_dmp, "document_creer", vrai)
    with django_capture_on_commit_callbacks(execute=True):
        assert import_dmp.import_executer(demande_id=demande.pk) == "termine"
    demande.refresh_from_db()
    assert demande.etat == "termine" and demande.traites == demande.total == 5
    assert sorted(demande.rapport["importes"]) == [f"1.2.250.1.999.9.{r}" for r in range(5)]
    assert demande.rapport["deja_presents"] == [] and demande.blob is None
    documents = Document.objects.filter(espace=espace)
    assert documents.count() == 5
    assert len(set(documents.values_list("identifiant_unique", flat=True))) == 5
    assert all(d.statut == "disponible" and d.source == Source.IMPORT_DMP for d in documents)
    # A third run (a redelivered message) does nothing.
    assert import_dmp.import_executer(demande_id=demande.pk) == "ignoré"


def test_imports_left_waiting_are_queued_again_by_the_sweep(monkeypatch) -> None:
    from dossier import ingestion

    espace = EspaceFactory()
    demande = ImportDMP.objects.create(espace=espace, etat="en_cours")
    programmes: list[int] = []
    monkeypatch.setattr(import_dmp, "_programmer", programmes.append)
    assert ingestion.documents_relancer_en_suspens() == 0  # too recent: it may be running
    # Asked long ago but still progressing: left alone.
    ImportDMP.objects.filter(pk=demande.pk).update(cree_le="2020-01-01T00:00:00Z")
    assert ingestion.documents_relancer_en_suspens() == 0
    ImportDMP.objects.filter(pk=demande.pk).update(modifie_le="2020-01-01T00:00:00Z")
    assert ingestion.documents_relancer_en_suspens() == 1 and programmes == [demande.pk]


# --- Bulk migration ---------------------------------------------------------------------------


@pytest.fixture
def lot(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A folder as the operators receive it: archives for three spaces, one for nobody, one
    hostile, one of another patient's documents under a space's INS, a sub-folder."""
    a, b = EspaceFactory(), EspaceFactory()
    c = EspaceFactory(statut=Statut.CREE, titulaire=None)  # not yet activated: still receives
    oppose = EspaceFactory(statut=Statut.OPPOSE, titulaire=None)
    (tmp_path / "lot2").mkdir()
    (tmp_path / "a.zip").write_bytes(_archive(a.ins, 3, "1.2.250.1.999.1"))
    (tmp_path / "lot2" / "b.zip").write_bytes(_archive(b.ins, 2, "1.2.250.1.999.2"))
    (tmp_path / "c.zip").write_bytes(_archive(c.ins, 1, "1.2.250.1.999.3"))
    (tmp_path / "inconnu.zip").write_bytes(_archive("299999999999999", 1, "1.2.250.1.999.4"))
    (tmp_path / "oppose.zip").write_bytes(_archive(oppose.ins, 1, "1.2.250.1.999.5"))
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as z:
        z.writestr("../../evil.txt", b"x")
    (tmp_path / "hostile.zip").write_bytes(tampon.getvalue())
    (tmp_path / "notes.txt").write_text("pas une archive")
    return tmp_path, (a, b, c, oppose)


@pytest.mark.django_db(transaction=True)  # the jobs run as each request commits
def test_the_bulk_command_imports_each_archive_into_its_space_and_can_run_again(lot) -> None:
    dossier, (a, b, c, oppose) = lot
    sortie = io.StringIO()
    call_command("import_dmp_archives", str(dossier), "--concurrence", "2", stdout=sortie)
    texte = sortie.getvalue()
    assert "6 archive(s) trouvée(s)" in texte
    assert "Programmées : 3 ; reprises : 0 ; déjà importées : 0 ; refusées : 3 ;" in texte
    assert "inconnu.zip : refusée : Aucun espace santé n'a l'INS de cette archive." in texte
    assert "oppose.zip : refusée : L'espace santé de cet INS est « Opposé »." in texte
    assert "hostile.zip : refusée" in texte
    assert "lot2/b.zip : programmée" in texte  # named by its path in the folder
    assert "Documents : 6 importé(s) ; 0 déjà présent(s) ; 0 conflit(s)" in texte
    assert texte.rstrip().endswith("0 refusé(s).")  # the summary comes last
    comptes = {e.pk: Document.objects.filter(espace=e).count() for e in (a, b, c, oppose)}
    assert comptes == {a.pk: 3, b.pk: 2, c.pk: 1, oppose.pk: 0}
    assert set(ImportDMP.objects.values_list("etat", "par_operateur")) == {("termine", True)}
    assert not Blob.objects.filter(import_dmp__isnull=False).exists()  # archives removed

    sortie = io.StringIO()
    call_command("import_dmp_archives", str(dossier), stdout=sortie)
    assert "Programmées : 0 ; reprises : 0 ; déjà importées : 3 ; refusées : 3 ;" in (
        sortie.getvalue()
    )
    assert Document.objects.count() == 6 and ImportDMP.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_bulk_command_resumes_what_a_killed_run_left_waiting(lot, monkeypatch) -> None:
    dossier, _espaces = lot
    programmes: list[int] = []
    monkeypatch.setattr(import_dmp, "_programmer", programmes.append)  # the queue lost them
    call_command(
        "import_dmp_archives",
        str(dossier),
        "--concurrence",
        "3",
        "--delai",
        "0",
        stdout=io.StringIO(),
    )
    assert len(programmes) == 3 and Document.objects.count() == 0
    monkeypatch.undo()
    sortie = io.StringIO()
    call_command("import_dmp_archives", str(dossier), stdout=sortie)
    assert "Programmées : 0 ; reprises : 3" in sortie.getvalue()
    assert "Documents : 6 importé(s)" in sortie.getvalue()
    assert ImportDMP.objects.count() == 3 and Document.objects.count() == 6


def test_concurrency_is_bounded(lot, monkeypatch) -> None:
    dossier, _espaces = lot
    en_vol_max = 0
    programmes: list[int] = []

    def programmer(pk: int) -> None:
        nonlocal en_vol_max
        programmes.append(pk)
        attente = ImportDMP.objects.filter(etat__in=["en_attente", "en_cours"]).count()
        en_vol_max = max(en_vol_max, attente)

    def sommeil(_secondes: float) -> None:  # the "worker" finishes the oldest waiting import
        plus_ancien = ImportDMP.objects.filter(etat="en_attente").order_by("pk").first()
        assert plus_ancien is not None, "the command waits for nothing"
        import_dmp.import_executer(demande_id=plus_ancien.pk)

    monkeypatch.setattr(import_dmp, "_programmer", programmer)
    monkeypatch.setattr(import_masse.time, "sleep", sommeil)
    monkeypatch.setattr(import_dmp.transaction, "on_commit", lambda f, **k: f())
    migration = import_masse.archives_migrer(
        import_masse.archives_trouver(dossier).archives, acteur=Acteur.systeme(), concurrence=1
    )
    assert len(migration.programmees) == 3 and en_vol_max == 1


def test_the_bulk_command_refuses_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="n'est pas un dossier"):
        call_command("import_dmp_archives", str(tmp_path / "absent"))


# --- An operator, for one space (the admin) ---------------------------------------------------


def test_an_operator_imports_an_archive_into_a_space_from_the_admin(
    client_operateur, operateur, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    espace = EspaceFactory()
    url = reverse("admin:profil_espace_import_dmp", args=[espace.pk])
    assert (
        url
        in client_operateur.get(
            reverse("admin:profil_espace_change", args=[espace.pk])
        ).content.decode()
    )
    contenu = _archive(espace.ins, 2)
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_operateur.post(
            url, {"archive": SimpleUploadedFile("dmp.zip", contenu, "application/zip")}
        )
    assert reponse.status_code == 302
    demande = ImportDMP.objects.get(espace=espace)
    assert demande.par_operateur and demande.demande_par == operateur
    assert demande.etat == "termine" and Document.objects.filter(espace=espace).count() == 2
    evenement = Evenement.objects.get(action=Action.IMPORT_DMP_DEMANDE)
    assert evenement.acteur_type == "operateur" and evenement.espace_uuid == espace.uuid
    page = client_operateur.get(url).content.decode()
    assert "Terminé" in page and "2 / 0 / 0 / 0" in page
    assert "Compte rendu" not in page  # operators see states and counts, never content


def test_an_opposed_space_receives_no_import_from_the_admin(client_operateur) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    espace = EspaceFactory(statut=Statut.OPPOSE, titulaire=None)
    reponse = client_operateur.post(
        reverse("admin:profil_espace_import_dmp", args=[espace.pk]),
        {"archive": SimpleUploadedFile("dmp.zip", _archive(espace.ins, 1), "application/zip")},
    )
    assert reponse.status_code == 400 and "Opposé" in reponse.content.decode()
    assert not ImportDMP.objects.exists() and not Blob.objects.exists()
