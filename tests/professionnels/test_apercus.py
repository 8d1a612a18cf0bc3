"""A professional sees a document's content as its patient does (issue 17, point 3): one
presenter and one include (``dossier.lecture_document``, ``dossier/_apercu_document.html``)
feed both pages. For each kind of file — PDF, PNG, JPEG, DICOM, a DICOM without preview, a
CDA level 3 with its narrative, a CDA level 1 carrying a PDF — deposited and ingested for
real, the professional's preview area is the patient's, addresses aside; every preview
address on it answers 200 to this professional and 404 to one without access. The boxes that
say what was read of a document (vaccinations, lab results) show on the professional's page
too, pointing at the professional's own pages."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import date

import numpy as np
import pytest
from django.urls import reverse

from dossier.models import Document, Statut
from ensemble import demo
from professionnels.models import AccesProfessionnel, Habilitation
from profil.models import Espace

from ..conftest import client_pour
from ..dossier import fabrique
from ..dossier.fabrique_vaccins import note_de_vaccination
from ..dossier.test_dicom import dicom_gris, octets
from ..dossier.test_ingestion import _deposer
from ..factories import EspaceFactory, ProfessionnelFactory

pytestmark = pytest.mark.django_db

_BLOC = re.compile(r'<div class="[^"]*apercu-document" id="apercu">(.*?)\n  </div>\n', re.S)
_ADRESSES = re.compile(r'(?:src|href)="([^"#]+)')

Fabrique = Callable[[Espace], bytes]
SORTES: dict[str, tuple[str, Fabrique, list[str]]] = {
    # kind: (file name, content for the space, what its preview area must show)
    "pdf": ("cr.pdf", lambda e: fabrique.pdf(2), ['class="apercu-pdf"', "Ouvrir le PDF"]),
    "png": ("scan.png", lambda e: fabrique.png(), ["images-document", "Image 1 / 1"]),
    "jpeg": ("photo.jpg", lambda e: fabrique.jpeg(), ["images-document", "Image 1 / 1"]),
    "dicom": ("irm.dcm", lambda e: fabrique.dicom(images=2), ["Modalité : CT", "Image 2 / 2"]),
    "dicom-sans-apercu": (
        "blanc.dcm",
        lambda e: octets(dicom_gris(np.full((16, 16), 700, dtype=np.uint16))),
        ['id="sans-apercu"', "une seule couleur"],
    ),
    "cda-niveau-3": (
        "cr.xml",
        lambda e: fabrique.cda(ins=e.ins),
        ['class="cda"', "TSH : 2,1 mUI/L normal", "&lt;script&gt;"],
    ),
    "cda-niveau-1": (
        "n1.xml",
        lambda e: fabrique.cda(ins=e.ins, pdf_b64=base64.b64encode(fabrique.pdf(1)).decode()),
        ["PDF contenu dans le document CDA"],
    ),
}


@pytest.fixture
def lecteurs(db):  # type: ignore[no-untyped-def]
    """The patient (a child born on the date the vaccination notes give), a médecin they
    authorised, and a médecin without access."""
    espace = EspaceFactory(nom_naissance="TEST", prenoms="Léo", date_naissance=date(2015, 1, 10))
    medecin = ProfessionnelFactory()
    AccesProfessionnel.objects.create(espace=espace, professionnel=medecin, autorise=True)
    etranger = ProfessionnelFactory(utilisateur__nom="BERNARD")
    return {
        "espace": espace,
        "patient": client_pour(espace.titulaire),
        "medecin": client_pour(medecin.utilisateur),
        "etranger": client_pour(etranger.utilisateur),
        "pro": medecin,
    }


def _deposer_et_lire(lecteurs, nom: str, contenu: bytes, capture) -> Document:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        reponse = _deposer(lecteurs["patient"], lecteurs["espace"], contenu, nom)
    assert reponse.status_code == 302
    doc = Document.objects.get()
    assert doc.statut == Statut.DISPONIBLE, doc.motif_erreur
    return doc


def _pages(lecteurs, doc: Document) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    arguments = [lecteurs["espace"].uuid, doc.uuid]
    patient = lecteurs["patient"].get(reverse("dossier:document", args=arguments))
    pro = lecteurs["medecin"].get(reverse("professionnels:document", args=arguments))
    assert patient.status_code == pro.status_code == 200
    return patient.content.decode(), pro.content.decode()


def _bloc(page: str) -> str:
    trouve = _BLOC.search(page)
    assert trouve is not None, "pas de zone d'aperçu"
    return trouve.group(1)


def _sans_adresses(bloc: str, lecteurs, doc: Document) -> str:  # type: ignore[no-untyped-def]
    e = lecteurs["espace"].uuid
    for nom, remplacement in [
        (reverse("dossier:document", args=[e, doc.uuid]), "DOCUMENT/"),
        (reverse("professionnels:document", args=[e, doc.uuid]), "DOCUMENT/"),
        (reverse("dossier:resultats:liste", args=[e]), "RESULTATS/"),
        (reverse("professionnels:resultats", args=[e]), "RESULTATS/"),
        (reverse("profil:profil_medical", args=[e]), "CARNET/"),
        (reverse("professionnels:profil", args=[e]), "CARNET/"),
    ]:
        bloc = bloc.replace(nom, remplacement)
    return bloc


@pytest.mark.parametrize("sorte", SORTES)
def test_the_professional_sees_the_patient_s_preview_and_reaches_its_addresses(
    lecteurs, django_capture_on_commit_callbacks, sorte: str
) -> None:  # type: ignore[no-untyped-def]
    nom, contenu, attendus = SORTES[sorte]
    doc = _deposer_et_lire(
        lecteurs, nom, contenu(lecteurs["espace"]), django_capture_on_commit_callbacks
    )
    page_patient, page_pro = _pages(lecteurs, doc)
    bloc_patient, bloc_pro = _bloc(page_patient), _bloc(page_pro)
    for attendu in attendus:
        assert attendu in bloc_pro, (sorte, attendu)
    assert _sans_adresses(bloc_pro, lecteurs, doc) == _sans_adresses(bloc_patient, lecteurs, doc)

    prefixe_pro = reverse("professionnels:document", args=[lecteurs["espace"].uuid, doc.uuid])
    adresses = set(_ADRESSES.findall(bloc_pro))
    assert all(a.startswith("/pro/") for a in adresses), adresses
    apercus = {a for a in adresses if a.startswith(prefixe_pro)}
    # The narrative of a level-3 CDA is on the page itself; a DICOM without preview has none.
    assert bool(apercus) is (sorte not in {"cda-niveau-3", "dicom-sans-apercu"}), apercus
    original = reverse("professionnels:contenu", args=[lecteurs["espace"].uuid, doc.uuid])
    for adresse in {*apercus, original}:
        lue = lecteurs["medecin"].get(adresse.replace("&amp;", "&"))
        assert lue.status_code == 200, adresse
        assert b"".join(lue.streaming_content)
        assert lecteurs["etranger"].get(adresse.replace("&amp;", "&")).status_code == 404
    assert lecteurs["etranger"].get(prefixe_pro).status_code == 404


def test_a_cda_is_never_served_inline_but_its_narrative_is_on_the_page(
    lecteurs, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    doc = _deposer_et_lire(
        lecteurs,
        "cr.xml",
        fabrique.cda(ins=lecteurs["espace"].ins),
        django_capture_on_commit_callbacks,
    )
    arguments = [lecteurs["espace"].uuid, doc.uuid]
    brut = lecteurs["medecin"].get(
        reverse("professionnels:contenu", args=arguments), {"en_ligne": "1"}
    )
    assert brut["Content-Disposition"].startswith("attachment")
    assert "TSH : 2,1 mUI/L normal" in _pages(lecteurs, doc)[1]


def test_the_vaccination_box_shows_where_the_professional_reads_the_profile(
    lecteurs, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    note = note_de_vaccination(ins=lecteurs["espace"].ins)
    doc = _deposer_et_lire(lecteurs, "vac.xml", note, django_capture_on_commit_callbacks)
    page_patient, page_pro = _pages(lecteurs, doc)
    profil_pro = reverse("professionnels:profil", args=[lecteurs["espace"].uuid])
    assert 'id="vaccinations-du-document"' in _bloc(page_patient)
    assert 'id="vaccinations-du-document"' in _bloc(page_pro)
    assert f'href="{profil_pro}#vaccinations"' in page_pro
    assert reverse("profil:profil_medical", args=[lecteurs["espace"].uuid]) not in page_pro
    assert lecteurs["medecin"].get(profil_pro).status_code == 200

    # A profession the matrix lets read the note but not the profile: no box.
    kine = ProfessionnelFactory(profession="70", utilisateur__nom="ROUX")
    AccesProfessionnel.objects.create(espace=lecteurs["espace"], professionnel=kine, autorise=True)
    Habilitation.objects.filter(profession="70", type_code="DOCPAT08").update(lecture=False)
    page_kine = client_pour(kine.utilisateur).get(
        reverse("professionnels:document", args=[lecteurs["espace"].uuid, doc.uuid])
    )
    assert page_kine.status_code == 200
    assert 'id="vaccinations-du-document"' not in page_kine.content.decode()


def test_the_lab_results_box_points_at_the_professional_s_results_page(
    lecteurs, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    rapport = demo.cr_bio(ins=lecteurs["espace"].ins, observations=[demo.ObservationBio()])
    doc = _deposer_et_lire(lecteurs, "bio.xml", rapport, django_capture_on_commit_callbacks)
    page_patient, page_pro = _pages(lecteurs, doc)
    resultats_pro = reverse("professionnels:resultats", args=[lecteurs["espace"].uuid])
    assert 'id="lecture-resultats"' in _bloc(page_patient)
    assert 'id="lecture-resultats"' in _bloc(page_pro)
    assert f'href="{resultats_pro}"' in page_pro
    assert lecteurs["medecin"].get(resultats_pro).status_code == 200
