"""Figures of a unit: planted trends are found, count tables agree with raw answers, and nothing
hidden leaves the service or `survey stats --json`; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace

import msgspec
import numpy as np

from survey.domain import load_catalog, load_org
from survey.services.demo import DemoOptions, build_demo, demo_org_file
from survey.services.demo_reorganisation import SUCCESSOR, demo_stages, reorganised_at
from survey.services.figures import HiddenFigure, Score, organisation_overview, unit_figures
from survey.services.org import import_org
from survey.services.simulation import STORIES, LatentModel
from survey.services.waves import close_wave, create_wave, open_wave
from survey.stats import describe, describe_values
from survey.store.bulk import ResponseBatch, bulk_insert_responses
from survey.store.counts import count_table
from survey.store.tables import Answer, OrgUnitRow, WaveRow

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
TODAY = dt.date(2026, 11, 21)
VALUES = ["gemeinsam", "kundenorientiert", "vertrauen", "transparenz", "unbuerokratisch", "nachhaltig"]


async def test_planted_trends_are_found_and_flat_ones_not_flagged(db: str, demo_kommune: dt.date) -> None:
    # the full demo Kommune (eight waves), built with its defaults as of TODAY
    assert demo_kommune == TODAY
    for (unit, value), slope in STORIES.items():
        # a unit split in the demo's reorganisation: its successor's trend spans the change
        figures = await unit_figures(SUCCESSOR.get(unit, unit))
        trend = next(v.trend for v in figures.values if v.value == value)
        assert trend.direction == ("rising" if slope > 0 else "falling"), (unit, value, trend)
        assert trend.waves == 8 and trend.p_adjusted is not None and trend.p_adjusted < 0.05

    organisation = load_org(demo_org_file())
    truth = LatentModel(organisation, VALUES, 2026)
    # the demo reorganises midway (survey.services.demo_reorganisation): the model follows
    with tempfile.TemporaryDirectory() as folder:
        stages = demo_stages(demo_org_file(), None, TODAY, (reorganised_at(8), TODAY), Path(folder))
    truth.follow(stages[1].organisation)
    organisations = [
        SimpleNamespace(keys={u.key for u in o.units}, subtree=o.subtree)
        for o in (organisation, stages[1].organisation)
    ]
    # An item measuring two values carries both values' trends: a value is flat only if every
    # value its items share is flat too.
    version = load_catalog(QUESTIONNAIRES).version("staff-pulse", 2)
    related = {v: {w for i in version.items if v in i.values for w in i.values} for v in VALUES}
    checked = 0
    for unit in (
        "verwaltung",
        "kjfs",
        "zentral",
        "finanzen",
        "it",
        "schulverwaltung",
        "sportamt",
        "musikschule",
        "bauhof",
        "asd",
        "team-leistung",
        "ordnungsamt",
        "stadtplanung",
        "standesamt",
        "kita-verwaltung",
    ):
        figures = await unit_figures(unit)
        for value in figures.values:
            # the unit with what was below it before the reorganisation and after it
            subtree = {u.key for o in organisations if unit in o.keys for u in o.subtree(unit)}
            if all(truth.slope[(u, w)] == 0 for u in subtree for w in related[value.value]):
                assert value.trend.direction in ("flat", "not_enough_waves"), (unit, value.value, value.trend)
                checked += 1
    assert checked >= 20


async def test_count_tables_and_raw_answers_give_the_same_figures(db: str) -> None:
    await build_demo(QUESTIONNAIRES, DemoOptions(waves=2, citizen_ratings=100, today=TODAY))
    wave = (await WaveRow.select(WaveRow.id).where(WaveRow.key == "demo-puls-2026-q3").first().run())["id"]
    for key in ("jobcenter", "kjfs", "musikschule"):
        path = (await OrgUnitRow.select(OrgUnitRow.path).where(OrgUnitRow.key == key).first().run())["path"]
        tables: dict[str, dict[int, int]] = {}
        for _, _, item, value, n in await count_table([wave], path):
            if value is not None:
                table = tables.setdefault(item, {})
                table[value] = table.get(value, 0) + n
        for item, table in tables.items():
            raw = (
                await Answer.select(Answer.value)
                .where(
                    (Answer.wave == wave)
                    & (Answer.item == item)
                    & Answer.value.is_not_null()
                    & Answer.unit.path.like(path + "%")
                )
                .run()
            )
            high = 10 if item == "arbeitgeber-weiterempfehlen" else 5
            low = 0 if high == 10 else 1
            from_counts = describe(table, scale_min=low, scale_max=high)
            from_raw = describe_values(np.array([r["value"] for r in raw]), scale_min=low, scale_max=high)
            assert from_counts == from_raw, (key, item)


async def _answers(wave: int, unit: int, people: int, value: int) -> ResponseBatch:
    batch = ResponseBatch()
    for _ in range(people):
        rid = uuid.uuid4()
        batch.responses.append((rid, unit, None, "de", TODAY))
        batch.answers.append((rid, unit, "fachbereiche-ziehen-mit", value))
        batch.answers.append((rid, unit, "eine-anlaufstelle", value))
    return batch


async def _small_kommune(tmp_path: Path, approve) -> None:  # type: ignore[no-untyped-def]
    org = tmp_path / "org.yaml"
    org.write_text(
        "kommune: Kleinstadt\nunits:\n"
        "  - {key: rathaus, name: Rathaus, kind: Verwaltung, headcount: 0}\n"
        "  - {key: fb, name: Fachbereich, kind: Fachbereich, parent: rathaus, headcount: 0}\n"
        "  - {key: a, name: Team A, kind: Team, parent: fb, headcount: 20}\n"
        "  - {key: b, name: Team B, kind: Team, parent: fb, headcount: 20}\n"
        "  - {key: c, name: Team C, kind: Team, parent: fb, headcount: 20}\n"
        "  - {key: d, name: Fachbereich D, kind: Fachbereich, parent: rathaus, headcount: 40}\n",
        encoding="utf-8",
    )
    await import_org(org)
    units = {r["key"]: r["id"] for r in await OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run()}
    sizes = {"w1": {"a": 12, "b": 9, "c": 6, "d": 20}, "w2": {"a": 12, "b": 9, "c": 3, "d": 20}}
    for number, (key, people) in enumerate(sizes.items()):
        opens = TODAY - dt.timedelta(days=60 - 30 * number)
        wave = await create_wave(
            key=key,
            questionnaires=QUESTIONNAIRES,
            questionnaire="staff-pulse",
            version=2,
            units=["rathaus"],
            opens_on=opens,
            closes_on=opens + dt.timedelta(days=20),
        )
        await approve(key, QUESTIONNAIRES)
        await open_wave(key, opens, QUESTIONNAIRES)
        batches = [await _answers(wave.id, units[u], n, 4 + (u == "c")) for u, n in people.items()]
        await bulk_insert_responses(wave.id, batches)
        await close_wave(key)  # an open wave shows no results


async def test_hidden_figures_never_leave_the_service(db: str, tmp_path: Path, approve) -> None:  # type: ignore[no-untyped-def]
    await _small_kommune(tmp_path, approve)
    c = await unit_figures("c")
    assert isinstance(c.waves[-1].respondents, HiddenFigure) and c.waves[-1].respondents.reason == "below_k"
    assert isinstance(c.waves[0].respondents, int) and c.waves[0].respondents == 6  # wave 1: 6 shown
    for value in c.values:
        if value.value != "gemeinsam":
            continue
        assert isinstance(value.latest, HiddenFigure)
        assert isinstance(value.series[0].score, Score) and isinstance(value.series[1].score, HiddenFigure)
        assert isinstance(value.change, HiddenFigure) and value.change.reason == "other_side_hidden"
    for item in c.items:
        assert isinstance(item.latest, HiddenFigure) and isinstance(item.distribution, HiddenFigure)
        assert item.top_box is None
    # 12, 9 and 3: the 3 is below k, the 9 goes with it, so fb − a = b + c reveals neither.
    b = await unit_figures("b")
    assert isinstance(b.waves[-1].respondents, HiddenFigure) and b.waves[-1].respondents.reason == "secondary"
    fb = await unit_figures("fb")
    children = {child["unit"]: child["respondents"] for child in fb.children}
    assert children["a"] == 12
    assert children["b"]["reason"] == "secondary" and children["c"]["reason"] == "below_k"
    assert isinstance(fb.waves[-1].respondents, int) and fb.waves[-1].respondents == 24
    heat = {child.unit: child.scores["gemeinsam"] for child in fb.child_scores}
    assert isinstance(heat["a"], Score) and heat["a"].n == 12
    assert isinstance(heat["b"], HiddenFigure) and heat["b"].reason == "secondary"
    assert isinstance(heat["c"], HiddenFigure) and heat["c"].reason == "below_k"

    # The same through the command line: no figure of C's latest wave in the JSON.
    env = {**os.environ, "DATABASE_URL": db}
    result = subprocess.run(  # noqa: ASYNC221 (the real command, as a person runs it)
        [sys.executable, "-m", "survey", "stats", "c", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["waves"][-1]["respondents"]["hidden"] is True
    for value in data["values"]:
        assert value["latest"] is None or value["latest"].get("hidden") is True
        assert value["series"][-1]["score"] is None or value["series"][-1]["score"]["hidden"] is True
    assert all(item["distribution"]["hidden"] for item in data["items"])
    assert '"mean": 100.0' not in json.dumps(data["values"][0]["series"][-1])
    table = subprocess.run(  # noqa: ASYNC221
        [sys.executable, "-m", "survey", "stats", "c"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "hidden (below_k)" in table.stdout
    assert msgspec.json.decode(result.stdout)["unit"] == "c"


async def test_unknown_unit_and_questionnaire(db: str) -> None:
    import pytest

    from survey.errors import SurveyError

    await build_demo(QUESTIONNAIRES, DemoOptions(waves=1, citizen_ratings=10, today=TODAY))
    with pytest.raises(SurveyError, match="no unit with key `nirgendwo`"):
        await unit_figures("nirgendwo")
    with pytest.raises(SurveyError, match="no open or closed wave of questionnaire `kantine`"):
        await unit_figures("kjfs", "kantine")


async def test_figures_are_computed_once_until_the_data_changes(db: str, tmp_path: Path, approve) -> None:  # type: ignore[no-untyped-def]
    await _small_kommune(tmp_path, approve)
    first = await unit_figures("c")
    assert await unit_figures("c") is first  # the same data: the cached figures
    assert isinstance(first.waves[-1].respondents, HiddenFigure)
    w2 = await WaveRow.select(WaveRow.id).where(WaveRow.key == "w2").first().run()
    c = await OrgUnitRow.select(OrgUnitRow.id).where(OrgUnitRow.key == "c").first().run()
    await bulk_insert_responses(w2["id"], [await _answers(w2["id"], c["id"], 3, 5)])
    after = await unit_figures("c")
    assert after is not first and after.waves[-1].respondents == 6  # three more people: shown now
    await WaveRow.update({WaveRow.title: "Umbenannt"}).where(WaveRow.key == "w2").run()
    assert (await unit_figures("c")).waves[-1].title == "Umbenannt"


async def test_citizen_figures_have_no_headcount_no_rate_and_say_why(db: str, demo_kommune: dt.date) -> None:
    """Citizens are no staff: the unit's headcount is no base for them, and the contacts at the
    service points, which would be one, are not recorded. Staff figures keep their rate."""
    citizens = await unit_figures("jugendamt", "citizen-contact")
    assert citizens.audience == "citizen"
    assert any(isinstance(w.respondents, int) and w.respondents > 0 for w in citizens.waves)
    for wave in citizens.waves:
        assert wave.audience == "citizen"
        assert wave.headcount is None and wave.response_rate is None
        assert wave.no_rate is not None and wave.no_rate.reason == "contacts_not_recorded"
        assert "not recorded" in wave.no_rate.explanation
    staff = await unit_figures("jugendamt")
    assert staff.audience == "staff"
    for wave in staff.waves:
        assert wave.no_rate is None and isinstance(wave.headcount, int) and wave.headcount > 0
        assert isinstance(wave.response_rate, float | HiddenFigure)
    assert isinstance(staff.waves[-1].response_rate, float)

    overview = await organisation_overview("citizen-contact")
    assert overview.audience == "citizen"
    for row in overview.rows:
        assert row.headcount is None and row.no_rate is not None
        assert row.response_rate is None or isinstance(row.response_rate, HiddenFigure)
    staff_overview = await organisation_overview()
    assert all(row.no_rate is None and isinstance(row.headcount, int) for row in staff_overview.rows)
    assert any(isinstance(row.response_rate, float) for row in staff_overview.rows)


async def test_a_value_the_questionnaire_does_not_ask_is_not_asked_not_missing(
    db: str, demo_kommune: dt.date
) -> None:
    """`citizen-contact` asks nothing about "vertrauen": not asked in any wave, so nothing of it is
    shown or hidden; the values it asks keep their figures, and "asked, nobody answered" stays None."""
    figures = await unit_figures("jugendamt", "citizen-contact")
    by_key = {v.value: v for v in figures.values}
    trust = by_key["vertrauen"]
    assert trust.asked is False
    assert all(not p.asked and p.score is None for p in trust.series)
    assert (trust.latest, trust.change, trust.parent, trust.organisation, trust.reliability) == (None,) * 5
    assert all(r.reliability is None for r in trust.reliability_by_wave)
    assert all(child.scores["vertrauen"] is None for child in figures.child_scores)
    for key in ("gemeinsam", "kundenorientiert", "transparenz", "unbuerokratisch", "nachhaltig"):
        assert by_key[key].asked and all(p.asked for p in by_key[key].series)
        assert isinstance(by_key[key].latest, Score)
    # a sub-unit without a service point: asked, but nobody answered
    empty = [c for c in figures.child_scores if all(s is None for s in c.scores.values())]
    assert empty, "a sub-unit of Jugendamt has no citizen ratings"
    quiet = await unit_figures(empty[0].unit, "citizen-contact")
    assert quiet.waves[-1].respondents == 0
    assert all(v.asked == (v.value != "vertrauen") for v in quiet.values)
    assert all(p.score is None for v in quiet.values for p in v.series)
    data = msgspec.to_builtins(figures)
    assert next(v for v in data["values"] if v["value"] == "vertrauen")["asked"] is False

    overview = await organisation_overview("citizen-contact")
    assert overview.not_asked == ["vertrauen"]
    assert all(row.scores["vertrauen"] is None and row.changes["vertrauen"] is None for row in overview.rows)
    assert (await organisation_overview()).not_asked == []
    staff = await unit_figures("jugendamt")
    assert all(v.asked and all(p.asked for p in v.series) for v in staff.values)
