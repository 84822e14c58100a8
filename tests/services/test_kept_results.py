"""Figures and charts kept in the database for every worker and host (issue 23), on SQLite and
PostgreSQL: computed once per data stamp and drawn once per spec, read back by another worker
(here: after this worker's memory is emptied), never trusted unsigned, and never a reason for a
page to fail."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import altair as alt
import msgspec
import pytest

import survey.report.charts._common as chart_common
import survey.services.figures._unit as unit_module
from survey.domain.figures import HiddenFigure
from survey.report.charts import keep_charts_in
from survey.report.charts._common import render_svg
from survey.services.chart_keep import StoredCharts
from survey.services.figures import _CACHE, keep_figures_signed_with, organisation_overview, unit_figures
from survey.store.tables import KeptChart, KeptFigure

SECRET = b"test-installation-secret"


async def _secret() -> bytes:
    return SECRET


async def _another_secret() -> bytes:
    return b"another installation's secret"


@pytest.fixture
def keeping() -> Iterator[StoredCharts]:
    """This worker keeps figures and charts in the database, as `open_database` has it do."""
    keep = StoredCharts()
    keep_figures_signed_with(_secret)
    keep_charts_in(keep)
    _CACHE.clear()
    try:
        yield keep
    finally:
        keep_figures_signed_with(None)
        keep_charts_in(None)
        _CACHE.clear()


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the computations of unit figures (the real ones still run)."""
    computed: list[str] = []
    real = unit_module._unit_figures

    async def counted(unit_key: str, *args: Any) -> Any:
        computed.append(unit_key)
        return await real(unit_key, *args)

    monkeypatch.setattr(unit_module, "_unit_figures", counted)
    return computed


