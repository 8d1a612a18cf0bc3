"""The operators' bulk import (issue 16, point 3): archives found whatever the case of ``.zip``
and in any folder layout (the national kit: one folder per archive, each holding
``IHE_XDM.ZIP``), each named by its path in the folder given, links leading out of it never
followed, a summary at the end. Archive trees are built in ``tmp_path``."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from dossier import import_masse
from dossier.models import ConflitImport, Document, ImportDMP
from ensemble import demo

from ..conftest import SHARED_DATA, en_ci
from ..factories import EspaceFactory, document

XDM = SHARED_DATA / "xdm"
INS_EXEMPLE = "277076322082910"  # the national examples' fictitious INS


def _archive(ins: str, prefixe: str, nombre: int = 1, texte: str = "Compte rendu") -> bytes:
    return demo.archive_xdm(
        ins=ins,
        documents=[
            demo.DocumentXDM(
                contenu=demo.cda(ins=ins, titre=f"{texte} {rang}"),
                identifiant_unique=f"{prefixe}.{rang}",
            )
            for rang in range(nombre)
        ],
    )


def _lancer(dossier: Path, *options: str) -> str:
    sortie = io.StringIO()
    call_command("import_dmp_archives", str(dossier), *options, stdout=sortie)
    return sortie.getvalue()


# --- Finding the archives ------------------------------------------------------------------------


def test_archives_are_found_whatever_the_case_of_zip_and_the_depth(tmp_path: Path) -> None:
    for nom in ["a/IHE_XDM.ZIP", "b/IHE_XDM.ZIP", "c/d/x.Zip", "e.zip", "notes.txt", "f/zip"]:
        chemin = tmp_path / nom
        chemin.parent.mkdir(parents=True, exist_ok=True)
        chemin.write_bytes(b"PK")
    recherche = import_masse.archives_trouver(tmp_path)
    assert [a.nom for a in recherche.archives] == [
        "a/IHE_XDM.ZIP",
        "b/IHE_XDM.ZIP",
        "c/d/x.Zip",
        "e.zip",
    ]
    assert recherche.ignorees == []


def test_links_leading_out_of_the_folder_are_not_followed(tmp_path: Path) -> None:
    dehors = tmp_path / "dehors"
    (dehors / "secret").mkdir(parents=True)
    (dehors / "autre.zip").write_bytes(b"PK")
    (dehors / "secret" / "IHE_XDM.ZIP").write_bytes(b"PK")
    lot = tmp_path / "lot"
    (lot / "a").mkdir(parents=True)
    (lot / "a" / "IHE_XDM.ZIP").write_bytes(b"PK")
    (lot / "fuite.zip").symlink_to(dehors / "autre.zip")
    (lot / "dossier-fuite").symlink_to(dehors / "secret", target_is_directory=True)
    (lot / "boucle").symlink_to(lot, target_is_directory=True)
    (lot / "alias.zip").symlink_to(lot / "a" / "IHE_XDM.ZIP")  # inside: the same file
    (lot / "brise.zip").symlink_to(lot / "absent.zip")
    recherche = import_masse.archives_trouver(lot)
    assert [a.nom for a in recherche.archives] == ["a/IHE_XDM.ZIP"]
    assert all(a.chemin.is_relative_to(lot.resolve()) for a in recherche.archives)
    ignorees = dict(recherche.ignorees)
    assert "extérieur du dossier" in ignorees["fuite.zip"]
    assert "extérieur du dossier" in ignorees["dossier-fuite"]
    assert "brisé" in ignorees["brise.zip"]
    assert ignorees["alias.zip"] == "même fichier que a/IHE_XDM.ZIP"


# --- The command ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the jobs run as each request commits
def test_the_national_kit_layout_is_imported_and_each_archive_named_by_its_folder(
    tmp_path: Path,
) -> None:
    if not XDM.exists():
        raison = f"{XDM} est absent : les archives XDM de référence sont nécessaires."
        if en_ci():
            pytest.fail(raison)
        pytest.skip(raison)
    espace = EspaceFactory(ins=INS_EXEMPLE)
    lot = tmp_path / "kit"
    noms = sorted(p.stem for p in XDM.glob("*.zip"))
    for nom in noms:  # one folder per archive, each holding IHE_XDM.ZIP
        (lot / nom).mkdir(parents=True)
        shutil.copyfile(XDM / f"{nom}.zip", lot / nom / "IHE_XDM.ZIP")
    texte = _lancer(lot)
    assert f"{len(noms)} archive(s) trouvée(s)" in texte
    for nom in noms:
        assert f"  {nom}/IHE_XDM.ZIP : " in texte
    assert "NIST_ToC_Ambulatory/IHE_XDM.ZIP : refusée" in texte  # no INS: no space
    assert Document.objects.filter(espace=espace).count() == 3
    bilan = texte[texte.index("Bilan") :]
    assert f"Archives : {len(noms)} trouvée(s) ; 3 programmée(s) ;" in bilan
    assert "Documents : 3 importé(s) ; 0 déjà présent(s) ; 0 conflit(s)" in bilan
    assert "0 refusé(s)." in bilan

    encore = _lancer(lot)
    assert "CR-BIO_2021.01_PDF/IHE_XDM.ZIP : déjà importée" in encore
    assert ImportDMP.objects.count() == 3 and Document.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_archives_of_the_same_name_are_told_apart_and_a_conflict_is_counted(
    tmp_path: Path,
) -> None:
    a, b = EspaceFactory(), EspaceFactory()
    # b already holds 1.2.250.1.999.2.0 with other content: a conflict.
    document(b, identifiant_unique="1.2.250.1.999.2.0", source="import_dmp")
    lot = tmp_path / "lot"
    for dossier, espace, prefixe in (("a", a, "1.2.250.1.999.1"), ("b", b, "1.2.250.1.999.2")):
        (lot / dossier).mkdir(parents=True)
        (lot / dossier / "IHE_XDM.ZIP").write_bytes(_archive(espace.ins, prefixe, nombre=2))
    dehors = tmp_path / "dehors.zip"
    dehors.write_bytes(_archive(a.ins, "1.2.250.1.999.9"))
    (lot / "lien.zip").symlink_to(dehors)
    texte = _lancer(lot)
    assert "a/IHE_XDM.ZIP : programmée" in texte and "b/IHE_XDM.ZIP : programmée" in texte
    assert "lien.zip : ignoré (lien symbolique vers l'extérieur du dossier : non suivi)" in texte
    assert "b/IHE_XDM.ZIP : 1 conflit(s)" in texte
    assert "Documents : 3 importé(s) ; 0 déjà présent(s) ; 1 conflit(s)" in texte
    assert not Document.objects.filter(identifiant_unique__startswith="1.2.250.1.999.9").exists()
    assert ConflitImport.objects.get().espace == b

    encore = _lancer(lot)
    assert (
        "b/IHE_XDM.ZIP : déjà importée ; 1 document(s) en conflit attendent le choix du titulaire"
        in encore
    )
    assert ConflitImport.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_without_waiting_the_summary_says_documents_are_not_counted_yet(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from dossier import import_dmp

    espace = EspaceFactory()
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "IHE_XDM.ZIP").write_bytes(_archive(espace.ins, "1.2.250.1.999.3"))
    monkeypatch.setattr(import_dmp, "_programmer", lambda pk: None)  # the queue holds it
    texte = _lancer(tmp_path, "--delai", "0")
    assert "x/IHE_XDM.ZIP : programmée" in texte
    assert "Documents : non comptés (--delai 0)" in texte
