"""Health metadata at rest (issue 13, finding 6): titles, file and folder names, authors,
digests, measure and vaccination values are ciphertext in the database; the lists still
search, sort and group by folder (docs/DOCUMENTS.md)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from dossier import selectors
from dossier.models import Document, ImportDMP, Resultat, empreinte_dossier
from espace_sante.acces import AccesPatient, Role
from espace_sante.coffre.champs import PREFIXE
from espace_sante.coffre.models import Blob
from profil.models import Espace, Mesure, Vaccination

from ..factories import document

pytestmark = pytest.mark.django_db

DOSSIER_DEMO = "Suivi contraception Camille"


def _dump() -> str:
    """The whole database as text: ``pg_dump`` on PostgreSQL, ``iterdump`` on SQLite."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    reglages = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": reglages.get("PASSWORD") or ""}
    return subprocess.run(
        [
            "/usr/bin/pg_dump",
            "--data-only",
            "-h",
            reglages["HOST"] or "127.0.0.1",
            "-p",
            str(reglages["PORT"] or 5432),
            "-U",
            reglages["USER"],
            reglages["NAME"],
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout


def _brut(table: str, colonne: str, pk: object) -> str:
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT {colonne} FROM {table} WHERE id = %s", [pk])
        return str(curseur.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_database_holds_none_of_the_demos_health_metadata() -> None:
    call_command("demo", stdout=StringIO())
    premier = Document.objects.order_by("id").first()
    assert premier is not None
    premier.dossier_utilisateur = DOSSIER_DEMO
    premier.save()
    secrets: set[str] = {DOSSIER_DEMO}
    for titre, fichier, sha256 in Document.objects.values_list("titre", "nom_fichier", "sha256"):
        secrets |= {titre, fichier, sha256}
    for valeur, basse in Mesure.objects.values_list("valeur", "valeur_basse"):
        for nombre in (valeur, basse):
            if nombre is not None and nombre != nombre.to_integral():
                secrets |= {f"{nombre:f}", f"{nombre.normalize():f}"}  # 64.50 and 64.5
    # Vaccine codes of 6 letters or more: shorter ones would also be found by chance in base64.
    secrets |= {f for f in Vaccination.objects.values_list("famille", flat=True) if len(f) >= 6}
    secrets.discard("")
    # The lab results read from the demo's structured reports: their labels (their values, like
    # "1.55", are found by chance in the dump's timestamps).
    secrets |= {
        json.loads(c)["libelle"] for c in Resultat.objects.values_list("contenu", flat=True)
    }
    assert {"Bilan sanguin (thyroïde, glycémie, cholestérol)", "bilan-2025-03.xml"} <= secrets
    assert {"64.5", "Grippe", "Thyréostimuline (TSH)", "Glucose à jeun"} <= secrets
    dump = _dump()
    assert "dossier_document" in dump and PREFIXE in dump
    assert sorted(s for s in secrets if s in dump) == []


def test_a_blob_row_records_a_keyed_digest_not_the_sha256_of_the_plaintext(
    titulaire: Espace,
) -> None:
    contenu = b"%PDF-1.4\n% notice de contraceptif\n"
    doc = document(titulaire, contenu=contenu)
    clair = hashlib.sha256(contenu).hexdigest()
    assert Document.objects.get(pk=doc.pk).sha256 == clair  # the holder's export shows it
    assert clair not in _brut("dossier_document", "sha256", doc.pk)
    assert Blob.objects.get(pk=doc.blob_id).sha256 != clair


@pytest.mark.django_db(transaction=True)  # the jobs run as each request commits
def test_the_keyed_digest_of_a_dmp_archive_still_finds_it_imported_once(
    titulaire: Espace, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from ensemble import demo

    chemin = tmp_path / f"{titulaire.ins}.zip"
    chemin.write_bytes(
        demo.archive_xdm(
            ins=titulaire.ins,
            documents=[
                demo.DocumentXDM(
                    contenu=demo.cda(ins=titulaire.ins, titre="CR"),
                    identifiant_unique="1.2.250.1.999.9.1",
                    titre="CR",
                )
            ],
        )
    )
    call_command("import_dmp_archives", str(tmp_path), stdout=StringIO())
    demande = ImportDMP.objects.get()
    assert (
        demande.empreinte and demande.empreinte != hashlib.sha256(chemin.read_bytes()).hexdigest()
    )
    sortie = StringIO()
    call_command("import_dmp_archives", str(tmp_path), stdout=sortie)
    assert ImportDMP.objects.count() == 1 and "déjà importée" in sortie.getvalue()


def test_titles_authors_and_file_names_are_ciphertext_and_read_back(titulaire: Espace) -> None:
    doc = document(
        titulaire,
        titre="Consultation contraception",
        auteur_nom="Dr Anne SAGE-FEMME",
        nom_fichier="contraception.pdf",
        dossier_utilisateur="Gynécologie",
    )
    for colonne in ("titre", "auteur_nom", "nom_fichier", "dossier_utilisateur"):
        brut = _brut("dossier_document", colonne, doc.pk)
        assert brut.startswith(PREFIXE) and "ontracep" not in brut and "cologie" not in brut
    relu = Document.objects.get(pk=doc.pk)
    assert (relu.titre, relu.auteur_nom, relu.nom_fichier, relu.dossier_utilisateur) == (
        "Consultation contraception",
        "Dr Anne SAGE-FEMME",
        "contraception.pdf",
        "Gynécologie",
    )


def test_measure_and_vaccination_values_are_ciphertext_and_read_back(titulaire: Espace) -> None:
    mesure = Mesure.objects.create(
        espace=titulaire,
        type="tension",
        valeur=Decimal("131.5"),
        valeur_basse=Decimal("84"),
        date="2026-01-02",
    )
    vaccin = Vaccination.objects.create(espace=titulaire, famille="HPV", date="2025-01-02")
    for colonne in ("valeur", "valeur_basse"):
        assert _brut("profil_mesure", colonne, mesure.pk).startswith(PREFIXE)
    assert _brut("profil_vaccination", "famille", vaccin.pk).startswith(PREFIXE)
    relue = Mesure.objects.get(pk=mesure.pk)
    assert (relue.valeur, relue.valeur_basse) == (Decimal("131.50"), Decimal("84.00"))
    assert Vaccination.objects.get(pk=vaccin.pk).famille == "HPV"


def test_the_same_vaccine_twice_the_same_day_is_still_refused(titulaire: Espace) -> None:
    from django.db import IntegrityError, transaction

    Vaccination.objects.create(espace=titulaire, famille="HPV", date="2025-01-02")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vaccination.objects.create(espace=titulaire, famille="HPV", date="2025-01-02")


def test_search_sort_by_title_and_folders_work_on_encrypted_rows(
    titulaire: Espace, client_titulaire: Client
) -> None:
    document(titulaire, titre="Échographie du 1er trimestre", dossier_utilisateur="Grossesse")
    document(titulaire, titre="Bilan sanguin", auteur_nom="Laboratoire Pasteur")
    document(titulaire, titre="Analyse d'urine", dossier_utilisateur="grossesse ")
    document(titulaire, titre="Certificat", dossier_utilisateur="Sport")
    acces = AccesPatient(espace=titulaire, role=Role.TITULAIRE, utilisateur=titulaire.titulaire)
    titres = lambda **f: [  # noqa: E731
        d.titre for d in selectors.documents_filtres(acces=acces, filtres=selectors.Filtres(**f))
    ]
    assert titres(recherche="ÉCHOGRAPHIE") == ["Échographie du 1er trimestre"]
    assert titres(auteur="pasteur") == ["Bilan sanguin"]
    assert titres(recherche="pasteur") == ["Bilan sanguin"]
    assert titres(tri="titre") == [
        "Analyse d'urine",
        "Bilan sanguin",
        "Certificat",
        "Échographie du 1er trimestre",
    ]
    assert sorted(titres(dossier="Grossesse")) == [
        "Analyse d'urine",
        "Échographie du 1er trimestre",
    ]
    assert len(selectors.sommaire_documents(acces=acces).dossiers) == 2
    page = client_titulaire.get(
        reverse("dossier:documents", args=[titulaire.uuid]), {"dossier": "Sport"}
    ).content.decode()
    assert "Certificat" in page and "Bilan sanguin" not in page
    assert empreinte_dossier(titulaire.pk, "Sport") != empreinte_dossier(titulaire.pk + 1, "Sport")


def test_after_secret_key_changes_blobs_verify_and_rotate_keys_index_rebuilds_folders(
    titulaire: Espace, settings
) -> None:  # type: ignore[no-untyped-def]
    from espace_sante.coffre.services import blob_lire

    doc = document(titulaire, contenu=b"%PDF-1.4\n% ordonnance\n", dossier_utilisateur="Grossesse")
    acces = AccesPatient(espace=titulaire, role=Role.TITULAIRE, utilisateur=titulaire.titulaire)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "une-nouvelle-cle-secrete-" + "z" * 40
    assert b"".join(blob_lire(doc.blob, verifier_empreinte=True)).endswith(b"ordonnance\n")
    par_dossier = selectors.Filtres(dossier="Grossesse")
    assert not selectors.documents_filtres(acces=acces, filtres=par_dossier).exists()
    call_command("rotate_keys", "--index", stdout=StringIO())
    assert list(selectors.documents_filtres(acces=acces, filtres=par_dossier)) == [doc]