async def test_figures_are_computed_once_for_every_worker(
    db: str, demo_kommune: dt.date, keeping: StoredCharts, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = _counting(monkeypatch)
    first = await unit_figures("kjfs")
    overview = await organisation_overview()
    assert computed == ["kjfs"] and await KeptFigure.count().run() == 2
    _CACHE.clear()  # another worker, or this one after a restart: nothing in memory
    again = await unit_figures("kjfs")
    assert computed == ["kjfs"], "read from the database, not computed again"
    assert again == first and again is not first
    assert await organisation_overview() == overview

    # a new answer changes the data stamp: computed again, and the row replaced (one per key)
    from survey.store.tables import WaveRow

    await WaveRow.update({WaveRow.title: "Umbenannt"}).where(WaveRow.status == "closed").run()
    _CACHE.clear()
    await unit_figures("kjfs")
    assert computed == ["kjfs", "kjfs"] and await KeptFigure.count().run() == 2


async def test_a_row_not_signed_by_this_installation_is_never_unpickled(
    db: str, demo_kommune: dt.date, keeping: StoredCharts, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = _counting(monkeypatch)
    first = await unit_figures("kjfs")
    row = await KeptFigure.select(KeptFigure.key, KeptFigure.body).first().run()
    # a row written by anything but this app: a pickle that would run code, with a made-up mac
    forged = "0" * 64 + ":" + "gASVIAAAAAAAAACMCGJ1aWx0aW5zlIwEZXZhbJSTlIwFMSsxPTKUhZRSlC4="
    await KeptFigure.update({KeptFigure.body: forged}).where(KeptFigure.key == row["key"]).run()
    _CACHE.clear()
    assert await unit_figures("kjfs") == first
    assert computed == ["kjfs", "kjfs"], "computed afresh, the forged row not read"
    keep_figures_signed_with(_another_secret)
    _CACHE.clear()
    await unit_figures("kjfs")
    assert len(computed) == 3


async def _wave_and_unit(wave_key: str, unit_key: str) -> tuple[int, int]:
    from survey.store.tables import OrgUnitRow, WaveRow

    wave = await WaveRow.select(WaveRow.id).where(WaveRow.key == wave_key).first().run()
    unit = await OrgUnitRow.select(OrgUnitRow.id).where(OrgUnitRow.key == unit_key).first().run()
    return wave["id"], unit["id"]


async def _demo_wave(audience: str, status: str) -> str:
    """The key of the demo's newest wave of that audience and status."""
    from survey.store.tables import WaveRow

    found = (
        await WaveRow.select(WaveRow.key)
        .where((WaveRow.audience == audience) & (WaveRow.status == status))
        .order_by(WaveRow.opens_on, ascending=False)
        .first()
        .run()
    )
    return str(found["key"])


async def _responses(wave_key: str, unit_key: str, people: int, item: str) -> None:
    """`people` answers in the wave for the unit, as the writer stores them."""
    import uuid

    from survey.store.bulk import ResponseBatch, bulk_insert_responses

    wave_id, unit_id = await _wave_and_unit(wave_key, unit_key)
    batch = ResponseBatch()
    for _ in range(people):
        rid = uuid.uuid4()
        batch.responses.append((rid, unit_id, None, "de", dt.date(2026, 10, 5)))
        batch.answers.append((rid, unit_id, item, 4))
    await bulk_insert_responses(wave_id, [batch])


async def _reopened(audience: str) -> str:
    """The demo's newest wave of `audience`, running again: an open wave with answers."""
    from survey.store.tables import WaveRow

    key = await _demo_wave(audience, "closed")
    await WaveRow.update({WaveRow.status: "open"}).where(WaveRow.key == key).run()
    return key


async def test_a_new_answer_in_an_open_wave_is_counted_and_the_closed_waves_are_not_computed_again(
    db: str, demo_kommune: dt.date, keeping: StoredCharts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open wave shows how many answered so far; its answers change nothing of the closed
    waves' figures, so they come from the keep."""
    from survey.store import org as org_store

    computed = _counting(monkeypatch)
    units = await org_store.list_units()
    amt = next(u for u in units if u.key == "jugendamt")
    # a team of the Jugendamt, which has answered in the wave already (answers go to teams)
    team = next(u for u in units if u.path.startswith(amt.path) and not any(v.parent == u.key for v in units))
    open_wave_key = await _reopened("staff")
    latest = await _demo_wave("staff", "closed")
    first = await unit_figures("jugendamt")
    assert computed == ["jugendamt"] and first.waves[-1].wave == latest
    [open_wave] = first.open_waves
    assert open_wave.wave == open_wave_key and isinstance(open_wave.respondents, int)
    await _responses(open_wave_key, team.key, 1, "fachbereiche-ziehen-mit")
    _CACHE.clear()  # another worker
    after = await unit_figures("jugendamt")
    assert computed == ["jugendamt"], "the closed waves' figures read from the keep"
    assert after.open_waves[0].respondents == open_wave.respondents + 1
    assert after.values == first.values and after.waves == first.waves
    # a closed wave that takes answers (an import's, or a batch late for the closing) is counted
    await _responses(latest, team.key, 1, "fachbereiche-ziehen-mit")
    _CACHE.clear()
    respondents = first.waves[-1].respondents
    assert isinstance(respondents, int)
    assert (await unit_figures("jugendamt")).waves[-1].respondents == respondents + 1
    assert computed == ["jugendamt", "jugendamt"]


async def test_a_staff_wave_opened_and_its_first_answers_compute_nothing_again(
    db: str, demo_kommune: dt.date, keeping: StoredCharts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An open staff wave is no part of the closed waves' figures: opening one and its first
    answers leave their stamp as it is, so every page's figures come from the keep. A citizen
    wave's first rating at a service point does change it (the external image, the service
    point's figures), also at the second service point of a unit that has one rated already."""
    import uuid

    from survey.store import waves as wave_store
    from survey.store.bulk import ResponseBatch, bulk_insert_responses
    from survey.store.counts import closed_waves_stamp
    from survey.store.org import list_service_points, list_units

    computed = _counting(monkeypatch)
    first = await unit_figures("jugendamt")
    stamp = await closed_waves_stamp()
    units = {u.key: u for u in await list_units()}

    async def opened(key: str, questionnaire: str, version: int, audience: str, unit_ids: list[int]) -> int:
        """A new wave, open from the day before the demo's day."""
        version_id = await wave_store.version_id(questionnaire, version)
        assert version_id is not None
        return await wave_store.insert_wave(
            key=key,
            title=key,
            version_id=version_id,
            audience=audience,
            opens_on=dt.date(2026, 11, 20),
            closes_on=dt.date(2026, 12, 20),
            unit_ids=unit_ids,
            status="open",
        )

    await opened("puls-neu", "staff-pulse", 2, "staff", [units["asd"].id, units["kita-verwaltung"].id])
    await _responses("puls-neu", "asd", 1, "fachbereiche-ziehen-mit")
    assert await closed_waves_stamp() == stamp
    _CACHE.clear()  # another worker
    again = await unit_figures("jugendamt")
    assert computed == ["jugendamt"] and again.values == first.values
    assert "puls-neu" in [w.wave for w in again.open_waves]

    wave_id = await opened("buerger-neu", "citizen-contact", 1, "citizen", [units["team-buergerbuero"].id])
    assert await closed_waves_stamp() != stamp  # an open citizen wave is read by the figures
    points = [p for p in await list_service_points() if p.unit == "team-buergerbuero"]
    assert len(points) == 2  # both Bürgerbüros since the demo's reorganisation
    stamps = [await closed_waves_stamp()]
    for point in points:
        batch = ResponseBatch()
        rid = uuid.uuid4()
        batch.responses.append((rid, units["team-buergerbuero"].id, point.id, "de", dt.date(2026, 10, 5)))
        batch.answers.append((rid, units["team-buergerbuero"].id, "gesamturteil", 9))
        await bulk_insert_responses(wave_id, [batch])
        stamps.append(await closed_waves_stamp())
    assert len(set(stamps)) == 3, "each service point's first rating is a change"


async def test_the_first_rating_in_an_open_citizen_wave_hides_the_external_image(
    db: str, demo_kommune: dt.date, keeping: StoredCharts
) -> None:
    """An open citizen wave hides the external image of every unit with ratings so far (a clerk
    could read the rating just given): a unit's first rating there is a change of the closed
    waves' figures, not only of the participation."""
    from survey.store import org as org_store

    citizen_wave = await _reopened("citizen")
    units = await org_store.list_units()
    leaves = [u for u in units if not any(v.parent == u.key for v in units)]
    for unit in leaves:
        before = await unit_figures(unit.key)
        shared = [v for v in before.values if v.shared_items]
        if shared and all(v.external is None for v in shared):
            break  # no ratings for it in the open wave yet
    else:
        pytest.fail("no unit without ratings in the open citizen wave")
    await _responses(citizen_wave, unit.key, 1, "anliegen-geloest")
    _CACHE.clear()
    after = await unit_figures(unit.key)
    hidden = [v.external for v in after.values if v.shared_items]
    assert hidden and all(isinstance(h, HiddenFigure) and h.reason == "wave_open" for h in hidden)


def _chart(value: int) -> alt.Chart:
    data = alt.Data(values=[{"x": "a", "y": value}, {"x": "b", "y": 2}])
    return alt.Chart(data).mark_bar().encode(x="x:N", y="y:Q").properties(width=100, height=60)


async def test_a_chart_is_drawn_once_for_every_worker(
    db: str, keeping: StoredCharts, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[str] = []
    real = chart_common._drawn

    def counted(spec: dict[str, Any], title: str, language: str) -> str:
        drawn.append(title)
        return real(spec, title, language)

    monkeypatch.setattr(chart_common, "_drawn", counted)
    # drawn in a thread, as the pages and reports draw them (PostgreSQL is read from there only)
    first = await asyncio.to_thread(render_svg, _chart(5), "Verlauf", "de")
    assert first.startswith("<svg") and drawn == ["Verlauf"] and await KeptChart.count().run() == 1
    other_worker = StoredCharts()
    keep_charts_in(other_worker)
    assert await asyncio.to_thread(render_svg, _chart(5), "Verlauf", "de") == first
    assert drawn == ["Verlauf"] and other_worker.hits == {"memory": 0, "database": 1, "drawn": 0}
    assert await asyncio.to_thread(render_svg, _chart(5), "Verlauf", "de") == first
    assert other_worker.hits["memory"] == 1
    # another spec, title or language is another chart
    await asyncio.to_thread(render_svg, _chart(6), "Verlauf", "de")
    await asyncio.to_thread(render_svg, _chart(5), "Trend", "de")
    await asyncio.to_thread(render_svg, _chart(5), "Verlauf", "en")
    assert len(drawn) == 4 and await KeptChart.count().run() == 4


async def test_a_kept_chart_costs_neither_drawing_nor_building_its_spec(
    db: str, demo_kommune: dt.date, keeping: StoredCharts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages' and reports' charts are kept by what their spec is built from (figures,
    language, markers): altair is not asked for a chart in the keep."""
    from survey.report.charts import _trend, value_trend

    built: list[str] = []
    real = _trend.trend_spec

    def counted(value: Any, language: str, markers: Any = (), changes: Any = ()) -> alt.LayerChart:
        built.append(language)
        return real(value, language, markers, changes)

    monkeypatch.setattr(_trend, "trend_spec", counted)
    value = (await unit_figures("jugendamt")).values[0]
    first = await asyncio.to_thread(value_trend, value, "de")
    keep_charts_in(StoredCharts())  # another worker
    assert (await asyncio.to_thread(value_trend, value, "de")).svg == first.svg
    assert built == ["de"]
    # other figures, another language, a measure's marker, a reorganisation's line: another chart
    other = msgspec.structs.replace(value, name="Anders")
    await asyncio.to_thread(value_trend, other, "de")
    await asyncio.to_thread(value_trend, value, "en")
    await asyncio.to_thread(value_trend, value, "de", [(dt.date(2026, 3, 1), "Maßnahme")])
    await asyncio.to_thread(value_trend, value, "de", (), [(dt.date(2026, 3, 1), "Neuordnung", None)])
    assert built == ["de", "de", "en", "de", "de"]


async def test_a_chart_is_drawn_when_the_keep_cannot_be_read(db: str, keeping: StoredCharts) -> None:
    await KeptChart.alter().drop_table().run()
    svg = await asyncio.to_thread(render_svg, _chart(7), "Verlauf", "de")
    assert svg.startswith("<svg") and keeping.hits["drawn"] == 1


async def test_comment_themes_are_computed_once_per_set_of_comments(
    db: str, demo_kommune: dt.date, keeping: StoredCharts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keywords and themes depend on the comments, the codebook and the language only: kept by
    those, a new answer elsewhere does not compute them again; another language does."""
    import survey.services.comments as comments_module
    from survey.services.comments import comment_summary

    computed: list[str] = []
    real = comments_module._summary

    async def counted(wave: str, unit: str, language: str, *args: Any) -> Any:
        computed.append(language)
        return await real(wave, unit, language, *args)

    monkeypatch.setattr(comments_module, "_summary", counted)
    figures = await unit_figures("jugendamt")
    first = await comment_summary(figures, "de")
    assert computed == ["de"] and not isinstance(first, type(None))
    _CACHE.clear()  # another worker
    from survey.store.tables import WaveRow

    await WaveRow.update({WaveRow.title: "Umbenannt"}).where(WaveRow.status == "open").run()
    assert await comment_summary(await unit_figures("jugendamt"), "de") == first
    assert computed == ["de"]
    await comment_summary(figures, "en")
    assert computed == ["de", "en"]


async def test_an_app_worker_forgets_charts_drawn_long_ago(db: str, keeping: StoredCharts) -> None:
    from survey.services.chart_keep import KEEP_DAYS, charts_kept

    await asyncio.to_thread(render_svg, _chart(1), "Alt", "de")
    await asyncio.to_thread(render_svg, _chart(2), "Neu", "de")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=KEEP_DAYS + 1)
    oldest = await KeptChart.select(KeptChart.id).order_by(KeptChart.id).first().run()
    await KeptChart.update({KeptChart.made_at: long_ago}).where(KeptChart.id == oldest["id"]).run()
    await charts_kept()  # a command: keeps, forgets nothing
    assert await KeptChart.count().run() == 2
    await charts_kept(prune=True)  # an app worker's start
    assert await KeptChart.count().run() == 1
    keep_charts_in(keeping)


async def test_a_report_reads_each_data_stamp_once(
    db: str, demo_kommune: dt.date, keeping: StoredCharts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading a stamp counts the open waves' responses, which grows with them: a report is one
    reading of the data and reads each stamp once; outside one, every figure reads it again."""
    from survey.services.reports import department_report
    from survey.store import counts

    read: list[str] = []
    for name in ("data_stamp", "closed_waves_stamp"):
        real = getattr(counts, name)

        async def counted(real: Any = real, name: str = name) -> str:
            read.append(name)
            return await real()

        monkeypatch.setattr(counts, name, counted)
    await _reopened("staff")  # an open wave: the report shows who answered so far
    report = await department_report("jugendamt", "staff-pulse", "de", dt.date.today())
    assert "Fachbereich Jugendamt" in report.html
    assert sorted(read) == ["closed_waves_stamp", "data_stamp"]
    read.clear()
    _CACHE.clear()
    await department_report.__wrapped__("jugendamt", "staff-pulse", "de", dt.date.today())  # type: ignore[attr-defined]
    assert len(read) > 2, "the same build outside one reading reads a stamp for each figure"
