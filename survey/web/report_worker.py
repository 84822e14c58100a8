"""Reports are built in a process of their own next to each app worker.

A report takes seconds of CPU (statistics, then charts). Built inside the app worker it would hold
the event loop and the GIL that long, and staff sending their answers would wait (BENCHMARKS.md,
mixed load). So each app worker hands reports to SURVEY_REPORT_PROCESSES processes of its own
(default 1; 0 builds them in the worker, in a thread). Two requests for the same report while it
is being built share one build; a report of unchanged figures is rendered once per process.

A report process runs at a lower CPU priority than its app worker (`report_niceness`; `survey
serve`: 10): where both want the CPU, a submission goes first and a report, which takes seconds
anyway, waits. `survey serve` starts each worker's report process at once and has it load the
results pages' libraries (survey.services.warm_up) before any report asks for it; otherwise the
first report would spend seconds starting it, while the worker's submissions wait for the CPU.

What a report holds and how it is made is `survey.services.reports` (the same as `survey report`);
this module only decides where it is built.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import BrokenExecutor, Future, ProcessPoolExecutor
from typing import Any

from survey.services.database import open_database
from survey.services.reports import BuiltReport, department_report, overview_report
from survey.services.warm_up import settle, warm_up
from survey.settings import Settings
from survey.web.report_turn import ReportTurn

__all__ = ["BuiltReport", "ReportBuilder"]


_BUILDERS: dict[str, Callable[..., Awaitable[BuiltReport]]] = {
    "department": department_report,
    "overview": overview_report,
}


# --- the report process ----------------------------------------------------------------------------

_child: dict[str, Any] = {}


def _start_child(settings: Settings) -> None:
    # Ctrl+C on `survey serve` reaches the whole process group: the app worker ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if settings.report_niceness > 0:
        with contextlib.suppress(OSError):  # a system without priorities builds at the same one
            os.nice(settings.report_niceness)
    threading.Thread(target=_end_with, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    store = open_database(settings, needs_schema=False, connections=2, keeping=True)
    loop.run_until_complete(store.__aenter__())
    _child.update(loop=loop, store=store)


def _end_with(parent: int) -> None:
    """End this process once its app worker has gone (killed, say), instead of living on alone."""
    while os.getppid() == parent:
        time.sleep(2)
    os._exit(0)


def _build_in_child(kind: str, arguments: tuple[Any, ...]) -> BuiltReport:
    return _child["loop"].run_until_complete(_BUILDERS[kind](*arguments))


def _warm_child() -> int:
    """Load what reports need; the process's id."""
    warm_up()
    settle()
    return os.getpid()


class ReportBuilder:
    """Builds reports for one app worker: in its report processes, or in the worker itself."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None
        self._building: dict[tuple[Any, ...], asyncio.Future[BuiltReport]] = {}
        self.warming: list[Future[int]] = []
        #: one report request at a time in this worker, within the host's turns (survey.web.report_turn)
        self.turn = ReportTurn(settings.database_url)

    async def department(self, unit: str, questionnaire: str, language: str) -> BuiltReport:
        return await self._shared("department", unit, questionnaire, language, dt.date.today())

    async def overview(
        self,
        questionnaire: str,
        language: str,
        within: str | None = None,
        *,
        with_citizens: bool = False,
        link: str | None = None,
    ) -> BuiltReport:
        return await self._shared(
            "overview", questionnaire, language, dt.date.today(), within, with_citizens, link
        )

    async def _shared(self, kind: str, *arguments: Any) -> BuiltReport:
        key = (kind, *arguments)
        building = self._building.get(key)
        if building is None:
            building = asyncio.ensure_future(self._build(kind, arguments))
            self._building[key] = building
            building.add_done_callback(lambda _: self._building.pop(key, None))
        return await asyncio.shield(building)

    def warm_up(self) -> None:
        """Start the report processes now and have them load what reports need (nothing waits for
        it; `warming` holds its futures, each the id of a warmed process)."""
        if self.settings.report_processes > 0:
            pool = self._processes()
            self.warming = [pool.submit(_warm_child) for _ in range(self.settings.report_processes)]

    def _processes(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.settings.report_processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_child,
                initargs=(self.settings,),
            )
        return self._pool

    async def _build(self, kind: str, arguments: tuple[Any, ...]) -> BuiltReport:
        if self.settings.report_processes <= 0:
            return await _BUILDERS[kind](*arguments)
        pool = self._processes()
        try:
            return await asyncio.wrap_future(pool.submit(_build_in_child, kind, arguments))
        except BrokenExecutor:
            # A report process died (killed, out of memory): the next request starts a new one.
            self._pool = None
            raise

    def close(self) -> None:
        """End the report processes now: a report under way (or the warm-up) is dropped with the
        app worker, which would otherwise wait for it at its exit."""
        self.turn.close()
        if self._pool is not None:
            # the executor has no public way to end its processes before they finish their task
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            with contextlib.suppress(Exception):
                self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                with contextlib.suppress(Exception):
                    process.terminate()
            self._pool = None
