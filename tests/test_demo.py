from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from espace_sante.acces import Role, Rubrique, espace_pour_acteur, espaces_accessibles
from espace_sante.comptes.models import Utilisateur
from espace_sante.journal.services import journal_verifier
from profil import services
from profil.models import (
    Delegation,
    Espace,
    MesureProtection,
    Representation,
    Statut,
    TypeProtection,
)

pytestmark = pytest.mark.django_db


def test_demo_data_loads_twice_and_prints_working_logins() -> None:
    premiere, seconde = StringIO(), StringIO()
    call_command("demo", stdout=premiere)
    call_command("demo", stdout=seconde)
    assert Espace.objects.count() == 8
    camille = Espace.objects.get(titulaire__email="camille.martin@demo.espace-sante.test")
    assert camille.titulaire.check_password("demo-Espace-Sante-2026")
    assert Representation.objects.filter(representant=camille, fin__isnull=True).count() == 2
    for sortie in (premiere.getvalue(), seconde.getvalue()):
        trouve = re.search(
            r"INS (\w{15}), né le (\d\d)/(\d\d)/(\d{4}), code ([A-Z0-9-]{14})", sortie
        )
        assert trouve is not None
    jean = Espace.objects.get(ins=trouve.group(1))
    assert jean.statut == Statut.CREE
    services.espace_activation_verifier(
        ins=jean.ins, date_naissance=jean.date_naissance, code=trouve.group(5)
    )
    assert list(journal_verifier()) == []


def test_the_demo_carer_reaches_camille_s_documents_and_the_tutor_paul_s_space() -> None:
    sortie = StringIO()
    call_command("demo", stdout=sortie)
    call_command("demo", stdout=StringIO())
    assert "Aidante de Camille (documents, consultation seulement) : marie.dupont@" in (
        sortie.getvalue()
    )
    assert "Tutrice de Paul GARNIER (tutelle) : jeanne.robert@" in sortie.getvalue()
    camille = Espace.objects.get(titulaire__email="camille.martin@demo.espace-sante.test")
    marie = Utilisateur.objects.get(email="marie.dupont@demo.espace-sante.test")
    jeanne = Utilisateur.objects.get(email="jeanne.robert@demo.espace-sante.test")
    assert Delegation.objects.filter(espace=camille).count() == 1
    acces = espace_pour_acteur(
        utilisateur=marie, espace_uuid=camille.uuid, rubrique=Rubrique.DOCUMENTS
    )
    assert acces.role == Role.AIDANT and not acces.ecriture
    assert acces.acteur.nom == "Marie DUPONT, aidante"
    (tutelle,) = [a for a in espaces_accessibles(utilisateur=jeanne) if a.role == Role.TUTEUR]
    assert tutelle.espace.nom_complet == "Paul GARNIER"
    assert MesureProtection.objects.filter(type=TypeProtection.TUTELLE).count() == 1


@pytest.mark.django_db(transaction=True)  # the ingestion jobs run as each document commits
def test_camille_s_demo_lab_reports_give_results_to_follow_over_time() -> None:
    from dossier.models import Document, Resultat, Statut

    call_command("demo", stdout=StringIO())
    camille = Espace.objects.get(titulaire__email="camille.martin@demo.espace-sante.test")
    bilans = Document.objects.filter(espace=camille, type_code="11502-2", source="professionnel")
    assert {d.statut for d in bilans} == {Statut.DISPONIBLE}
    par_analyse: dict[str, list[str]] = {}
    for code, le in Resultat.objects.filter(espace=camille).values_list("code", "date_observation"):
        par_analyse.setdefault(code, []).append(f"{le:%Y-%m}")
    attendu = ["2025-03", "2025-09", "2026-01"]
    analyses = ("3016-3", "2345-7", "4548-4", "13457-7")
    mois = {code: sorted(liste) for code, liste in par_analyse.items()}
    assert mois == dict.fromkeys(analyses, attendu)


def test_demo_professionals_have_the_standing_the_logins_say() -> None:
    from professionnels.models import Professionnel
    from professionnels.selectors import patients_du_professionnel

    sortie = StringIO()
    call_command("demo", stdout=sortie)
    assert "dr.lefevre@demo.espace-sante.test — médecin généraliste, Vérifié" in sortie.getvalue()
    camille = Espace.objects.get(titulaire__email="camille.martin@demo.espace-sante.test")
    medecin = Professionnel.objects.get(utilisateur__email="dr.lefevre@demo.espace-sante.test")
    assert [p.espace for p in patients_du_professionnel(professionnel=medecin)] == [camille]
    infirmier = Professionnel.objects.get(
        utilisateur__email="infirmier.leroy@demo.espace-sante.test"
    )
    assert infirmier.statut == "en_attente"
    assert Professionnel.objects.get(
        utilisateur__email="samu.garnier@demo.espace-sante.test"
    ).regulation


def test_the_demo_dmp_archive_imports_into_camille_s_space(
    settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    from dossier.import_dmp import archive_importer
    from dossier.models import Document, Source

    settings.VAR_DIR = tmp_path
    sortie = StringIO()
    call_command("demo", stdout=sortie)
    chemin = re.search(r"Archive du DMP de Camille à importer .*: (\S+)", sortie.getvalue())
    assert chemin is not None and chemin.group(1).startswith(str(tmp_path))
    camille = Espace.objects.get(titulaire__email="camille.martin@demo.espace-sante.test")
    with django_capture_on_commit_callbacks(execute=True):
        rapport = archive_importer(espace=camille, contenu=Path(chemin.group(1)).read_bytes())
    assert len(rapport.importes) == 3 and not rapport.refuses
    importes = Document.objects.filter(espace=camille, source=Source.IMPORT_DMP)
    assert {d.type_code for d in importes} == {"11502-2", "18748-4", "11490-0"}
    assert all(d.statut == "disponible" for d in importes)


def test_demo_operator_handles_contact_tickets_and_the_faq_in_the_admin() -> None:
    from django.test import Client

    from espace_sante.comptes.models import Utilisateur

    call_command("demo", stdout=StringIO())
    operateur = Utilisateur.objects.get(email="operateur@demo.espace-sante.test")
    assert operateur.has_perm("aide.change_demandecontact")
    assert operateur.has_perm("aide.change_questionfrequente")
    assert not operateur.has_perm("aide.delete_demandecontact")
    client = Client()
    client.force_login(operateur)
    assert client.get("/admin/aide/demandecontact/").status_code == 200
    assert client.get("/admin/aide/questionfrequente/").status_code == 200
