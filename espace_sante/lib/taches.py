"""What every Celery task shares to survive an outage (issue 14, docs/PLATFORM.md "Pannes et
reprise").

- ``PANNES``: the transient errors a task is retried for, with backoff: the network, and the
  database restarting (``OperationalError``, ``InterfaceError``).
- ``REPRISE``: the retry policy that goes with them (``autoretry_for=PANNES, **REPRISE``):
  exponential backoff capped at ``RETRY_BACKOFF_MAX`` seconds, with jitter, for about five
  minutes; past that, the periodic sweep queues the work again.
- ``connexions_verifier``: before each task, a database connection that saw an error, or that
  has been idle, is checked before use (``CONN_HEALTH_CHECKS``) and replaced if the database
  went away, whatever ``CELERY_DB_REUSE_MAX`` says. Celery's Django fix-up only checks it every
  ``CELERY_DB_REUSE_MAX`` tasks: after a database restart, a pool process failed all of its tasks.
- ``VisibiliteEntretenue``: a consumer step that keeps the messages a live worker holds (running,
  or waiting for a retry's countdown) invisible to the Redis broker's restore, so that a short
  ``visibility_timeout`` gives back quickly what a dead worker held, and never what a live one is
  still working on (a long DMP import or export is not run twice at once).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import bootsteps
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

PANNES: tuple[type[BaseException], ...] = (
    ConnectionError,
    TimeoutError,
    OperationalError,
    InterfaceError,
)
RETRY_BACKOFF_MAX = 60  # seconds: a database back within a minute is used within a minute
REPRISE: dict[str, Any] = {
    "retry_backoff": True,
    "retry_backoff_max": RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 10,  # 1 + 2 + 4 + … + 60 × 4: about five minutes of outage
}


def connexions_verifier(**_: Any) -> None:
    """``task_prerun``: the next query of the task checks the connection first (``SELECT 1``,
    once per task, only if it uses the database) and opens a new one if it is unusable."""
    for connexion in connections.all(initialized_only=True):
        if connexion.connection is None or connexion.in_atomic_block:
            continue
        if connexion.errors_occurred:
            if not connexion.is_usable():
                connexion.close()
                continue
            connexion.errors_occurred = False
        connexion.health_check_done = False  # type: ignore[attr-defined]  # CONN_HEALTH_CHECKS


class VisibiliteEntretenue(bootsteps.StartStopStep):
    """Every third of the visibility timeout, mark the messages this worker holds and has not
    acknowledged as delivered just now (the Redis transport's ``unacked_index``): only a worker
    that stopped doing so (killed) has its messages restored to the queue by another one."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.tref: Any = None

    def start(self, parent: Any) -> None:
        options = parent.app.conf.broker_transport_options or {}
        delai = float(options.get("visibility_timeout") or 0)
        if delai <= 0:
            return
        self.tref = parent.timer.call_repeatedly(
            max(delai / 3, 0.5), messages_prolonger, (parent,), priority=10
        )

    def stop(self, parent: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    shutdown = stop


def messages_prolonger(consommateur: Any) -> int:
    """The consumer's channel (Redis only; other transports have nothing to do)."""
    tasks = getattr(consommateur, "task_consumer", None)
    canal = getattr(tasks, "channel", None)
    try:
        return canal_prolonger(canal)
    except Exception as erreur:  # the broker is away: its own reconnection handles it
        logger.warning("visibilité des messages non prolongée (%s)", type(erreur).__name__)
        return 0


def canal_prolonger(canal: Any) -> int:
    """Refresh the delivery time of the channel's unacknowledged messages; return how many."""
    qos = getattr(canal, "qos", None)
    cle = getattr(qos, "unacked_index_key", None)
    if qos is None or cle is None:
        return 0
    etiquettes = [e for e in list(qos._delivered) if e not in qos._dirty]
    if not etiquettes:
        return 0
    maintenant = time.time()
    with canal.conn_or_acquire() as client:
        # XX: only tags still there (an ack or a restore may have removed one meanwhile).
        client.zadd(cle, dict.fromkeys(etiquettes, maintenant), xx=True)
    return len(etiquettes)


def messages_en_file(app: Any) -> int:
    """How many messages wait in the default queue (0 when tasks run in-process). The sweeps
    queue nothing again while there is a backlog: a document still in the queue is not lost."""
    if app.conf.task_always_eager:
        return 0
    with app.connection_for_read() as connexion:
        reponse = connexion.default_channel.queue_declare(
            queue=app.conf.task_default_queue, passive=True
        )
    return int(reponse.message_count)
