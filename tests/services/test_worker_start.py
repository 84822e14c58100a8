"""What a worker does once: load the results pages' libraries at its start (in the background),
leave what it has loaded out of the garbage collector's rounds, and ask the database for its
health at most once a second; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import gc
import sys
from collections.abc import Iterator

import pytest

import survey.services.overview as overview
import survey.services.warm_up as warm_up_module
from survey.services.overview import HEALTH_SECONDS, health
from survey.services.warm_up import YOUNG_ROUND, warmed_up


@pytest.fixture
def gc_restored() -> Iterator[None]:
    """The test process's garbage collector as it was (a worker's settling lasts for its life)."""
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


async def test_a_warmed_up_worker_has_its_libraries_loaded_and_left_out_of_gc_rounds(
    gc_restored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = {"vl_convert", "simplemma", "scipy.stats", "scipy.optimize", "altair"}
    settled: list[int] = []
    real = warm_up_module.settle

    def counted() -> None:
        real()
        settled.append(gc.get_freeze_count())

    monkeypatch.setattr(warm_up_module, "settle", counted)
    gc.unfreeze()
    async with warmed_up(True):
        assert len(settled) == 1 and settled[0] > 0 and gc.get_threshold()[0] == YOUNG_ROUND
        for _ in range(600):
            if loaded <= set(sys.modules) and len(settled) == 2:
                break
            await asyncio.sleep(0.05)
    assert loaded <= set(sys.modules)
    # what the warm-up loaded is frozen too, once it is done
    assert len(settled) == 2 and settled[1] > 0


async def test_a_worker_not_warmed_up_leaves_the_collector_as_it_is(gc_restored: None) -> None:
    gc.unfreeze()
    threshold = gc.get_threshold()
    async with warmed_up(False):
        assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold


async def test_health_asks_the_database_at_most_once_a_second(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[float] = []
    now = [1000.0]
    real = overview.ping

    async def counted() -> None:
        asked.append(now[0])
        await real()

    monkeypatch.setattr(overview, "ping", counted)
    monkeypatch.setattr(overview.time, "monotonic", lambda: now[0])
    overview._answered.clear()
    first = await health()
    assert first.status == "ok" and first.database in ("sqlite", "postgresql")
    await health()
    now[0] += HEALTH_SECONDS / 2
    await health()
    assert asked == [1000.0]
    now[0] += HEALTH_SECONDS
    await health()
    assert len(asked) == 2


async def test_health_fails_when_the_database_does_not_answer(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down() -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(overview, "ping", down)
    overview._answered.clear()
    with pytest.raises(OSError):
        await health()
