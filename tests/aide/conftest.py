from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _compteurs_propres() -> Iterator[None]:
    """The rate limits count in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()
