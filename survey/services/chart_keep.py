"""Charts drawn once per spec, for every worker and host: the keep behind `render_svg`.

A chart's SVG depends only on its Vega-Lite spec, title, language and the renderer, so it is kept
by the hash of those (survey.report.charts): first in this process's memory (the charts drawn
lately), then in the database (`kept_chart`), where every worker, every report process and
every host finds it, a server start included. A closed wave's charts are drawn once; an open
wave's change with their data, and are drawn again then. Rows drawn more than KEEP_DAYS ago
are forgotten when an app worker starts (a chart still needed is drawn once more).

The keep only saves time: if the database cannot be read or written at that moment, the chart
is drawn as before, and the page never fails for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict

from survey.report.charts import keep_charts_in
from survey.store import kept as store

__all__ = ["KEEP_DAYS", "StoredCharts", "charts_kept"]

KEEP_DAYS = 30
_MEMORY = 256
_log = logging.getLogger(__name__)


class StoredCharts:
    """This process's charts drawn lately, in front of the database's."""

    def __init__(self) -> None:
        self.memory: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()
        #: charts found in memory, in the database, and drawn (for the tests and the benchmarks)
        self.hits = {"memory": 0, "database": 0, "drawn": 0}

    def _remember(self, key: str, svg: str) -> None:
        with self.lock:
            self.memory[key] = svg
            self.memory.move_to_end(key)
            while len(self.memory) > _MEMORY:
                self.memory.popitem(last=False)

    def get(self, key: str) -> str | None:
        with self.lock:
            svg = self.memory.get(key)
            if svg is not None:
                self.memory.move_to_end(key)
                self.hits["memory"] += 1
                return svg
        try:
            svg = store.kept_chart(key)
        except Exception as error:  # the keep saves time only: the chart is drawn
            _log.warning("kept charts could not be read (%s): the chart is drawn", error)
            svg = None
        if svg is None:
            self.hits["drawn"] += 1
            return None
        self.hits["database"] += 1
        self._remember(key, svg)
        return svg

    def put(self, key: str, svg: str) -> None:
        self._remember(key, svg)
        try:
            store.keep_chart(key, svg)
        except Exception as error:  # the page has its chart; only the next one draws it again
            _log.warning("a chart could not be kept (%s)", error)


async def charts_kept(prune: bool = False) -> StoredCharts:
    """Keep this process's charts in the database from now on; with `prune` (an app worker's
    start), forget those drawn long ago."""
    keep = StoredCharts()
    keep_charts_in(keep)
    if not prune:
        return keep
    try:
        await store.prune_charts(dt.datetime.now(dt.UTC) - dt.timedelta(days=KEEP_DAYS))
    except Exception as error:  # a read-only moment, a lock: pruned at the next start
        _log.warning("old kept charts could not be forgotten (%s)", error)
    return keep
