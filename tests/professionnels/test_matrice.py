"""The matrix's seed covers every document type of the catalogue (the national value set J07):
each type is in one family, so none falls under a profession's ``*``
answer (which opens nothing but to médecins); a migration opens the cells of the types added
from J07 on databases seeded before them. Specialties (issue 17): the médecins' list is JDV_J01,
occupational medicine reads nothing, a specialty's rows answer before its profession's, and the
migration that brought them keeps every older row's meaning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dossier.types import TYPES
from espace_sante.acces.matrice import matrice as matrice_de
from espace_sante.acces.matrice import peut_lire_type
from espace_sante.journal.models import Action, Evenement
from professionnels import matrice
from professionnels.models import Habilitation
from professionnels.nomenclature import DONNEES, SPECIALITES, Profession

from ..conftest import SHARED_DATA, client_pour, en_ci

TROD = "96173-0"


def test_every_type_of_the_catalogue_is_in_exactly_one_family() -> None:
    places = {code: [f for f in matrice.FAMILLES if code in f] for code in TYPES}
    sans_famille = sorted(code for code, familles in places.items() if not familles)
    en_double = sorted(code for code, familles in places.items() if len(familles) > 1)
    assert sans_famille == [] and en_double == []
    inconnus = sorted(set().union(*matrice.FAMILLES) - set(TYPES))
    assert inconnus == [], "codes de la matrice absents du catalogue"


def test_the_families_follow_the_categories_the_person_sees() -> None:
    """Biology is read as biology, imaging as imaging: a family never mixes those."""
    for code in matrice.BIOLOGIE:
        assert TYPES[code].categorie.value == "biologie", code
    for code in matrice.IMAGERIE:
        assert TYPES[code].categorie.value == "imagerie", code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("profession", "code", "lit"),
    [
        (Profession.PHARMACIEN, TROD, True),  # a rapid test is biology
        (Profession.INFIRMIER, "18761-7", True),  # a transfer note is a report
        (Profession.SAGE_FEMME, "57075-4", True),  # the birth-room synthesis of the child
        (Profession.PHARMACIEN, "56445-0", True),  # the pharmacy's medication review
        (Profession.MASSEUR_KINE, "PRESC-PEDI", True),
        (Profession.PHARMACIEN, "28653-4", False),  # social-sector documents: not a pharmacist's
        (Profession.INFIRMIER, "FEUILLE-DE-STYLE", False),
        (Profession.MEDECIN, "E1762", True),
    ],
)
def test_types_added_from_j07_are_read_as_their_family(
    profession: Profession, code: str, lit: bool
) -> None:
    assert Habilitation.objects.filter(profession=profession, type_code=code).exists()
    assert peut_lire_type(profession=profession, type_code=code) is lit


AVANT = [("professionnels", "0003_revendications_rpps")]
APRES = [("professionnels", "0004_matrice_types_j07")]


def test_the_migration_opens_the_new_types_cells_and_keeps_the_others(avant_migration) -> None:  # type: ignore[no-untyped-def]
    anciens = avant_migration.loader.project_state(AVANT).apps.get_model(
        "professionnels", "Habilitation"
    )
    # The seed of migration 0002 (an earlier transactional test may have flushed it).
    matrice.semer(anciens)
    # A database seeded before the J07 types: no cell for the TROD; one seeded after: a closed one.
    anciens.objects.filter(type_code=TROD).delete()
    anciens.objects.filter(type_code="18761-7").update(lecture=False)
    # An operator's choice on an older type is kept.
    anciens.objects.filter(profession=Profession.PHARMACIEN, type_code="11502-2").update(
        lecture=False
    )

    avant_migration.loader.build_graph()
    avant_migration.migrate(APRES)
    nouveaux = avant_migration.loader.project_state(APRES).apps.get_model(
        "professionnels", "Habilitation"
    )
    lecture = {
        (profession, code): lu
        for profession, code, lu in nouveaux.objects.filter(
            type_code__in=[TROD, "18761-7", "11502-2"]
        ).values_list("profession", "type_code", "lecture")
    }
    assert lecture[(Profession.PHARMACIEN, TROD)] is True
    assert lecture[(Profession.TECHNICIEN_LABORATOIRE, TROD)] is True
    assert lecture[(Profession.OPTICIEN, TROD)] is False
    assert lecture[(Profession.INFIRMIER, "18761-7")] is True
    assert lecture[(Profession.PHARMACIEN, "18761-7")] is False
    assert lecture[(Profession.PHARMACIEN, "11502-2")] is False


# --- Specialties (issue 17) ------------------------------------------------------------------

SCRIPT_SPECIALITES = Path(__file__).resolve().parents[2] / "scripts" / "specialites.py"
J01 = SHARED_DATA / "valuesets" / "JDV_J01_XdsAuthorSpecialty_CISIS.xml"
TRAVAIL = ("SM25", "C41", "CAPA11")


def test_the_committed_specialties_are_what_the_script_makes_of_the_value_set(
    tmp_path: Path,
) -> None:
    if not J01.is_file():
        raison = f"Jeu de valeurs national absent : {J01}."
        if en_ci():
            pytest.fail(raison + " Il est obligatoire en CI.")
        pytest.skip(raison)
    sortie = tmp_path / "specialites.json"
    lance = subprocess.run(
        [sys.executable, str(SCRIPT_SPECIALITES), "--jdv", str(J01), "--sortie", str(sortie)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert lance.returncode == 0, lance.stderr
    assert sortie.read_bytes() == (DONNEES / "specialites_j01.json").read_bytes(), (
        "professionnels/donnees/specialites_j01.json a été modifié à la main : relancez "
        "scripts/specialites.py"
    )
    # Read here apart from the script: every médecin's entry of J01 is a specialty choice.
    racine = ElementTree.fromstring(J01.read_bytes())  # noqa: S314 (national value set)
    codes = {
        c.get("code", "").split("/", 1)[1]
        for c in racine.iter("{urn:ihe:iti:svs:2008}Concept")
        if c.get("code", "").startswith("G15_10/")
    }
    assert codes == set(SPECIALITES) and len(codes) > 200
    assert SPECIALITES["SM25"] == "Médecine du travail"
    assert SPECIALITES["SM54"] == "Médecine Générale"


@pytest.mark.django_db
@pytest.mark.parametrize("specialite", TRAVAIL)
def test_occupational_medicine_reads_nothing_whatever_the_type(specialite: str) -> None:
    for code in [*TYPES, "CODE-INCONNU", "DOCPAT08"]:
        assert peut_lire_type(profession="10", specialite=specialite, type_code=code) is False
    assert Habilitation.objects.filter(profession="10", specialite=specialite).count() == 1


@pytest.mark.django_db
def test_other_specialties_read_as_their_profession() -> None:
    assert matrice_de("10", "SM04") == matrice_de("10", "") == matrice_de("10", "SM54")
    assert all(matrice_de("10", "SM04").values())
    assert peut_lire_type(profession="10", specialite="SM04", type_code="CODE-INCONNU") is True


@pytest.mark.django_db
def test_a_specialty_s_row_answers_first_then_its_profession_s() -> None:
    """Only the types the specialty lists differ, unless it has a ``*`` of its own."""
    Habilitation.objects.create(profession="10", specialite="SM42", type_code="11502-2")
    assert peut_lire_type(profession="10", specialite="SM42", type_code="11502-2") is False
    assert peut_lire_type(profession="10", specialite="SM42", type_code="18748-4") is True
    Habilitation.objects.create(
        profession="21", specialite="SM42", type_code="18748-4", lecture=True
    )  # another profession's row never counts
    assert peut_lire_type(profession="21", type_code="18748-4") is False
    Habilitation.objects.create(profession="10", specialite="SM42", type_code="*", lecture=False)
    Habilitation.objects.create(
        profession="10", specialite="SM42", type_code="68599-0", lecture=True
    )
    assert peut_lire_type(profession="10", specialite="SM42", type_code="18748-4") is False
    assert peut_lire_type(profession="10", specialite="SM42", type_code="68599-0") is True


AVANT_SPECIALITES = [("professionnels", "0004_matrice_types_j07")]
APRES_SPECIALITES = [("professionnels", "0005_matrice_par_specialite")]


def test_the_specialty_migration_keeps_every_row_s_meaning(avant_migration) -> None:  # type: ignore[no-untyped-def]
    avant_migration.loader.build_graph()
    avant_migration.migrate(AVANT_SPECIALITES)
    anciens = avant_migration.loader.project_state(AVANT_SPECIALITES).apps.get_model(
        "professionnels", "Habilitation"
    )
    matrice.semer(anciens)
    # An operator's choices on the old matrix.
    anciens.objects.filter(profession=Profession.PHARMACIEN, type_code="11502-2").update(
        lecture=False
    )
    anciens.objects.filter(profession=Profession.MEDECIN, type_code="ATTEST-RESID").update(
        lecture=False
    )
    avant = set(anciens.objects.values_list("profession", "type_code", "lecture"))

    avant_migration.loader.build_graph()
    avant_migration.migrate(APRES_SPECIALITES)
    nouveaux = avant_migration.loader.project_state(APRES_SPECIALITES).apps.get_model(
        "professionnels", "Habilitation"
    )
    apres = set(
        nouveaux.objects.filter(specialite="*").values_list("profession", "type_code", "lecture")
    )
    assert apres == avant
    specialites = set(
        nouveaux.objects.exclude(specialite="*").values_list(
            "profession", "specialite", "type_code", "lecture"
        )
    )
    assert specialites == {("10", s, "*", False) for s in TRAVAIL}


@pytest.fixture
def client_matrice(operateur):  # type: ignore[no-untyped-def]
    operateur.groups.get().permissions.add(
        *Permission.objects.filter(codename__endswith="_habilitation")
    )
    return client_pour(operateur)


@pytest.mark.django_db
def test_an_operator_adds_and_removes_a_specialty_s_cell_in_the_admin_journaled(
    client_matrice,
) -> None:  # type: ignore[no-untyped-def]
    ajout = reverse("admin:professionnels_habilitation_add")
    refuse = client_matrice.post(
        ajout, {"profession": "21", "specialite": "SM42", "type_code": "11502-2"}
    )
    assert refuse.status_code == 200 and "Cette spécialité n" in refuse.content.decode()
    reponse = client_matrice.post(
        ajout, {"profession": "10", "specialite": "SM42", "type_code": "11502-2"}
    )
    assert reponse.status_code == 302
    cellule = Habilitation.objects.get(profession="10", specialite="SM42")
    assert cellule.lecture is False
    assert peut_lire_type(profession="10", specialite="SM42", type_code="11502-2") is False
    ajoutee = Evenement.objects.get(action=Action.MATRICE_MODIFIEE)
    assert ajoutee.details == {
        "profession": "10",
        "type": "11502-2",
        "avant": None,
        "apres": False,
        "specialite": "SM42",
    }
    double = client_matrice.post(
        ajout, {"profession": "10", "specialite": "SM42", "type_code": "11502-2"}
    )
    assert double.status_code == 200
    assert Habilitation.objects.filter(profession="10", specialite="SM42").count() == 1

    supprimer = reverse("admin:professionnels_habilitation_delete", args=[cellule.pk])
    assert client_matrice.post(supprimer, {"post": "yes"}).status_code == 302
    assert not Habilitation.objects.filter(pk=cellule.pk).exists()
    retiree = Evenement.objects.filter(action=Action.MATRICE_MODIFIEE).latest("pk")
    assert (retiree.details["avant"], retiree.details["apres"]) == (False, None)
    assert peut_lire_type(profession="10", specialite="SM42", type_code="11502-2") is True

    profession = Habilitation.objects.get(profession="10", specialite="*", type_code="11502-2")
    interdit = reverse("admin:professionnels_habilitation_delete", args=[profession.pk])
    assert client_matrice.post(interdit, {"post": "yes"}).status_code == 403
    assert Habilitation.objects.filter(pk=profession.pk).exists()
