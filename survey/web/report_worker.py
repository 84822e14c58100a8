"""Reports are built in a process of their own next to each app worker.

A report takes seconds of CPU (statistics, then charts). Built inside the app worker it would hold
the event loop and the GIL that long, and staff sending their answers would wait (BENCHMARKS.md,
mixed load). So each app worker hands reports to SURVEY_REPORT_PROCESSES processes of its own
(default 1; 0 builds them in the worker, in a thread). Two requests for the same report while it
is being built share one build; a report of unchanged figures is rendered once per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import multiprocessing
import signal
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import msgspec

from survey.report.render import department_html, overview_html
from survey.services.database import open_database
from survey.services.reports import department_data, overview_data
from survey.settings import Settings

__all__ = ["BuiltReport", "ReportBuilder"]


@dataclass(frozen=True)
class BuiltReport:
    html: str
    #: the latest wave's key and how many comments the report shows; None where they are hidden
    wave: str = ""
    comments: int | None = None


#: rendered reports by their content, per process
_RENDERED: OrderedDict[bytes, str] = OrderedDict()
_RENDERED_KEPT = 32


async def _rendered(content: tuple[Any, ...], render: Callable[[], str]) -> str:
    key = hashlib.sha256(msgspec.json.encode(content)).digest()
    html = _RENDERED.get(key)
    if html is None:
        html = await anyio.to_thread.run_sync(render)
        _RENDERED[key] = html
        while len(_RENDERED) > _RENDERED_KEPT:
            _RENDERED.popitem(last=False)
    _RENDERED.move_to_end(key)
    return html


async def department_report(unit: str, questionnaire: str, language: str, today: dt.date) -> BuiltReport:
    """The department report (the same HTML file as `survey report`)."""
    data = await department_data(unit, questionnaire=questionnaire)
    html = await _rendered(
        ("department", language, today, data.kommune, data.figures, data.comments),
        functools.partial(
            department_html,
            data.figures,
            kommune=data.kommune,
            comments=data.comments,
            language=language,
            generated_on=today,
        ),
    )
    wave = data.figures.waves[-1].wave if data.figures.waves else ""
    return BuiltReport(html, wave, len(data.comments) if isinstance(data.comments, list) else None)


async def overview_report(questionnaire: str, language: str, today: dt.date) -> BuiltReport:
    figures, kommune = await overview_data(questionnaire)
    html = await _rendered(
        ("overview", language, today, kommune, figures),
        functools.partial(overview_html, figures, kommune=kommune, language=language, generated_on=today),
    )
    return BuiltReport(html)


_BUILDERS: dict[str, Callable[..., Awaitable[BuiltReport]]] = {
    "department": department_report,
    "overview": overview_report,
}


# --- the report process ----------------------------------------------------------------------------

_child: dict[str, Any] = {}


def _start_child(settings: Settings) -> None:
    # Ctrl+C on `survey serve` reaches the whole process group: the app worker ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    store = open_database(settings, needs_schema=False, connections=2)
    loop.run_until_complete(store.__aenter__())
    _child.update(loop=loop, store=store)


def _build_in_child(kind: str, arguments: tuple[Any, ...]) -> BuiltReport:
    return _child["loop"].run_until_complete(_BUILDERS[kind](*arguments))


class ReportBuilder:
    """Builds reports for one app worker: in its report processes, or in the worker itself."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None
        self._building: dict[tuple[Any, ...], asyncio.Future[BuiltReport]] = {}

    async def department(self, unit: str, questionnaire: str, language: str) -> BuiltReport:
        return await self._shared("department", unit, questionnaire, language, dt.date.today())

    async def overview(self, questionnaire: str, language: str) -> BuiltReport:
        return await self._shared("overview", questionnaire, language, dt.date.today())

    async def _shared(self, kind: str, *arguments: Any) -> BuiltReport:
        key = (kind, *arguments)
        building = self._building.get(key)
        if building is None:
            building = asyncio.ensure_future(self._build(kind, arguments))
            self._building[key] = building
            building.add_done_callback(lambda _: self._building.pop(key, None))
        return await asyncio.shield(building)

    async def _build(self, kind: str, arguments: tuple[Any, ...]) -> BuiltReport:
        if self.settings.report_processes <= 0:
            return await _BUILDERS[kind](*arguments)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.settings.report_processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_child,
                initargs=(self.settings,),
            )
        try:
            return await asyncio.wrap_future(self._pool.submit(_build_in_child, kind, arguments))
        except BrokenExecutor:
            # A report process died (killed, out of memory): the next request starts a new one.
            self._pool = None
            raise

    def close(self) -> None:
        if self._pool is not None:
            with contextlib.suppress(Exception):
                self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
