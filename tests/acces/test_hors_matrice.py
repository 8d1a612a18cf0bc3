"""Issue 17, point 6: a professional is told how many documents of the space the matrix keeps
from their profession (``nombre_hors_matrice``), counted in the database, never described."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dossier.models import ReglagesDossier, Source, Statut
from espace_sante.acces import acces_professionnel, nombre_hors_matrice
from professionnels.models import AccesProfessionnel

from ..conftest import client_pour
from ..factories import ProfessionnelFactory, document

pytestmark = pytest.mark.django_db

IMAGERIE = "18748-4"  # a pharmacist does not read imaging reports
CR = "11488-4"  # nor consultation reports
BIOLOGIE = "11502-2"  # but reads biology


@pytest.fixture
def pharmacien(titulaire):  # type: ignore[no-untyped-def]
    pro = ProfessionnelFactory(profession="21", utilisateur__nom="PHARMA")
    AccesProfessionnel.objects.create(espace=titulaire, professionnel=pro, autorise=True)
    return pro


def _nombre(pro, espace) -> int:  # type: ignore[no-untyped-def]
    return nombre_hors_matrice(
        acces=acces_professionnel(professionnel=pro, espace_uuid=espace.uuid)
    )


def test_it_counts_the_documents_only_the_matrix_keeps_from_the_profession(
    titulaire, autre_titulaire, pharmacien
) -> None:
    moi = str(pharmacien.utilisateur.uuid)
    document(titulaire, titre="Scanner thoracique secret", type_code=IMAGERIE)
    document(titulaire, titre="CR cardiologie", type_code=CR)
    document(titulaire, titre="Bilan", type_code=BIOLOGIE)  # readable: not counted
    # Not counted: what the patient hid (masked, deleted), old versions, the professional's
    # own deposit, a deposit refused or still checked, and another space's documents.
    document(titulaire, type_code=IMAGERIE, masque_ps=True)
    document(titulaire, type_code=IMAGERIE, supprime_le=timezone.now())
    document(titulaire, type_code=IMAGERIE, statut=Statut.ARCHIVE)
    document(titulaire, type_code=IMAGERIE, auteur_id=moi)
    document(titulaire, type_code=IMAGERIE, statut=Statut.EN_ERREUR, blob=None)
    document(titulaire, type_code=IMAGERIE, statut=Statut.EN_TRAITEMENT, source=Source.API)
    document(autre_titulaire, type_code=IMAGERIE)
    assert _nombre(pharmacien, titulaire) == 2

    page = (
        client_pour(pharmacien.utilisateur)
        .get(reverse("professionnels:patient", args=[titulaire.uuid]))
        .content.decode()
    )
    assert "2 documents relèvent de catégories que votre profession ne consulte pas" in page
    assert "Scanner thoracique secret" not in page and "CR cardiologie" not in page
    assert "Bilan" in page


def test_it_says_nothing_when_the_patient_hid_everything_or_the_profession_reads_all(
    titulaire, pharmacien, pro_autorise
) -> None:
    document(titulaire, type_code=IMAGERIE)
    assert _nombre(pharmacien, titulaire) == 1
    assert _nombre(pro_autorise, titulaire) == 0  # a médecin reads every type
    ReglagesDossier.objects.create(espace=titulaire, tout_masque=True)
    assert _nombre(pharmacien, titulaire) == 0
    page = (
        client_pour(pharmacien.utilisateur)
        .get(reverse("professionnels:patient", args=[titulaire.uuid]))
        .content.decode()
    )
    assert "votre profession ne consulte pas" not in page


def test_one_document_is_told_in_the_singular(titulaire, pharmacien) -> None:
    document(titulaire, type_code=CR)
    page = (
        client_pour(pharmacien.utilisateur)
        .get(reverse("professionnels:patient", args=[titulaire.uuid]))
        .content.decode()
    )
    assert "1 document relève d'une catégorie que votre profession ne consulte pas" in page
