"""Count tables from SQL agree with counting the raw rows, for a subtree and a set of waves."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from survey.services.demo import DemoOptions, build_demo
from survey.store.counts import answers_by_respondent, count_table, respondents
from survey.store.tables import Answer, OrgUnitRow, ResponseRow, WaveRow

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"


async def test_count_tables_match_the_raw_rows(db: str) -> None:
    await build_demo(QUESTIONNAIRES, DemoOptions(waves=2, citizen_ratings=300, today=dt.date(2026, 11, 21)))
    waves = [r["id"] for r in await WaveRow.select(WaveRow.id).where(WaveRow.audience == "staff").run()]
    kjfs = await OrgUnitRow.select(OrgUnitRow.path).where(OrgUnitRow.key == "kjfs").first().run()
    inside = {
        r["id"]
        for r in await OrgUnitRow.select(OrgUnitRow.id).where(OrgUnitRow.path.like(kjfs["path"] + "%")).run()
    }

    table = await count_table(waves, kjfs["path"])
    raw = Counter(
        (r["wave"], r["unit"], r["item"], r["value"])
        for r in await Answer.select(Answer.wave, Answer.unit, Answer.item, Answer.value).run()
        if r["wave"] in waves and r["unit"] in inside
    )
    assert {(wave, unit, item, value): n for wave, unit, item, value, n in table} == dict(raw)
    assert any(value is None for _, _, _, value, _ in table)  # "keine Angabe" is counted apart
    units = {unit for _, unit, *_ in table}
    assert units <= inside and len(units) > 5

    people = await respondents(waves, kjfs["path"])
    rows = await ResponseRow.select(ResponseRow.wave, ResponseRow.unit).run()
    expected = Counter((r["wave"], r["unit"]) for r in rows if r["wave"] in waves and r["unit"] in inside)
    assert {(p.wave, p.unit): p.respondents for p in people} == dict(expected)

    whole = await count_table(waves)
    assert sum(n for *_, n in whole) == await Answer.count().where(Answer.wave.is_in(waves)).run()

    per_person = await answers_by_respondent(
        waves, ["fachbereiche-ziehen-mit", "eine-anlaufstelle"], kjfs["path"]
    )
    assert per_person and all(value is not None for *_, value in per_person)
    counted = Counter((w, u, i, v) for _, w, u, i, v in per_person)
    for (wave, unit, item, value), count in counted.items():
        assert raw[(wave, unit, item, value)] == count
