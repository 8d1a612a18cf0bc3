"""Django's Redis cache, made to fail safe: with Redis away, a read misses and a write is dropped,
with a logged warning, instead of an exception that would answer 500 (issue 14).

What relies on the cache degrades as follows (docs/TACHES.md): the login slow-down and the rate
limits count nothing while Redis is away (they fail open: locking everyone out of login would be
worse than a few minutes without a throttle), cached pages are computed again."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

INDISPONIBLE = (RedisConnectionError, RedisTimeoutError, OSError)
_AVERTIR_TOUTES_LES = 30.0  # seconds: one warning per process and period, not one per call


class RedisCacheTolerant(RedisCache):
    _dernier_avertissement = 0.0

    def _indisponible(self, operation: str, erreur: BaseException) -> None:
        maintenant = time.monotonic()
        if maintenant - RedisCacheTolerant._dernier_avertissement >= _AVERTIR_TOUTES_LES:
            RedisCacheTolerant._dernier_avertissement = maintenant
            logger.warning(
                "Cache Redis injoignable (%s : %s) : lectures manquées, écritures ignorées, "
                "limites de débit ouvertes jusqu'à son retour.",
                operation,
                type(erreur).__name__,
            )

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except INDISPONIBLE as erreur:
            self._indisponible("get", erreur)
            return default

    def get_many(self, keys: Any, version: int | None = None) -> dict[str, Any]:
        try:
            return super().get_many(keys, version)
        except INDISPONIBLE as erreur:
            self._indisponible("get_many", erreur)
            return {}

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().has_key(key, version)
        except INDISPONIBLE as erreur:
            self._indisponible("has_key", erreur)
            return False

    def add(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> bool:
        try:
            return super().add(key, value, timeout, version)
        except INDISPONIBLE as erreur:
            self._indisponible("add", erreur)
            # "Stored": what uses ``add`` here is a throttle or a lock around one (allauth's
            # rate limits, django-ratelimit), and these fail open rather than lock everyone out.
            return True

    def set(self, key: Any, value: Any, timeout: Any = 300, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except INDISPONIBLE as erreur:
            self._indisponible("set", erreur)

    def set_many(self, data: Any, timeout: Any = 300, version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except INDISPONIBLE as erreur:
            self._indisponible("set_many", erreur)
            return list(data)  # "not stored"

    def touch(self, key: Any, timeout: Any = 300, version: int | None = None) -> bool:
        try:
            return super().touch(key, timeout, version)
        except INDISPONIBLE as erreur:
            self._indisponible("touch", erreur)
            return False

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return super().delete(key, version)
        except INDISPONIBLE as erreur:
            self._indisponible("delete", erreur)
            return False

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        try:
            super().delete_many(keys, version)
        except INDISPONIBLE as erreur:
            self._indisponible("delete_many", erreur)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return super().incr(key, delta, version)
        except INDISPONIBLE as erreur:
            self._indisponible("incr", erreur)
            raise ValueError("Key not found (cache unavailable).") from erreur  # as for a miss

    def clear(self) -> None:
        try:
            super().clear()
        except INDISPONIBLE as erreur:
            self._indisponible("clear", erreur)


def configuration(url: str, *, prefixe: str = "es", delai: float = 1.0) -> dict[str, Any]:
    """The ``CACHES["default"]`` of a deployment with Redis at ``url``: short socket timeouts
    (``delai`` seconds), so that a Redis that does not answer costs a request little."""
    return {
        "BACKEND": "espace_sante.lib.cache.RedisCacheTolerant",
        "LOCATION": url,
        "KEY_PREFIX": prefixe,
        "OPTIONS": {"socket_connect_timeout": delai, "socket_timeout": delai},
    }
