"""The export's jobs moved from ``profil.tasks`` to ``ensemble.tasks`` (issue 15): a job still
waiting in a deployed outbox under its old name is renamed by the migration, so the sweep sends
it under a name the workers know; sent jobs keep the name they left with."""

from __future__ import annotations

from django.conf import settings as reglages
from django.utils import timezone

from ensemble import export
from espace_sante.celery import app
from espace_sante.taches.models import TacheEnAttente

AVANT = [("ensemble", None)]
APRES = [("ensemble", "0001_taches_export_renommees")]


def _noms() -> dict[int, str]:
    return dict(TacheEnAttente.objects.values_list("pk", "tache"))


def test_waiting_export_jobs_get_their_new_names_and_sent_ones_keep_theirs(
    avant_migration,
) -> None:  # type: ignore[no-untyped-def]
    construire = TacheEnAttente.objects.create(
        tache="profil.tasks.export_construire", arguments=[7], objet_type="export", objet_id=7
    )
    purger = TacheEnAttente.objects.create(tache="profil.tasks.exports_purger")
    envoyee = TacheEnAttente.objects.create(
        tache="profil.tasks.export_construire", arguments=[3], envoyee_le=timezone.now()
    )
    autre = TacheEnAttente.objects.create(tache="profil.tasks.espaces_purger_echus")
    avant_migration.loader.build_graph()
    avant_migration.migrate(APRES)
    noms = _noms()
    assert noms[construire.pk] == "ensemble.tasks.export_construire"
    assert noms[purger.pk] == "ensemble.tasks.exports_purger"
    assert noms[envoyee.pk] == "profil.tasks.export_construire"
    assert noms[autre.pk] == "profil.tasks.espaces_purger_echus"
    assert TacheEnAttente.objects.get(pk=construire.pk).arguments == [7]
    assert {noms[construire.pk], noms[purger.pk]} <= set(app.tasks)
    avant_migration.loader.build_graph()
    avant_migration.migrate(AVANT)  # and back, for a rollback of the release
    assert _noms()[construire.pk] == "profil.tasks.export_construire"
    assert _noms()[purger.pk] == "profil.tasks.exports_purger"


def test_the_hourly_purge_of_exports_names_a_task_the_workers_know() -> None:
    entree = reglages.CELERY_BEAT_SCHEDULE["purge-exports-expires"]
    assert entree["task"] == "ensemble.tasks.exports_purger"
    assert entree["task"] in app.tasks


def test_a_message_already_in_the_broker_under_an_old_name_still_runs(monkeypatch) -> None:  # type: ignore[no-untyped-def]

    faits: list[tuple[str, int | None]] = []
    monkeypatch.setattr(
        export, "export_construire", lambda *, export_id: faits.append(("construire", export_id))
    )
    monkeypatch.setattr(export, "exports_purger", lambda: faits.append(("purger", None)))
    app.tasks["profil.tasks.export_construire"].apply(args=[5])
    app.tasks["profil.tasks.exports_purger"].apply()
    assert faits == [("construire", 5), ("purger", None)]
