"""The rate limit towards the insurer's service: one token bucket shared by every worker.

Celery's ``rate_limit`` is enforced by each worker on its own (N workers, N times the rate),
and counts tasks, not requests (a task fetches several pages): it cannot keep a promise made to
the insurer. So each request takes a token first, from a bucket kept in Redis (the broker and
cache already there), updated by one Lua script — atomic, whatever the number of workers — on
Redis' own clock (no skew between machines). The bucket is a GCRA ("generic cell rate
algorithm"), the token bucket written as one timestamp: ``rate`` tokens per second, at most
``burst`` at once. A caller reserves its token and sleeps until it is due, unless that would be
longer than ``attente_max``: then it reserves nothing and is told how long to wait (the task
retries later instead of holding a worker).

Without Redis (the embedded default: one process, tasks in-process) the same bucket is kept in
memory under a lock."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings

CLE = "espace-sante:assurance:debit"

# KEYS[1] the bucket; ARGV: emission interval (µs), burst, longest wait accepted (µs).
# Returns the wait before the reserved token is due (µs), or -(wait) when refused.
_SCRIPT = """
local t = redis.call('TIME')
local maintenant = tonumber(t[1]) * 1000000 + tonumber(t[2])
local intervalle = tonumber(ARGV[1])
local rafale = tonumber(ARGV[2])
local attente_max = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < maintenant then tat = maintenant end
local nouveau = tat + intervalle
local attente = nouveau - maintenant - rafale * intervalle
if attente < 0 then attente = 0 end
if attente > attente_max then return -attente end
redis.call('SET', KEYS[1], nouveau, 'PX', math.ceil((nouveau - maintenant) / 1000) + 1000)
return attente
"""


class DebitDepasse(Exception):
    """No token soon enough: try again in ``attente`` seconds."""

    def __init__(self, attente: float) -> None:
        super().__init__(f"limite de débit : réessayer dans {attente:.2f} s")
        self.attente = attente


@dataclass
class Seau:
    debit: float  # tokens per second
    rafale: int
    attente_max: float

    def reserver(self) -> float:
        """Reserve a token; the seconds to wait before using it. ``DebitDepasse`` if longer
        than ``attente_max``."""
        raise NotImplementedError

    def prendre(self) -> None:
        attente = self.reserver()
        if attente > 0:
            time.sleep(attente)


class SeauLocal(Seau):
    def __init__(self, debit: float, rafale: int, attente_max: float) -> None:
        super().__init__(debit, rafale, attente_max)
        self._verrou = threading.Lock()
        self._tat = 0.0

    def reserver(self) -> float:
        intervalle = 1.0 / self.debit
        with self._verrou:
            maintenant = time.monotonic()
            nouveau = max(self._tat, maintenant) + intervalle
            attente = max(nouveau - maintenant - self.rafale * intervalle, 0.0)
            if attente > self.attente_max:
                raise DebitDepasse(attente)
            self._tat = nouveau
            return attente


class SeauRedis(Seau):
    def __init__(
        self, debit: float, rafale: int, attente_max: float, *, url: str, cle: str = CLE
    ) -> None:
        super().__init__(debit, rafale, attente_max)
        self.cle = cle
        self.client = redis.Redis.from_url(url)
        self.script: Any = self.client.register_script(_SCRIPT)

    def reserver(self) -> float:
        intervalle = round(1_000_000 / self.debit)
        resultat = int(
            self.script(
                keys=[self.cle], args=[intervalle, self.rafale, round(self.attente_max * 1e6)]
            )
        )
        if resultat < 0:
            raise DebitDepasse(-resultat / 1e6)
        return resultat / 1e6


_SEAUX: dict[tuple[Any, ...], Seau] = {}


def seau() -> Seau:
    """The bucket of the settings (one object per process and setting values)."""
    cle = (
        settings.REDIS_URL,
        settings.ASSURANCE_DEBIT,
        settings.ASSURANCE_RAFALE,
        settings.ASSURANCE_ATTENTE_MAX,
        settings.ASSURANCE_DEBIT_CLE,
    )
    if cle not in _SEAUX:
        if settings.REDIS_URL:
            _SEAUX[cle] = SeauRedis(
                cle[1], cle[2], cle[3], url=settings.REDIS_URL, cle=settings.ASSURANCE_DEBIT_CLE
            )
        else:
            _SEAUX[cle] = SeauLocal(cle[1], cle[2], cle[3])
    return _SEAUX[cle]
