"""Jobs through an outbox (docs/TACHES.md).

A service that needs a job calls ``tache_programmer`` inside its transaction: the job is a row
written with the domain rows, so it exists exactly when they do. After commit it is sent to the
broker at once, best effort: if the broker is away, a warning is logged, the request goes on
(the person is told "en attente") and the sweep (``taches_envoyer``, run by beat every few
seconds and by each worker as it starts) sends it when the broker is back. A row is marked sent
only once the broker has accepted the message, under a row lock that the sweep skips, so one
job is published once; the broker itself delivers at least once, so every task is idempotent.

In the embedded default (``CELERY_TASK_ALWAYS_EAGER``) there is no broker: the job is marked
sent and run in-process right after commit, as before."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from celery.utils.imports import symbol_by_name
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from espace_sante.celery import app

from .models import TacheEnAttente

logger = logging.getLogger(__name__)


def _app() -> Any:
    return app


def _en_ligne() -> bool:
    """No broker: tasks run in the process that queues them."""
    return bool(_app().conf.task_always_eager)


def tache_programmer(
    tache: str | Any, *arguments: Any, objet_type: str = "", objet_id: int | None = None
) -> TacheEnAttente:
    """Record the job ``tache(*arguments)`` in the current transaction; send it after commit.

    ``tache`` is the task or its registered name (``"dossier.tasks.document_ingerer"``): a
    service names its job rather than importing the tasks module that imports the service back
    (no import circle, docs/ARCHITECTURE.md). An unknown name is refused here, before anything
    is written.
    ``arguments`` are ids and plain values (JSON). ``objet_type``/``objet_id`` name what the
    job is for, so that pages can say it is waiting (``objets_en_attente``)."""
    nom = tache if isinstance(tache, str) else tache.name
    if nom not in _app().tasks:
        raise LookupError(f"Tâche inconnue : {nom}")
    ligne = TacheEnAttente.objects.create(
        tache=nom, arguments=list(arguments), objet_type=objet_type, objet_id=objet_id
    )
    transaction.on_commit(partial(_envoyer, ligne.pk, ligne.tache, ligne.arguments))
    return ligne


def _envoyer(pk: int, nom: str, arguments: list[Any]) -> bool:
    """Send one job unless it is sent already or being sent; never raises for the broker.
    Returns whether it left now."""
    if _en_ligne():
        if not TacheEnAttente.objects.filter(pk=pk, envoyee_le=None).update(
            envoyee_le=timezone.now(), essais=F("essais") + 1
        ):
            return False
        symbol_by_name(nom).delay(*arguments)  # runs here; its errors are the task's own
        return True
    try:
        if connection.vendor == "postgresql":
            _publier_sous_verrou(pk, nom, arguments)
        elif not _publier_apres_reservation(pk, nom, arguments):
            return False
    except _DejaPris:
        return False
    except Exception as erreur:  # the broker is away (or refused): the sweep will send it
        nature = type(erreur).__name__
        logger.warning(
            "Broker injoignable : la tâche %s (file d'envoi n° %s) attend son envoi (%s).",
            nom,
            pk,
            nature,
        )
        try:
            TacheEnAttente.objects.filter(pk=pk).update(
                essais=F("essais") + 1, derniere_erreur=nature[:200]
            )
        except Exception:
            logger.warning("Tâche %s : l'échec d'envoi n'a pas pu être noté.", pk)
        return False
    return True


class _DejaPris(Exception):
    """Sent already, or another dispatcher is sending it right now."""


def _publier_sous_verrou(pk: int, nom: str, arguments: list[Any]) -> None:
    """PostgreSQL: lock the row (skipped if another dispatcher holds it), publish, then mark it
    sent in the same transaction: a publish that fails leaves it waiting; a crash after the
    publish and before the commit sends it again later (tasks are idempotent)."""
    with transaction.atomic():
        libre = (
            TacheEnAttente.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, envoyee_le=None)
            .exists()
        )
        if not libre:
            raise _DejaPris
        _app().send_task(nom, args=arguments)  # by name: no task registry needed
        TacheEnAttente.objects.filter(pk=pk).update(
            envoyee_le=timezone.now(), essais=F("essais") + 1
        )


def _publier_apres_reservation(pk: int, nom: str, arguments: list[Any]) -> bool:
    """SQLite with a broker (development, tests): no row locks, and a write transaction held
    while a worker thread runs the task would lock it out. Claim the row with a conditional
    UPDATE, publish, and give it back if the publish fails."""
    if not TacheEnAttente.objects.filter(pk=pk, envoyee_le=None).update(
        envoyee_le=timezone.now(), essais=F("essais") + 1
    ):
        return False
    try:
        _app().send_task(nom, args=arguments)
    except Exception:
        TacheEnAttente.objects.filter(pk=pk).update(envoyee_le=None, essais=F("essais") - 1)
        raise
    return True


def taches_envoyer(*, limite: int = 1000) -> int:
    """Send the jobs still waiting, oldest first; stop at the first broker failure (it is away:
    the next sweep goes on). Forget the jobs sent long ago. Returns how many left now."""
    en_attente = list(
        TacheEnAttente.objects.filter(envoyee_le=None)
        .order_by("cree_le", "pk")
        .values_list("pk", "tache", "arguments")[:limite]
    )
    envoyees = 0
    for pk, nom, arguments in en_attente:
        if _envoyer(pk, nom, arguments):
            envoyees += 1
        elif TacheEnAttente.objects.filter(pk=pk, envoyee_le=None).exists():
            break  # not sent and still waiting: the broker is away
    TacheEnAttente.objects.filter(
        envoyee_le__lt=timezone.now() - timedelta(days=settings.TACHES_CONSERVATION_JOURS)
    ).delete()
    return envoyees


# --- Reads: what a page says while a job waits ------------------------------------------------


def objets_en_attente(*, objet_type: str, objet_ids: Iterable[int]) -> set[int]:
    """Which of these objects have a job not yet handed to the broker."""
    ids = TacheEnAttente.objects.filter(
        objet_type=objet_type, objet_id__in=list(objet_ids), envoyee_le=None
    ).values_list("objet_id", flat=True)
    return {pk for pk in ids if pk is not None}


def en_attente_expression(objet_type: str, champ: str = "pk") -> Exists:
    """An annotation for a queryset of such objects: whether a job for the row waits to leave."""
    return Exists(
        TacheEnAttente.objects.filter(
            objet_type=objet_type, objet_id=OuterRef(champ), envoyee_le=None
        )
    )
