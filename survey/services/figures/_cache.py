"""The per-worker figure cache: figures of unchanged data are computed once per worker."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from survey.store import counts as store

__all__ = ["CACHE", "cached", "organisation_moments"]

_T = TypeVar("_T")

#: results computed lately, by what they were asked for and the data stamp they came from
CACHE: OrderedDict[tuple[object, ...], Any] = OrderedDict()
_CACHE_SIZE = 256
#: the data stamp of the computation under way: the parts it caches (suppression, the
#: organisation's sums) belong to the same data, so they need not read the stamp again
_STAMP: ContextVar[str | None] = ContextVar("figures_data_stamp", default=None)


async def cached(key: tuple[object, ...], compute: Callable[[], Awaitable[_T]]) -> _T:
    """A dashboard, its report and the exports ask for the same figures, and a page's comments
    for the same suppression as its figures: each is computed once. The data stamp makes any
    new answer, wave change or organisation change a miss, in every worker alike."""
    stamp = _STAMP.get() or await store.data_stamp()
    full_key = (*key, stamp)
    hit = CACHE.get(full_key)
    if hit is not None:
        CACHE.move_to_end(full_key)
        return hit  # type: ignore[no-any-return]
    token = _STAMP.set(stamp)
    try:
        result = await compute()
    finally:
        _STAMP.reset(token)
    CACHE[full_key] = result
    while len(CACHE) > _CACHE_SIZE:
        CACHE.popitem(last=False)
    return result


async def organisation_moments(
    wave_ids: list[int], mapping: list[tuple[int, str, str, int, int, bool]]
) -> list[tuple[int, int, str, int, float, float]]:
    """value_moments of the whole organisation, computed once per data stamp for every report."""
    key = ("moments", tuple(wave_ids), tuple(mapping))
    return await cached(key, lambda: store.value_moments(wave_ids, mapping))
