"""The figure cache: figures of unchanged data are computed once, for every worker and host.

Every result is kept in this worker's memory by what was asked and the data stamp it came from.
The big ones (a unit's figures, the organisation overview, the service points, the measures'
effects) are kept in the database too (`kept_figure`): another worker, another host, or this one
after a restart reads them instead of computing them, as long as the data stamp is the same.
They are figures of the closed waves, stamped by those alone: an import, a re-mapped
questionnaire version, a changed wave or organisation changes their stamp, a new answer in an
open wave does not (unless it is the first of its group there). Everything else is stamped by
all the data, a new answer included. The code that computes them is part of the key (a hash of
its source), so an update of the app never serves figures of the code before. The kept figures
are pickled and signed with the installation secret: a row that does not carry the signature
(written by anything but this app) is never unpickled.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import pickle
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from survey.store import counts as store
from survey.store import kept as kept_store

__all__ = [
    "CACHE",
    "cached",
    "keep_figures_signed_with",
    "kept_by_content",
    "one_reading",
    "organisation_moments",
    "read_once",
]

_T = TypeVar("_T")
_P = ParamSpec("_P")

#: results computed lately, by what they were asked for and the data stamp they came from
CACHE: OrderedDict[tuple[object, ...], Any] = OrderedDict()
_CACHE_SIZE = 256
#: the data stamp of the computation under way, and whether it is one of the closed waves: the
#: parts it caches (suppression, the organisation's sums) belong to the same data, so they need
#: not read the stamp again
_STAMP: ContextVar[tuple[str, bool] | None] = ContextVar("figures_data_stamp", default=None)
#: inside `one_reading`: each stamp as first read there (True: the closed waves' stamp)
_READ: ContextVar[dict[bool, str] | None] = ContextVar("figures_stamps_read", default=None)


#: where the key that signs kept figures comes from, while a database is open (asked at the first
#: figures kept, so that opening a database writes nothing: survey.services.database)
_SIGNING: list[Callable[[], Awaitable[bytes]]] = []
_PACKAGE = Path(__file__).resolve().parents[2]
#: the code figures come from: this package, the domain and the statistics
_CODE = hashlib.sha256(
    b"".join(
        path.read_bytes()
        for folder in ("services/figures", "domain", "stats")
        for path in sorted((_PACKAGE / folder).rglob("*.py"))
    )
).hexdigest()


def keep_figures_signed_with(secret: Callable[[], Awaitable[bytes]] | None) -> None:
    """Keep the big figures in the database, signed with the key `secret()` gives (None: in
    memory only)."""
    _SIGNING[:] = [secret] if secret is not None else []


def _mac(secret: bytes, name: str, stamp: str, blob: bytes) -> str:
    return hmac.new(secret, f"{name}:{stamp}:".encode() + blob, hashlib.sha256).hexdigest()


async def _kept(name: str, stamp: str, secret: bytes) -> tuple[bool, Any]:
    body = await kept_store.kept_figure(name, stamp)
    if body is None:
        return False, None
    mac, _, text = body.partition(":")
    blob = base64.b64decode(text)
    if not hmac.compare_digest(mac, _mac(secret, name, stamp, blob)):
        return False, None  # not this installation's: computed afresh (and written over)
    return True, pickle.loads(blob)


async def _keep(name: str, stamp: str, secret: bytes, result: object) -> None:
    blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    await kept_store.keep_figure(
        name, stamp, f"{_mac(secret, name, stamp, blob)}:{base64.b64encode(blob).decode()}"
    )


async def _computed(
    key: tuple[object, ...], stamp: str, closed: bool | None, compute: Callable[[], Awaitable[_T]], kept: bool
) -> _T:
    secret = await _SIGNING[0]() if kept and _SIGNING else None
    name = hashlib.sha256(repr((key, _CODE)).encode()).hexdigest()
    if secret is not None:
        found, result = await _kept(name, stamp, secret)
        if found:
            return result  # type: ignore[no-any-return]
    token = _STAMP.set(None if closed is None else (stamp, closed))
    try:
        result = await compute()
    finally:
        _STAMP.reset(token)
    if secret is not None:
        await _keep(name, stamp, secret, result)
    return result


async def _remembered(
    key: tuple[object, ...], stamp: str, closed: bool | None, compute: Callable[[], Awaitable[_T]], kept: bool
) -> _T:
    """From this worker's memory, else `_computed` and remembered (the oldest forgotten).
    `closed`: whether the stamp is the closed waves' (None: the result depends on its key alone)."""
    full_key = (*key, stamp)
    hit = CACHE.get(full_key)
    if hit is not None:
        CACHE.move_to_end(full_key)
        return hit  # type: ignore[no-any-return]
    result = await _computed(key, stamp, closed, compute, kept)
    CACHE[full_key] = result
    while len(CACHE) > _CACHE_SIZE:
        CACHE.popitem(last=False)
    return result


async def cached(
    key: tuple[object, ...],
    compute: Callable[[], Awaitable[_T]],
    *,
    kept: bool = False,
    closed_waves: bool = False,
) -> _T:
    """A dashboard, its report and the exports ask for the same figures, and a page's comments
    for the same suppression as its figures: each is computed once. The data stamp makes any
    new answer, wave change or organisation change a miss, in every worker alike. `kept`: also
    kept in the database, for every worker and host and beyond a restart. `closed_waves`: the
    result is of the closed waves alone (an open wave only as far as which of its groups have
    answers), so a new answer in an open wave is no miss (`closed_waves_stamp`); whatever its
    computation caches on the way must be of the closed waves too."""
    under_way = _STAMP.get()
    if under_way is not None and (under_way[1] or not closed_waves):
        stamp, closed = under_way  # a part of a computation under way: the same data
    else:
        closed = closed_waves
        stamp = await _stamp(closed)
    return await _remembered(key, stamp, closed, compute, kept)


async def _stamp(closed: bool) -> str:
    read = _READ.get()
    if read is not None and closed in read:
        return read[closed]
    stamp = await (store.closed_waves_stamp() if closed else store.data_stamp())
    if read is not None:
        read[closed] = stamp
    return stamp


@contextlib.asynccontextmanager
async def one_reading() -> AsyncIterator[None]:
    """A page or report is one reading of the data: inside, each data stamp is read once (the
    first time a figure asks for it) and holds for every figure after. Reading the stamps counts
    the open waves' responses, which grows with them, and a report asked for each several times.
    Only for what reads: figures computed after a change made inside are stamped as before it."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def read_once(function: Callable[_P, Awaitable[_T]]) -> Callable[_P, Awaitable[_T]]:
    """`function` (a report's build) as `one_reading`."""

    @functools.wraps(function)
    async def reading(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        async with one_reading():
            return await function(*args, **kwargs)

    return reading


#: the stamp of results that depend on nothing but what their key holds
_CONTENT = "content"


async def kept_by_content(key: tuple[object, ...], compute: Callable[[], Awaitable[_T]]) -> _T:
    """A pure computation of what `key` holds (texts, a codebook, a seed: put a hash of them in
    it), kept in this worker's memory and in the database whatever else changes: a new answer in
    an open wave does not make a closed wave's comment themes computed again."""
    return await _remembered(key, _CONTENT, None, compute, kept=True)


async def organisation_moments(
    wave_ids: list[int], mapping: list[tuple[int, str, str, int, int, bool]]
) -> list[tuple[int, int, str, int, float, float]]:
    """value_moments of the whole organisation, computed once per data stamp for every report."""
    key = ("moments", tuple(wave_ids), tuple(mapping))
    return await cached(key, lambda: store.value_moments(wave_ids, mapping))
