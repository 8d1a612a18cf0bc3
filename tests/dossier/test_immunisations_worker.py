"""A real Celery worker on Redis ingests a vaccination note: the carnet gets its vaccinations,
once, whatever the redeliveries (issue 16, point 7)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from dossier import ingestion
from dossier.models import Document, Statut
from espace_sante.journal.models import Evenement
from profil.models import Vaccination

from ..conftest import attendre
from ..factories import EspaceFactory
from .fabrique_vaccins import HEXA_1, ROR_1, ROR_2, deposer_note, note_de_vaccination

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_ingests_a_vaccination_note_into_the_carnet_once(worker) -> None:  # type: ignore[no-untyped-def]
    espace = EspaceFactory(date_naissance=date(2015, 1, 10))
    with transaction.atomic():
        document = deposer_note(
            espace, note_de_vaccination(ins=espace.ins, injections=(HEXA_1, ROR_1, ROR_2))
        )
    assert attendre(lambda: Document.objects.get(pk=document.pk).statut == Statut.DISPONIBLE)
    familles = sorted((v.famille, v.date) for v in Vaccination.objects.filter(espace=espace))
    assert familles == [
        ("DTP", date(2015, 3, 10)),
        ("ROR", date(2016, 1, 15)),
        ("ROR", date(2016, 5, 20)),
    ]

    # A redelivered message changes nothing.
    assert ingestion.document_ingerer(document_id=document.pk) == "ignoré"
    assert Vaccination.objects.filter(espace=espace).count() == 3
    assert Evenement.objects.filter(objet_type="profil:vaccinations").count() == 1
