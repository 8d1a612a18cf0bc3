"""A professional searches among their patients (issue 17, point 4): by name with accents and
case aside — on SQLite and PostgreSQL alike, the names being compared in the form
``profil.models.forme_de_recherche`` keeps with each space —, by INS with or without spaces,
by birth date written dd/mm/yyyy or yyyy-mm-dd; a wrong input gets a plain French message; a
patient who has not authorised the professional is never found."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from professionnels.models import AccesProfessionnel, BrisDeGlace
from professionnels.selectors import RechercheInvalide, criteres_patient
from profil.models import Espace, forme_de_recherche

from ..conftest import client_pour
from ..factories import EspaceFactory, ProfessionnelFactory

RECHERCHE = "professionnels:recherche"


@pytest.mark.parametrize(
    ("saisie", "forme"),
    [
        ("LEFÈVRE", "lefevre"),
        ("Lefèvre", "lefevre"),
        ("lefevre", "lefevre"),
        ("  Marie-Hélène   d’Arc ", "marie helene d arc"),
        ("ŒDIPE Straße", "oedipe strasse"),
        ("NÚÑEZ", "nunez"),
        ("", ""),
    ],
)
def test_names_are_compared_without_accents_case_hyphens_or_extra_spaces(
    saisie: str, forme: str
) -> None:
    assert forme_de_recherche(saisie) == forme


@pytest.fixture
def cabinet(db):  # type: ignore[no-untyped-def]
    """A médecin and their patients (one authorised, one médecin traitant, one in an
    emergency), and namesakes who never authorised them."""
    pro = ProfessionnelFactory()
    lefevre = EspaceFactory(
        nom_naissance="LEFÈVRE",
        prenoms="Marie-Hélène Jeanne",
        date_naissance=date(1980, 3, 5),
        sexe="F",
    )
    AccesProfessionnel.objects.create(espace=lefevre, professionnel=pro, autorise=True)
    durand = EspaceFactory(
        nom_naissance="DURAND", nom_utilise="ÉLOI", prenoms="Noël", date_naissance=date(1975, 1, 2)
    )
    AccesProfessionnel.objects.create(espace=durand, professionnel=pro, medecin_traitant=True)
    urgence = EspaceFactory(nom_naissance="LEFEBVRE", prenoms="Paul", sexe="M")
    BrisDeGlace.objects.create(
        espace=urgence,
        professionnel=pro,
        mode="bris_de_glace",
        motif="patient inconscient",
        fin=timezone.now() + timedelta(hours=1),
    )
    # Namesakes: one who never authorised them, one whose authorisation expired.
    inconnue = EspaceFactory(
        nom_naissance="LEFÈVRE", prenoms="Marie", date_naissance=date(1980, 3, 5)
    )
    expiree = EspaceFactory(nom_naissance="LEFÈVRE", prenoms="Anne")
    AccesProfessionnel.objects.create(
        espace=expiree,
        professionnel=pro,
        autorise=True,
        expire_le=timezone.now() - timedelta(days=1),
    )
    return {
        "pro": pro,
        "client": client_pour(pro.utilisateur),
        "lefevre": lefevre,
        "durand": durand,
        "urgence": urgence,
        "inconnue": inconnue,
        "expiree": expiree,
    }


def _trouves(client: Client, q: str) -> tuple[int, str]:
    reponse = client.get(reverse(RECHERCHE), {"q": q})
    return reponse.status_code, reponse.content.decode()


def _liens(cabinet, page: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        nom
        for nom in ["lefevre", "durand", "urgence", "inconnue", "expiree"]
        if reverse("professionnels:patient", args=[cabinet[nom].uuid]) in page
    }


@pytest.mark.parametrize(
    "q", ["lefevre", "Lefèvre", "LEFÈVRE", "lefèvre", "LeFeVrE", " le fèvre ".replace(" ", "")]
)
def test_a_name_is_found_whatever_its_accents_and_case(cabinet, q: str) -> None:  # type: ignore[no-untyped-def]
    statut, page = _trouves(cabinet["client"], q)
    assert statut == 200
    assert _liens(cabinet, page) == {"lefevre"}
    assert "1 patient trouvé" in page


@pytest.mark.parametrize(
    ("q", "attendus"),
    [
        ("marie helene", {"lefevre"}),  # a hyphenated first name, typed with a space
        ("MARIE-HÉLÈNE lefevre", {"lefevre"}),
        ("jeanne", {"lefevre"}),  # any of the first names
        ("eloi", {"durand"}),  # the name in use
        ("noel durand", {"durand"}),
        ("lefe", {"lefevre", "urgence"}),  # part of a name: LEFÈVRE and LEFEBVRE
        ("05/03/1980", {"lefevre"}),
        ("5/3/1980", {"lefevre"}),
        ("1980-03-05", {"lefevre"}),
        ("lefevre 05/03/1980", {"lefevre"}),
        ("durand 05/03/1980", set()),
    ],
)
def test_names_dates_and_both_find_only_the_professional_s_patients(  # type: ignore[no-untyped-def]
    cabinet, q: str, attendus: set[str]
) -> None:
    statut, page = _trouves(cabinet["client"], q)
    assert statut == 200
    assert _liens(cabinet, page) == attendus
    if not attendus:
        assert "Aucun de vos patients ne correspond" in page


def test_an_ins_is_found_with_or_without_spaces(cabinet) -> None:  # type: ignore[no-untyped-def]
    ins = cabinet["lefevre"].ins
    espace = f"{ins[0]} {ins[1:3]} {ins[3:5]} {ins[5:7]} {ins[7:10]} {ins[10:13]} {ins[13:]}"
    for q in [ins, espace]:
        statut, page = _trouves(cabinet["client"], q)
        assert statut == 200 and _liens(cabinet, page) == {"lefevre"}, q
    # The INS of a namesake who never authorised them: nothing.
    statut, page = _trouves(cabinet["client"], cabinet["inconnue"].ins)
    assert statut == 200 and _liens(cabinet, page) == set()


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("31/02/1980", "La date 31/02/1980 n&#x27;existe pas"),
        ("1980-13-01", "La date 1980-13-01 n&#x27;existe pas"),
        ("12345", "ni un nom, ni un INS complet"),
        ("lefevre 12", "« 12 » n&#x27;est ni un nom"),
        ("2800375123456", "Le numéro INS compte 15 caractères"),
        ("e", "Saisissez au moins deux lettres du nom."),
        ("   ", "Ce champ est obligatoire."),
    ],
)
def test_a_wrong_input_gets_a_plain_french_message(cabinet, q: str, message: str) -> None:  # type: ignore[no-untyped-def]
    statut, page = _trouves(cabinet["client"], q)
    assert statut == 200
    assert message in page
    assert _liens(cabinet, page) == set()


def test_a_wrong_ins_key_is_told(cabinet) -> None:  # type: ignore[no-untyped-def]
    ins = cabinet["lefevre"].ins
    fausse = ins[:13] + f"{(int(ins[13:]) % 97) + 1:02d}"
    with pytest.raises(RechercheInvalide, match="La clé du numéro INS ne correspond pas"):
        criteres_patient(fausse)
    assert "La clé du numéro INS" in _trouves(cabinet["client"], fausse)[1]


def test_the_empty_page_shows_the_form_an_unverified_professional_is_told_why(
    cabinet,
) -> None:  # type: ignore[no-untyped-def]
    page = cabinet["client"].get(reverse(RECHERCHE))
    assert page.status_code == 200 and 'name="q"' in page.content.decode()
    attente = ProfessionnelFactory(statut="en_attente")
    AccesProfessionnel.objects.create(
        espace=cabinet["lefevre"], professionnel=attente, autorise=True
    )
    client = client_pour(attente.utilisateur)
    refus = client.get(reverse(RECHERCHE), {"q": "lefevre"})
    assert refus.status_code == 403 and "LEFÈVRE" not in refus.content.decode()
    assert "vérifiée" in refus.content.decode()
    patient = client_pour(cabinet["lefevre"].titulaire)
    assert patient.get(reverse(RECHERCHE), {"q": "lefevre"}).status_code == 404


@pytest.mark.django_db
def test_a_renamed_or_bulk_created_space_is_found_by_its_new_name() -> None:
    espace = EspaceFactory(nom_naissance="MARTIN")
    espace.nom_utilise = "GÉRARD-LÉVÊQUE"
    espace.save(update_fields=["nom_utilise"])
    espace.refresh_from_db()
    assert espace.nom_recherche == "martin gerard leveque camille"
    (cree,) = Espace.objects.bulk_create(
        [
            Espace(
                ins="180037512345621",
                nom_naissance="HÉBERT",
                prenoms="Zoé",
                date_naissance=date(1980, 3, 1),
                sexe="M",
                statut="actif",
            )
        ]
    )
    assert Espace.objects.get(ins=cree.ins).nom_recherche == "hebert zoe"


AVANT = [("profil", "0009_vaccinations_des_documents")]
APRES = [("profil", "0010_nom_de_recherche")]


def test_the_migration_computes_the_searchable_names_of_existing_spaces(avant_migration) -> None:  # type: ignore[no-untyped-def]
    anciens = avant_migration.loader.project_state(AVANT).apps.get_model("profil", "Espace")
    anciens.objects.create(
        ins="280037512345678",
        nom_naissance="LEFÈVRE",
        nom_utilise="",
        prenoms="Éloïse",
        date_naissance=date(1980, 3, 1),
        sexe="F",
        statut="actif",
    )
    avant_migration.loader.build_graph()
    avant_migration.migrate(APRES)
    nouveaux = avant_migration.loader.project_state(APRES).apps.get_model("profil", "Espace")
    assert nouveaux.objects.get(ins="280037512345678").nom_recherche == "lefevre eloise"
