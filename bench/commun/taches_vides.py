"""The no-op task of the benches' baselines, loaded by their workers (``--include``): it
counts itself in Redis, nothing else."""

from __future__ import annotations

import os

import redis
from celery import shared_task

_client: redis.Redis | None = None


@shared_task(acks_late=True, name="bench.rien")
def rien(cle: str) -> None:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ["REDIS_URL"])
    _client.incr(cle)
