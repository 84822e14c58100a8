"""The per-worker keep of respondent entries (survey.store.entries), and its invalidation.

Its own module so that the store functions that change waves, links or the organisation can
empty it without importing the entries' queries.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from survey.store.engine import current_engine

__all__ = ["ENTRY_SECONDS", "forget_entries", "kept_or_read"]

T = TypeVar("T")

#: seconds a worker keeps what a unit link or a service point leads to
ENTRY_SECONDS = 1.0
_KEPT_MOST = 10_000
_kept: dict[tuple[str, str], tuple[object, float, Any]] = {}


def forget_entries() -> None:
    """Read every entry afresh from now on (a wave, a link or the organisation changed)."""
    _kept.clear()


async def kept_or_read(kind: str, key: str, read: Callable[[], Awaitable[T | None]]) -> T | None:
    """The entry kept for (kind, key), or `read()` it and keep it (not when there is none)."""
    engine, now = current_engine(), time.monotonic()
    hit = _kept.get((kind, key))
    if hit is not None and hit[0] is engine and hit[1] > now:
        return hit[2]
    record = await read()
    if record is not None:
        if len(_kept) >= _KEPT_MOST:
            _kept.clear()
        _kept[(kind, key)] = (engine, now + ENTRY_SECONDS, record)
    return record
