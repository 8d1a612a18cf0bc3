"""The Remboursements page (issue 7 §2): personas, filters, totals, chart vs table, pages,
journal, CNAM-HR lines, query count."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossier.assurance import synchro
from dossier.assurance.lignes import empreinte_professionnel
from dossier.assurance.simulateur import Simulateur
from dossier.models import LigneRemboursement, OrigineRemboursement
from espace_sante.journal.models import Action, Evenement
from profil.models import Espace

from ..conftest import client_pour
from .test_remboursements import ENTREES, _deposer_cnam_hr

pytest_plugins = ["tests.dossier.test_remboursements_outils"]  # the simulator's fixtures
pytestmark = pytest.mark.django_db


def _url(espace: Espace) -> str:
    return reverse("dossier:remboursements", args=[espace.uuid])


def _ligne(espace: Espace, rang: int, **champs: object) -> LigneRemboursement:
    valeurs: dict[str, object] = {
        "espace": espace,
        "identifiant": f"AM-{rang}",
        "origine": OrigineRemboursement.ASSURANCE,
        "date_soins": date(2025, 1, 1),
        "nature": "pharmacie",
        "libelle": f"MEDICAMENT {rang}",
        "professionnel": "Pharmacie COMPAIN",
        "paye_centimes": 1000,
        "base_centimes": 1000,
        "rembourse_centimes": 650,
        "reste_a_charge_centimes": 350,
    }
    valeurs.update(champs)
    valeurs["professionnel_empreinte"] = empreinte_professionnel(str(valeurs["professionnel"]))
    return LigneRemboursement.objects.create(**valeurs)


def test_the_page_answers_each_persona(
    titulaire: Espace,
    client_titulaire: Client,
    client_autre: Client,
    enfant_represente: Espace,
    pro_autorise,  # type: ignore[no-untyped-def]
    client_operateur: Client,
) -> None:
    _ligne(titulaire, 1)
    assert Client().get(_url(titulaire)).status_code == 302
    assert client_titulaire.get(_url(titulaire)).status_code == 200
    assert client_titulaire.get(_url(enfant_represente)).status_code == 200  # representative
    assert client_autre.get(_url(titulaire)).status_code == 404  # another space's uuid
    assert client_pour(pro_autorise.utilisateur).get(_url(titulaire)).status_code == 404
    assert client_operateur.get(_url(titulaire)).status_code == 404
    assert (
        client_titulaire.get(
            reverse("dossier:remboursements", args=["6f1e0a52-0000-4000-8000-000000000000"])
        ).status_code
        == 404
    )


def test_a_representative_sees_the_childs_lines_not_their_own(
    titulaire: Espace, enfant_represente: Espace, client_titulaire: Client
) -> None:
    _ligne(titulaire, 1, libelle="MEDICAMENT DU PARENT")
    _ligne(enfant_represente, 2, libelle="MEDICAMENT DE L'ENFANT")
    page = client_titulaire.get(_url(enfant_represente)).content.decode()
    assert "MEDICAMENT DE L&#x27;ENFANT" in page and "MEDICAMENT DU PARENT" not in page


def test_the_consultation_is_journaled(titulaire: Espace, client_titulaire: Client) -> None:
    client_titulaire.get(_url(titulaire))
    evenement = Evenement.objects.get(
        espace_uuid=titulaire.uuid, action=Action.REMBOURSEMENTS_CONSULTES
    )
    assert evenement.acteur_type == "titulaire" and evenement.details == {}


def _lignes_affichees(page: str) -> list[str]:
    return re.findall(r'<span class="remboursement__libelle">([^<]*)</span>', page)


def test_filters_by_kind_professional_and_period(
    titulaire: Espace, client_titulaire: Client
) -> None:
    _ligne(titulaire, 1, libelle="DOLIPRANE", date_soins=date(2024, 5, 1))
    _ligne(titulaire, 2, libelle="CONSULTATION G", nature="consultation",
           professionnel="Dr Laure MARIGNY", date_soins=date(2025, 2, 1))  # fmt: skip
    _ligne(titulaire, 3, libelle="DETARTRAGE", nature="dentaire",
           professionnel="Cabinet dentaire", date_soins=date(2025, 6, 1))  # fmt: skip
    url = _url(titulaire)
    assert sorted(_lignes_affichees(client_titulaire.get(url).content.decode())) == [
        "CONSULTATION G",
        "DETARTRAGE",
        "DOLIPRANE",
    ]
    page = client_titulaire.get(url, {"nature": "dentaire"}).content.decode()
    assert _lignes_affichees(page) == ["DETARTRAGE"]
    options = {
        nom: valeur
        for valeur, nom in re.findall(
            r'<option value="([0-9a-f]{64})">([^<]*)</option>',
            client_titulaire.get(url).content.decode(),
        )
    }
    assert set(options) == {"Dr Laure MARIGNY", "Cabinet dentaire", "Pharmacie COMPAIN"}
    page = client_titulaire.get(
        url, {"professionnel": options["Dr Laure MARIGNY"]}
    ).content.decode()
    assert _lignes_affichees(page) == ["CONSULTATION G"]
    page = client_titulaire.get(url, {"du": "2025-01-01", "au": "2025-03-31"}).content.decode()
    assert _lignes_affichees(page) == ["CONSULTATION G"]
    # A period the wrong way round is refused, and filters nothing.
    page = client_titulaire.get(url, {"du": "2025-12-31", "au": "2025-01-01"}).content.decode()
    assert "La date de début doit précéder" in page and len(_lignes_affichees(page)) == 3
    # Unknown values: no error page, no filter.
    assert client_titulaire.get(url, {"nature": "x", "professionnel": "y"}).status_code == 200


def _lignes_tableau(page: str, ident: str, attribut: str) -> dict[str, str]:
    tableau = page.split(f'id="{ident}"', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(rf'<tr data-{attribut}="([^"]*)" data-reste="([^"]*)">', tableau))


def test_totals_per_year_and_kind_and_the_chart_match_the_table(
    assurance: Simulateur, titulaire: Espace, client_titulaire: Client
) -> None:
    synchro.espace_synchroniser(espace_id=titulaire.pk)
    page = client_titulaire.get(_url(titulaire)).content.decode()
    attendu_annee: dict[str, Decimal] = {}
    attendu_nature: dict[str, Decimal] = {}
    for entree in assurance.lignes(titulaire.ins):
        annee = entree["date"][:4]
        reste = Decimal(entree["reste_a_charge"])
        attendu_annee[annee] = attendu_annee.get(annee, Decimal(0)) + reste
        attendu_nature[entree["nature"]] = attendu_nature.get(entree["nature"], Decimal(0)) + reste
    par_annee = _lignes_tableau(page, "totaux-annee", "annee")
    assert {a: Decimal(v) for a, v in par_annee.items()} == attendu_annee
    par_nature = _lignes_tableau(page, "totaux-nature", "nature")
    assert {n: Decimal(v) for n, v in par_nature.items()} == attendu_nature
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    barres = re.findall(
        r'<rect class="graphique__barre graphique-remboursements__barre" data-annee="(\d+)"'
        r' data-montant="([^"]+)" x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)"',
        svg,
    )
    assert {annee: Decimal(montant) for annee, montant, _, _ in barres} == attendu_annee
    assert [annee for annee, *_ in barres] == sorted(attendu_annee)  # oldest on the left
    plus_haut = max(barres, key=lambda b: Decimal(b[1]))
    assert float(plus_haut[3]) == max(float(b[3]) for b in barres)  # tallest bar = largest sum
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "style=" not in page.split("<main", 1)[-1] and "<script>" not in page


def test_the_lines_are_paginated_with_a_constant_number_of_queries(
    titulaire: Espace, client_titulaire: Client
) -> None:
    for rang in range(5):
        _ligne(titulaire, rang)
    url = _url(titulaire)
    client_titulaire.get(url)
    with CaptureQueriesContext(connection) as peu:
        client_titulaire.get(url)
    for rang in range(5, 60):
        _ligne(titulaire, rang, date_soins=date(2024, 1, 1 + rang % 28))
    with CaptureQueriesContext(connection) as beaucoup:
        premiere = client_titulaire.get(url).content.decode()
    assert len(beaucoup) == len(peu)
    assert len(_lignes_affichees(premiere)) == 50 and "Page 1 sur 2" in premiere
    seconde = client_titulaire.get(url, {"page": 2}).content.decode()
    assert len(_lignes_affichees(seconde)) == 10
    assert not set(_lignes_affichees(premiere)) & set(_lignes_affichees(seconde))


def test_cnam_hr_entries_appear_with_their_source(
    titulaire: Espace, client_titulaire: Client, enfant_represente: Espace
) -> None:
    document = _deposer_cnam_hr(titulaire)
    _ligne(titulaire, 1, libelle="LIGNE DU SERVICE")
    page = client_titulaire.get(_url(titulaire)).content.decode()
    affichees = _lignes_affichees(page)
    assert "LIGNE DU SERVICE" in affichees
    for entree in ENTREES:
        assert entree.libelle in affichees
    lien = reverse("dossier:document", args=[titulaire.uuid, document.uuid])
    assert page.count(f'href="{lien}"') == len(ENTREES)
    assert len(affichees) == len(ENTREES) + 1  # twice the same page: not twice the lines
    assert (
        len(_lignes_affichees(client_titulaire.get(_url(titulaire)).content.decode()))
        == len(ENTREES) + 1
    )
    # The document deleted (in the bin): its lines go with it.
    document.supprime_le = document.cree_le
    document.save(update_fields=["supprime_le"])
    assert _lignes_affichees(client_titulaire.get(_url(titulaire)).content.decode()) == [
        "LIGNE DU SERVICE"
    ]


def test_a_document_hidden_from_representatives_hides_its_lines_from_them(
    enfant_represente: Espace, client_titulaire: Client
) -> None:
    _deposer_cnam_hr(enfant_represente, invisible_representants=True)
    assert _lignes_affichees(client_titulaire.get(_url(enfant_represente)).content.decode()) == []
    assert LigneRemboursement.objects.filter(espace=enfant_represente).count() == len(ENTREES)


def test_the_demo_shows_reimbursements_for_its_holder() -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("demo", stdout=StringIO())
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("demo", stdout=StringIO())  # twice: nothing more
    camille = Espace.objects.get(titulaire__email="camille.martin@demo.espace-sante.test")
    lignes = LigneRemboursement.objects.filter(espace=camille)
    assert lignes.filter(origine=OrigineRemboursement.ASSURANCE).count() == Simulateur().total(
        camille.ins
    )
    page = client_pour(camille.titulaire).get(_url(camille)).content.decode()
    assert "DOLIPRANE 1000MG CPR B/8" in page and "graphique-reste-a-charge" in page
    assert 'data-annee="2022"' in page  # the CNAM-HR document's year


def test_operators_see_the_quarantine_and_the_sync_state_never_the_content(
    assurance: Simulateur, titulaire: Espace, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import Permission

    from dossier.models import LigneQuarantaine, SynchroRemboursements

    from ..factories import UtilisateurFactory

    assurance.malformer(titulaire.ins, 2)
    synchro.espace_synchroniser(espace_id=titulaire.pk)
    operateur = UtilisateurFactory(is_staff=True)
    operateur.user_permissions.set(
        Permission.objects.filter(
            codename__in=[
                "view_lignequarantaine",
                "change_lignequarantaine",
                "view_synchroremboursements",
                "change_synchroremboursements",
            ]
        )
    )
    client = client_pour(operateur)
    liste = client.get(reverse("admin:dossier_lignequarantaine_changelist")).content.decode()
    quarantaine = LigneQuarantaine.objects.get(espace=titulaire)
    assert str(titulaire.uuid) in liste and quarantaine.motif in liste
    fiche = client.get(
        reverse("admin:dossier_lignequarantaine_change", args=[quarantaine.pk])
    ).content.decode()
    libelle = assurance.lignes(titulaire.ins)[2]["libelle"]
    assert quarantaine.motif in fiche and libelle not in fiche and "esc1$" not in fiche
    etat = client.get(reverse("admin:dossier_synchroremboursements_changelist")).content.decode()
    assert str(titulaire.uuid) in etat
    # "Reprendre depuis le début": the cursor goes back, a sync is queued, nothing doubles.
    synchronisation = SynchroRemboursements.objects.get(espace=titulaire)
    avant = len(assurance.journal)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:dossier_synchroremboursements_changelist"),
            {"action": "reprendre_depuis_le_debut", "_selected_action": [synchronisation.pk]},
        )
    total = assurance.total(titulaire.ins)
    assert assurance.journal[avant].depuis == ""  # read again from the start
    assert LigneRemboursement.objects.filter(espace=titulaire).count() == total - 1
    assert LigneQuarantaine.objects.filter(espace=titulaire).count() == 1
