"""The data migrations of issue 13 (finding 6) encrypt what earlier versions stored in clear,
on the backend the tests run on (SQLite, or PostgreSQL in CI), and can run again safely."""

from __future__ import annotations

import hashlib
import uuid

from django.db import connection

from espace_sante.coffre.champs import PREFIXE, empreinte_indexee, textes_clairs_chiffrer

AVANT = [
    ("coffre", "0001_blobs"),
    ("dossier", "0006_import_dmp_signe_de_vie"),
    ("profil", "0007_export_donnees"),
]
APRES = [
    ("coffre", "0002_blob_sha256_avec_cle"),
    ("dossier", "0007_metadonnees_documents_chiffrees"),
    ("profil", "0008_profil_chiffre_et_limite"),
]


def _brut(table: str, colonne: str) -> str:
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT {colonne} FROM {table}")
        return str(curseur.fetchone()[0])


def test_existing_clear_rows_are_encrypted_keyed_and_indexed(avant_migration) -> None:  # type: ignore[no-untyped-def]
    anciens = avant_migration.loader.project_state(AVANT).apps
    Espace = anciens.get_model("profil", "Espace")
    espace = Espace.objects.create(
        ins="280057500000841",
        nom_naissance="MARTIN",
        prenoms="Camille",
        date_naissance="1980-05-01",
        sexe="F",
        statut="actif",
    )
    sha = hashlib.sha256(b"contenu").hexdigest()
    blob = anciens.get_model("coffre", "Blob").objects.create(
        id=uuid.uuid4(),
        nom="coffre/aa/x",
        taille=7,
        taille_chiffree=40,
        sha256=sha,
        media_type="application/pdf",
        segment=1024,
        cle_id="dev-1",
        cle_enveloppee=b"x",
    )
    anciens.get_model("dossier", "Document").objects.create(
        espace=espace,
        type_code="11502-2",
        categorie="biologie",
        titre="Consultation contraception",
        date_acte="2026-01-02",
        auteur_type="professionnel",
        auteur_nom="Dr Anne SAGE",
        source="professionnel",
        dossier_utilisateur="Gynécologie",
        nom_fichier="contraception.pdf",
        sha256=sha,
        blob=blob,
    )
    anciens.get_model("profil", "Mesure").objects.create(
        espace=espace, type="poids", valeur="64.50", date="2026-01-02", saisi_par_nom="Dr SAGE"
    )
    anciens.get_model("profil", "Vaccination").objects.create(
        espace=espace, famille="Grippe", date="2025-11-02"
    )

    avant_migration.loader.build_graph()
    avant_migration.migrate(APRES)

    for table, colonne in [
        ("dossier_document", "titre"),
        ("dossier_document", "auteur_nom"),
        ("dossier_document", "dossier_utilisateur"),
        ("dossier_document", "nom_fichier"),
        ("dossier_document", "sha256"),
        ("profil_mesure", "valeur"),
        ("profil_mesure", "saisi_par_nom"),
        ("profil_vaccination", "famille"),
    ]:
        assert _brut(table, colonne).startswith(PREFIXE), (table, colonne)
    assert _brut("coffre_blob", "sha256") == empreinte_indexee(sha, usage="blob")
    assert _brut("dossier_document", "dossier_empreinte") == empreinte_indexee(
        "Gynécologie", usage="dossier", portee=espace.pk
    )
    nouveaux = avant_migration.loader.project_state(APRES).apps
    Document = nouveaux.get_model("dossier", "Document")
    document = Document.objects.get()
    assert (document.titre, document.nom_fichier, document.sha256) == (
        "Consultation contraception",
        "contraception.pdf",
        sha,
    )
    assert str(nouveaux.get_model("profil", "Mesure").objects.get().valeur) == "64.50"
    assert nouveaux.get_model("profil", "Vaccination").objects.get().famille == "Grippe"
    brut = _brut("dossier_document", "titre")
    assert textes_clairs_chiffrer(Document) == 0  # again: nothing left to do
    assert _brut("dossier_document", "titre") == brut
