"""The printable summary of the profile and the directives anticipées (issue 6): what they
hold, kept as a DOCPAT08 document, and a minor's secrets left out for a representative."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from dossier.models import Document
from profil.models import Allergie

from ..conftest import client_pour

pytestmark = pytest.mark.django_db


def _ajouter(client, espace, section: str, **donnees: object):  # type: ignore[no-untyped-def]
    return client.post(reverse("profil:profil_ajouter", args=[espace.uuid, section]), donnees)


def test_directives_follow_the_official_form_and_print(client_titulaire, titulaire) -> None:
    url = reverse("profil:profil_unique", args=[titulaire.uuid, "directives"])
    assert (
        client_titulaire.get(reverse("ensemble:directives_pdf", args=[titulaire.uuid])).status_code
        == 404
    )
    reponse = client_titulaire.post(
        url,
        {
            "situation": "bonne_sante",
            "reanimation": "Je refuse toute réanimation prolongée.",
            "douleur": "Je demande une sédation profonde si nécessaire.",
            "fait_a": "Lyon",
            "fait_le": "2026-01-15",
        },
    )
    assert reponse.status_code == 302
    pdf = client_titulaire.get(reverse("ensemble:directives_pdf", args=[titulaire.uuid]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Réanimation cardiaque et respiratoire" in texte and "sédation profonde" in texte
    page = client_titulaire.get(reverse("profil:profil_medical", args=[titulaire.uuid]))
    assert "Rédigées le 15 janvier 2026" in page.content.decode()


def test_the_summary_prints_and_is_kept_as_a_docpat08_document(
    client_titulaire, titulaire, django_capture_on_commit_callbacks
) -> None:
    _ajouter(client_titulaire, titulaire, "allergies", substance="Pénicilline", severite="severe")
    _ajouter(client_titulaire, titulaire, "traitements", medicament="Levothyrox 75 µg")
    client_titulaire.post(
        reverse("profil:profil_unique", args=[titulaire.uuid, "personne_confiance"]),
        {"nom": "Alex Martin", "lien": "frère", "telephone": "0612345678"},
    )
    url = reverse("ensemble:synthese", args=[titulaire.uuid])
    pdf = client_titulaire.get(url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Pénicilline (sévère)" in texte and "Levothyrox 75 µg" in texte
    assert "non rédigées" in texte and len(PdfReader(io.BytesIO(pdf.content)).pages) == 1
    assert "Alex Martin (frère), 0612345678" in texte
    with django_capture_on_commit_callbacks(execute=True):
        assert client_titulaire.post(url).status_code == 302
    document = Document.objects.get(type_code="DOCPAT08")
    assert document.statut == "disponible" and document.espace == titulaire


def test_a_representative_s_summary_of_a_minor_leaves_out_the_minor_s_secrets(
    representant, enfant_represente
) -> None:
    Allergie.objects.create(espace=enfant_represente, substance="Arachide")
    Allergie.objects.create(espace=enfant_represente, substance="Latex", secret_mineur=True)
    client = client_pour(representant.titulaire)
    pdf = client.get(reverse("ensemble:synthese", args=[enfant_represente.uuid]))
    assert pdf.status_code == 200
    texte = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Arachide" in texte and "Latex" not in texte
