"""Waves (Befragungsrunden) and the units they cover."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from survey.store.engine import as_date, fetch_tuples
from survey.store.entry_keep import forget_entries
from survey.store.org_versions import keep_wave_organisation
from survey.store.tables import (
    Answer,
    Comment,
    QuestionnaireVersionRow,
    ResponseRow,
    WaveOrgUnit,
    WaveParticipationRow,
    WaveRow,
    WaveUnitRow,
)

__all__ = [
    "WAVE_COLUMNS",
    "WAVE_WIDTH",
    "CountedParticipation",
    "Wave",
    "WaveFacts",
    "count_participation",
    "count_responses",
    "delete_wave",
    "get_wave",
    "get_wave_by_id",
    "insert_wave",
    "list_waves",
    "participation_counted",
    "reminder_days_of",
    "save_participation",
    "set_wave_status",
    "set_wave_units",
    "titles_by_key",
    "update_wave",
    "wave_of_row",
    "wave_titles",
    "wave_unit_ids",
    "waves_covering",
]


class WaveFacts(msgspec.Struct, frozen=True):
    """What every view of a wave shows: which wave, of which questionnaire version, for whom, when,
    and in which state (draft | open | closed). The API's schemas of a wave extend it with what
    they add (survey.services.overview, survey.web.manage._waves), so its fields are written once."""

    key: str
    title: str
    questionnaire: str
    version: int
    audience: str
    opens_on: dt.date
    closes_on: dt.date
    status: str


class Wave(WaveFacts, frozen=True):
    """The wave record: what the store reads and the services hand out (the one type of a wave)."""

    #: thresholds: scores from k respondents on, free text and distributions from k_text
    k: int
    k_text: int
    #: the database id: joins and the responses' foreign key; never shown
    id: int
    #: who releases free-text comments before leads read them: none | office | personalrat | both
    comment_review: str = "none"
    #: who gets e-mail reminders: all | open_codes (the Personalrat approves it with the wave)
    reminder_mode: str = "all"
    #: days after the first day that reminders go out (a weekend day moves to the Monday)
    reminder_days: tuple[int, ...] = ()


#: the columns of a Wave in order; the respondent side reads waves on every submission, and plain
#: SQL through the driver costs a fraction of building the query with piccolo each time
WAVE_COLUMNS = (
    "w.id, w.key, w.title, v.questionnaire, v.version, w.audience, w.opens_on, w.closes_on, "
    "w.status, w.k, w.k_text, w.comment_review, "
    "w.reminder_mode, w.reminder_days"
)
#: how many values of a row WAVE_COLUMNS are
WAVE_WIDTH = 14
_SELECT = f"SELECT {WAVE_COLUMNS} FROM wave w JOIN questionnaire_version v ON v.id = w.questionnaire_version "


def wave_of_row(row: Sequence[Any]) -> Wave:
    """The Wave of the first len(WAVE_COLUMNS) values of a row that selected WAVE_COLUMNS first."""
    id_, key, title, questionnaire, version, audience, opens_on, closes_on, status, k, k_text, review = row[
        :12
    ]
    mode, days = row[12:WAVE_WIDTH]
    return Wave(
        key=key,
        title=title,
        questionnaire=questionnaire,
        version=version,
        audience=audience,
        opens_on=as_date(opens_on),
        closes_on=as_date(closes_on),
        status=status,
        k=k,
        k_text=k_text,
        id=id_,
        comment_review=review,
        reminder_mode=mode,
        reminder_days=reminder_days_of(days),
    )


def reminder_days_of(text: str) -> tuple[int, ...]:
    """The stored "7,14" as (7, 14)."""
    return tuple(int(day) for day in text.split(",") if day.strip())


async def list_waves() -> list[Wave]:
    rows = await fetch_tuples(_SELECT + "ORDER BY w.opens_on, w.key")
    return [wave_of_row(row) for row in rows]


async def get_wave(key: str) -> Wave | None:
    rows = await fetch_tuples(_SELECT + "WHERE w.key = {}", key, quick=True)
    return wave_of_row(rows[0]) if rows else None


async def insert_wave(
    *,
    key: str,
    title: str,
    version_id: int,
    audience: str,
    opens_on: dt.date,
    closes_on: dt.date,
    unit_ids: list[int],
    status: str = "draft",
    k: int = 5,
    k_text: int = 10,
    titles: dict[str, str] | None = None,
    comment_review: str = "none",
    reminder_mode: str = "all",
    reminder_days: tuple[int, ...] = (),
) -> int:
    rows = (
        await WaveRow.insert(
            WaveRow(
                key=key,
                title=title,
                titles=json.dumps(titles or {}, ensure_ascii=False),
                questionnaire_version=version_id,
                audience=audience,
                opens_on=opens_on,
                closes_on=closes_on,
                status=status,
                k=k,
                k_text=k_text,
                comment_review=comment_review,
                reminder_mode=reminder_mode,
                reminder_days=",".join(str(day) for day in reminder_days),
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        .returning(WaveRow.id)
        .run()
    )
    wave_id = rows[0]["id"]
    if unit_ids:
        await WaveUnitRow.insert(*[WaveUnitRow(wave=wave_id, unit=u) for u in unit_ids]).run()
    forget_entries()
    return wave_id


async def set_wave_status(wave_id: int, status: str) -> None:
    """Set the wave's status; a wave that closes keeps the organisation as it is now as the one it
    ran with (survey.store.org_versions)."""
    await WaveRow.update({WaveRow.status: status}).where(WaveRow.id == wave_id).run()
    if status == "closed":
        await keep_wave_organisation(wave_id)
    forget_entries()


async def delete_wave(wave_id: int) -> None:
    """Remove a wave and everything answered in it (the demo's --reset; never for real waves)."""
    await WaveParticipationRow.delete().where(WaveParticipationRow.wave == wave_id).run()
    await Comment.delete().where(Comment.wave == wave_id).run()
    await Answer.delete().where(Answer.wave == wave_id).run()
    await Answer.raw("DELETE FROM answer_tally WHERE wave = {}", wave_id)
    await ResponseRow.delete().where(ResponseRow.wave == wave_id).run()
    await WaveUnitRow.delete().where(WaveUnitRow.wave == wave_id).run()
    await WaveOrgUnit.delete().where(WaveOrgUnit.wave == wave_id).run()
    await WaveRow.delete().where(WaveRow.id == wave_id).run()
    forget_entries()


async def count_responses(wave_id: int | None = None) -> int:
    query = ResponseRow.count()
    if wave_id is not None:
        query = query.where(ResponseRow.wave == wave_id)
    return await query.run()


async def version_id(questionnaire: str, version: int) -> int | None:
    row = (
        await QuestionnaireVersionRow.select(QuestionnaireVersionRow.id)
        .where(
            (QuestionnaireVersionRow.questionnaire == questionnaire)
            & (QuestionnaireVersionRow.version == version)
        )
        .first()
        .run()
    )
    return row["id"] if row else None


async def update_wave(wave_id: int, **values: object) -> None:
    """Set the named columns; `titles` is given as a dict (language → title)."""
    if "titles" in values:
        values["titles"] = json.dumps(values["titles"], ensure_ascii=False)
    if "reminder_days" in values:
        values["reminder_days"] = ",".join(str(day) for day in values["reminder_days"])  # type: ignore[attr-defined]
    columns = {getattr(WaveRow, name): value for name, value in values.items()}
    await WaveRow.update(columns).where(WaveRow.id == wave_id).run()
    forget_entries()


async def set_wave_units(wave_id: int, unit_ids: list[int]) -> None:
    """The wave covers exactly `unit_ids` from now on (a draft's units, changed)."""
    await WaveUnitRow.delete().where(WaveUnitRow.wave == wave_id).run()
    if unit_ids:
        await WaveUnitRow.insert(*[WaveUnitRow(wave=wave_id, unit=u) for u in unit_ids]).run()
    forget_entries()


async def wave_titles(wave_id: int) -> dict[str, str]:
    """The wave's title per language as stored ({} for waves made before titles per language)."""
    row = await WaveRow.select(WaveRow.titles).where(WaveRow.id == wave_id).first().run()
    if row is None or not row["titles"]:
        return {}
    titles = json.loads(row["titles"])
    return {str(k): str(v) for k, v in titles.items()} if isinstance(titles, dict) else {}


async def titles_by_key(keys: list[str]) -> dict[str, dict[str, str]]:
    """The stored titles per language of the waves `keys` (waves without any are left out)."""
    if not keys:
        return {}
    rows = await WaveRow.select(WaveRow.key, WaveRow.titles).where(WaveRow.key.is_in(keys)).run()
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        titles = json.loads(row["titles"]) if row["titles"] else {}
        if isinstance(titles, dict) and titles:
            out[row["key"]] = {str(k): str(v) for k, v in titles.items()}
    return out


async def wave_unit_ids(wave_id: int) -> list[int]:
    rows = await WaveUnitRow.select(WaveUnitRow.unit).where(WaveUnitRow.wave == wave_id).run()
    return [r["unit"] for r in rows]


async def waves_covering(unit_id: int, audience: str) -> list[Wave]:
    """Waves of an audience whose units include `unit_id`, newest first."""
    rows = await fetch_tuples(
        _SELECT + "WHERE w.audience = {} AND w.id IN (SELECT wave FROM wave_unit WHERE unit = {}) "
        "ORDER BY w.opens_on DESC",
        audience,
        int(unit_id),
        quick=True,
    )
    return [wave_of_row(row) for row in rows]


async def get_wave_by_id(wave_id: int) -> Wave | None:
    rows = await fetch_tuples(_SELECT + "WHERE w.id = {}", int(wave_id), quick=True)
    return wave_of_row(rows[0]) if rows else None


# --- participation: responses counted per unit and per day ----------------------------------------


#: where and when responses came in: (unit id, service point id or None, ISO day)
Place = tuple[int, int | None, str]


@dataclass(frozen=True)
class CountedParticipation:
    """A wave's responses per unit (database id), service point (database id, None without) and
    day (ISO date), and when they were counted. `per_unit` and `per_day` are sums of `cells`."""

    counted_at: dt.datetime
    cells: dict[Place, int]

    @property
    def per_unit(self) -> dict[int, int]:
        out: dict[int, int] = defaultdict(int)
        for (unit, _point, _day), n in self.cells.items():
            out[unit] += n
        return dict(out)

    @property
    def per_day(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for (_unit, _point, day), n in self.cells.items():
            out[day] += n
        return dict(out)


async def count_participation(wave_id: int) -> dict[Place, int]:
    """Responses per unit, service point and day of submission (days are all a response keeps of
    its time)."""
    rows = await fetch_tuples(
        "SELECT unit, service_point, submitted_on, COUNT(*) FROM response WHERE wave = {} "
        "GROUP BY unit, service_point, submitted_on",
        int(wave_id),
    )
    return {
        (int(unit), None if point is None else int(point), as_date(day).isoformat()): int(n)
        for unit, point, day, n in rows
    }


async def participation_counted(wave_id: int) -> CountedParticipation | None:
    """The wave's participation as last counted (saved by any worker), if it has been. A count
    kept before the counts per place were kept (only "units" and "days" in it) reads as none:
    the next view counts again, once, and keeps it in the form of today."""
    row = (
        await WaveParticipationRow.select(WaveParticipationRow.counted_at, WaveParticipationRow.counts)
        .where(WaveParticipationRow.wave == wave_id)
        .first()
        .run()
    )
    if row is None:
        return None
    counts = json.loads(row["counts"] or "{}")
    if "cells" not in counts:
        return None
    cells = {(int(u), None if p is None else int(p), str(d)): int(n) for u, p, d, n in counts["cells"]}
    at = row["counted_at"]
    if isinstance(at, str):  # pragma: no cover - piccolo converts TIMESTAMPTZ on both engines
        at = dt.datetime.fromisoformat(at)
    return CountedParticipation(at, cells)


async def save_participation(wave_id: int, counted: CountedParticipation) -> None:
    """Keep `counted` as the wave's participation (one row per wave; a later count replaces it).
    The sums per unit and per day are kept beside the cells, as before, for a worker of the
    previous release still running during an upgrade."""
    counts = json.dumps(
        {
            "units": {str(k): v for k, v in counted.per_unit.items()},
            "days": counted.per_day,
            "cells": [[u, p, d, n] for (u, p, d), n in sorted(counted.cells.items(), key=_place_order)],
        }
    )
    await (
        WaveParticipationRow.insert(
            WaveParticipationRow(wave=wave_id, counted_at=counted.counted_at, counts=counts)
        )
        .on_conflict(
            target=WaveParticipationRow.wave,
            action="DO UPDATE",
            values=[WaveParticipationRow.counted_at, WaveParticipationRow.counts],
        )
        .run()
    )


def _place_order(item: tuple[Place, int]) -> tuple[int, int, str]:
    (unit, point, day), _n = item
    return (unit, -1 if point is None else point, day)
