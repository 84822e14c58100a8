"""What a worker does once: load the results pages' libraries at its start (in the background),
and ask the database for its health at most once a second; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import sys

import pytest

import survey.services.overview as overview
from survey.services.overview import HEALTH_SECONDS, health
from survey.services.warm_up import warmed_up


async def test_a_warmed_up_worker_has_its_libraries_loaded() -> None:
    loaded = {"vl_convert", "simplemma", "scipy.stats", "scipy.optimize", "altair"}
    async with warmed_up(True):
        for _ in range(600):
            if loaded <= set(sys.modules):
                break
            await asyncio.sleep(0.05)
    assert loaded <= set(sys.modules)


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
