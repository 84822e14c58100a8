"""What a worker loads once, before its first results page needs it, and what it leaves out of the
garbage collector's rounds.

The first unit page of a freshly started worker spent most of its time not on figures (they are
kept in the database) but on loading: simplemma's German dictionary for the comment themes,
scipy's distributions, altair and vl-convert's JavaScript engine. `survey serve` has each worker
load these at start, in a thread of its own, while it already answers requests.

Python's garbage collector walks every object a worker holds, now and then: with these libraries
loaded, a full round took over 100 ms, and the requests of that moment waited for it (the p99 of
a submission). What is loaded at start lives as long as the worker, so it is frozen: left out of
the rounds (`gc.freeze`), and the rounds come less often.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

__all__ = ["settle", "warm_up", "warmed_up"]

_log = logging.getLogger(__name__)


def warm_up() -> None:
    """Load the libraries of the results pages, and run each once."""
    import altair as alt
    import simplemma
    import vl_convert as vlc
    from scipy import optimize, stats

    simplemma.lemmatize("Zusammenarbeit", lang="de")
    stats.t.ppf(0.975, 10)
    stats.norm.cdf(1.0)
    stats.f.sf(1.0, 2, 10)
    optimize.minimize(lambda x: (x[0] - 1.0) ** 2, [0.0])
    chart = alt.Chart(alt.Data(values=[{"x": 1, "y": 2}])).mark_point().encode(x="x:Q", y="y:Q")
    vlc.vegalite_to_svg(chart.to_dict(validate=False))


#: allocations between two rounds of the youngest generation (Python's default: 700); a request
#: makes a few thousand objects, most gone before a round
YOUNG_ROUND = 50_000


def settle() -> None:
    """Everything this worker holds now lives as long as it: leave it out of the garbage
    collector's rounds, and make the rounds rarer."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_ROUND, middle, old)


def _told(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        _log.warning("warming the worker up failed (the first page loads it): %s", task.exception())


@contextlib.asynccontextmanager
async def warmed_up(enabled: bool) -> AsyncIterator[None]:
    """With `enabled`, warm the worker up in a thread while it serves; nothing waits for it. What
    is loaded by then is settled (`settle`), at start and again once the warm-up is done."""
    task = None
    if enabled:
        settle()
        task = asyncio.create_task(asyncio.to_thread(warm_up))
        task.add_done_callback(_told)
        task.add_done_callback(lambda _: settle())
    try:
        yield
    finally:
        if task is not None and not task.done():
            task.cancel()
