"""What the start page and the status API show: the Kommune, its Leitbild, units and waves."""

from __future__ import annotations

import time

import msgspec

from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.catalog import load_leitbild
from survey.store.engine import current_engine, is_sqlite, ping
from survey.store.waves import WaveFacts

__all__ = ["Overview", "OverviewWave", "UnitSummary", "health", "overview", "wave_facts"]


class OverviewWave(WaveFacts, frozen=True):
    """A wave as the start page and /api/overview show it: its facts and its number of responses
    (not survey.domain.figures.WaveSummary, a wave's participation in one unit's figures)."""

    responses: int


class UnitSummary(msgspec.Struct, frozen=True):
    key: str
    name: str
    kind: str
    parent: str | None
    depth: int
    headcount: int


class ValueSummary(msgspec.Struct, frozen=True):
    key: str
    name: dict[str, str]
    description: dict[str, str]


class Overview(msgspec.Struct, frozen=True):
    kommune: str | None
    values: list[ValueSummary]
    units: list[UnitSummary]
    service_points: int
    waves: list[OverviewWave]


class Health(msgspec.Struct, frozen=True):
    status: str
    database: str


async def wave_facts() -> list[WaveFacts]:
    """Every wave's facts, oldest first: `overview`'s waves without their counts of responses,
    which read each wave's responses (on every results page, that was 26 counts per request)."""
    return await wave_store.list_waves()


async def overview() -> Overview:
    leitbild = await load_leitbild()
    waves = [
        OverviewWave(
            **{f: getattr(w, f) for f in WaveFacts.__struct_fields__},
            responses=await wave_store.count_responses(w.id),
        )
        for w in await wave_store.list_waves()
    ]
    units = [
        UnitSummary(u.key, u.name, u.kind, u.parent, u.depth, u.headcount)
        for u in await org_store.list_units()
    ]
    values = [ValueSummary(v.key, v.name, v.description) for v in leitbild.values] if leitbild else []
    return Overview(
        await org_store.kommune_name(), values, units, len(await org_store.list_service_points()), waves
    )


#: seconds a worker's health check trusts the database's last answer (a load balancer may ask
#: many times a second; the database is asked at most once a second per worker)
HEALTH_SECONDS = 1.0
_answered: dict[object, float] = {}


async def health() -> Health:
    """The app answers and its database does (one `SELECT 1`, whatever the database's size, at
    most once per HEALTH_SECONDS and worker)."""
    engine, now = current_engine(), time.monotonic()
    if now - _answered.get(engine, -HEALTH_SECONDS) >= HEALTH_SECONDS:
        await ping()
        _answered.clear()
        _answered[engine] = now
    return Health("ok", "sqlite" if is_sqlite(current_engine()) else "postgresql")
