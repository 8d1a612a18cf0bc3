"""The holder's digest: downloaded from the history page, checked by a documented command and,
without the platform, by the snippet of docs/JOURNAL.md (issue 14, point 6)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from espace_sante.journal.models import Action, Evenement
from espace_sante.journal.services import Acteur, evenement_enregistrer
from profil.models import Espace

pytestmark = pytest.mark.django_db
RACINE = Path(__file__).resolve().parent.parent.parent


def _telecharger(client: Client, espace: Espace, tmp_path: Path) -> Path:
    reponse = client.get(reverse("ensemble:historique_empreinte", args=[espace.uuid]))
    assert reponse.status_code == 200
    assert "attachment" in reponse["Content-Disposition"]
    fichier = tmp_path / "empreinte.json"
    fichier.write_bytes(reponse.content)
    return fichier


def _verifier(fichier: Path) -> str:
    sortie, erreurs = StringIO(), StringIO()
    try:
        call_command("verify_journal", "--empreinte", str(fichier), stdout=sortie, stderr=erreurs)
    except CommandError:
        return "ÉCHEC " + erreurs.getvalue()
    return sortie.getvalue()


def _ajouter(espace: Espace) -> None:
    evenement_enregistrer(action=Action.CONNEXION, acteur=Acteur.systeme(), espace_uuid=espace.uuid)


def test_the_history_page_offers_the_digest(client_titulaire: Client, titulaire: Espace) -> None:
    page = client_titulaire.get(reverse("ensemble:historique", args=[titulaire.uuid]))
    assert "Télécharger l’empreinte de mon historique" in page.content.decode()
    assert reverse("ensemble:historique_empreinte", args=[titulaire.uuid]) in page.content.decode()


def test_another_holder_cannot_download_my_digest(client_autre: Client, titulaire: Espace) -> None:
    reponse = client_autre.get(reverse("ensemble:historique_empreinte", args=[titulaire.uuid]))
    assert reponse.status_code == 404


def test_a_digest_still_holds_while_the_history_only_grows(
    client_titulaire: Client, titulaire: Espace, tmp_path: Path
) -> None:
    _ajouter(titulaire)
    fichier = _telecharger(client_titulaire, titulaire, tmp_path)
    contenu = json.loads(fichier.read_text())["contenu"]
    assert contenu["espace"] == str(titulaire.uuid) and contenu["rang"] >= 1
    _ajouter(titulaire)
    assert "Empreinte valide" in _verifier(fichier)


def test_a_digest_catches_a_history_rewritten_since(
    client_titulaire: Client, titulaire: Espace, tmp_path: Path
) -> None:
    _ajouter(titulaire)
    fichier = _telecharger(client_titulaire, titulaire, tmp_path)
    rang = json.loads(fichier.read_text())["contenu"]["rang"]
    cible = Evenement.objects.get(chaine=str(titulaire.uuid), rang=rang)
    with connection.cursor() as curseur:
        if connection.vendor == "postgresql":
            curseur.execute("ALTER TABLE journal_evenement DISABLE TRIGGER USER")
        curseur.execute("DELETE FROM journal_evenement WHERE id = %s", [cible.pk])
        if connection.vendor == "postgresql":
            curseur.execute("ALTER TABLE journal_evenement ENABLE TRIGGER USER")
    assert "réécrit ou tronqué" in _verifier(fichier)


def test_a_tampered_digest_is_refused(
    client_titulaire: Client, titulaire: Espace, tmp_path: Path
) -> None:
    _ajouter(titulaire)
    fichier = _telecharger(client_titulaire, titulaire, tmp_path)
    document = json.loads(fichier.read_text())
    document["contenu"]["rang"] = 1
    fichier.write_text(json.dumps(document))
    assert "signature invalide" in _verifier(fichier)


def test_the_documented_standalone_check_verifies_the_signature(
    client_titulaire: Client, titulaire: Espace, tmp_path: Path
) -> None:
    _ajouter(titulaire)
    fichier = _telecharger(client_titulaire, titulaire, tmp_path)
    doc = (RACINE / "docs" / "JOURNAL.md").read_text(encoding="utf-8")
    script = re.search(r"python3 - empreinte\.json <<'PY'\n(.*?)\nPY\n", doc, re.S)
    assert script is not None
    resultat = subprocess.run(
        [sys.executable, "-", str(fichier)],
        input=script.group(1),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert resultat.returncode == 0 and "Signature valide" in resultat.stdout, resultat.stderr
    document = json.loads(fichier.read_text())
    document["contenu"]["hash"] = "0" * 64
    fichier.write_text(json.dumps(document))
    falsifie = subprocess.run(
        [sys.executable, "-", str(fichier)],
        input=script.group(1),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert falsifie.returncode != 0 and "InvalidSignature" in falsifie.stderr
