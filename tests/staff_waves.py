"""A closed staff wave with planted answers, for the tests of figures across a reorganisation:
each unit's people all give the same answer (1–5) to the two `gemeinsam` items, so a group's
score stands out wherever it would leak."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from survey.services.waves import close_wave, create_wave, open_wave
from survey.store.bulk import ResponseBatch, bulk_insert_responses
from survey.store.tables import OrgUnitRow

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "questionnaires"


async def closed_staff_wave(
    key: str,
    opens: dt.date,
    approve: Callable[[str, Path], Awaitable[None]],
    people: dict[str, tuple[int, int]],
) -> None:
    """Wave `key` of staff-pulse v2 over the whole organisation, opening on `opens`: approved,
    opened, answered (`people`: unit key → (respondents, answer)) and closed."""
    units = {r["key"]: r["id"] for r in await OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run()}
    root = (await OrgUnitRow.select(OrgUnitRow.key).where(OrgUnitRow.parent.is_null()).first().run())["key"]
    wave = await create_wave(
        key=key,
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse",
        version=2,
        units=[root],
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=20),
    )
    await approve(key, QUESTIONNAIRES)
    await open_wave(key, opens, QUESTIONNAIRES)
    batches = []
    for unit, (count, answer) in people.items():
        batch = ResponseBatch()
        for _ in range(count):
            rid = uuid.uuid4()
            batch.responses.append((rid, units[unit], None, "de", opens))
            batch.answers.append((rid, units[unit], "fachbereiche-ziehen-mit", answer))
            batch.answers.append((rid, units[unit], "eine-anlaufstelle", answer))
        batches.append(batch)
    await bulk_insert_responses(wave.id, batches)
    await close_wave(key)
