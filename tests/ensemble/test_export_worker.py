"""A real Celery worker, consuming from Redis on a queue of its own, builds an export end to
end (the fixtures of tests/test_worker.py: its broker check and a worker per test)."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile

import pytest
from django.core import mail
from django.db import transaction
from fhirclient.models.bundle import Bundle as BundleR4

from ensemble.export import export_demander
from ensemble.tasks import export_construire
from espace_sante.acces import espace_pour_acteur
from espace_sante.coffre.services import blob_lire
from espace_sante.journal.models import Action, Evenement
from profil.models import ExportDonnees

from ..conftest import attendre
from ..factories import EspaceFactory, document

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_the_export_queued_on_commit(worker, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    espace = EspaceFactory()
    contenu = os.urandom(1024 * 1024 + 7)
    document(espace, contenu=contenu, nom_fichier="irm.bin", titre="IRM du genou")
    acces = espace_pour_acteur(utilisateur=espace.titulaire, espace_uuid=espace.uuid)
    with transaction.atomic():
        export, nouveau = export_demander(acces=acces)
        time.sleep(0.5)
        assert nouveau and ExportDonnees.objects.get(pk=export.pk).etat == "en_attente"
    assert attendre(lambda: ExportDonnees.objects.get(pk=export.pk).etat == "pret", 60)
    assert attendre(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [espace.titulaire.email]

    export.refresh_from_db()
    assert export.blob is not None
    archive = zipfile.ZipFile(io.BytesIO(b"".join(blob_lire(export.blob))))
    originaux = [n for n in archive.namelist() if n.startswith("documents/")]
    assert [archive.read(n) for n in originaux] == [contenu]
    BundleR4(json.loads(archive.read("fhir/bundle.json")), strict=True)

    export_construire.delay(export.pk)  # delivered again: nothing more happens
    time.sleep(1.5)
    apres = ExportDonnees.objects.get(pk=export.pk)
    assert apres.tentatives == 1 and apres.blob_id == export.blob_id
    assert len(mail.outbox) == 1
    assert Evenement.objects.filter(action=Action.EXPORT_PRET).count() == 1
