"""The demo Kommune: structure, waves, the simulated truths, and no duplicates on a second run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from survey.domain.figures import Reorganisation
from survey.errors import SurveyError
from survey.services.demo import DemoOptions, build_demo, quarters
from survey.services.demo_open import open_demo_waves
from survey.services.demo_reorganisation import SUCCESSOR, reorganised_at
from survey.services.figures import Score, unit_figures
from survey.services.simulation import CITIZEN_OFFSET, STORIES
from survey.settings import Settings
from survey.store import waves as wave_store
from survey.store.org import list_service_points, list_units
from survey.store.tables import Answer, Comment, Invitation, OrgUnitRow, ResponseRow, WaveRow

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
TODAY = dt.date(2026, 11, 21)


async def _counts() -> tuple[int, int, int, int]:
    return (
        await WaveRow.count().run(),
        await ResponseRow.count().run(),
        await Answer.count().run(),
        await Comment.count().run(),
    )


def test_quarters_are_the_last_complete_ones() -> None:
    assert quarters(TODAY, 3) == [(2026, 1), (2026, 2), (2026, 3)]
    assert quarters(dt.date(2026, 1, 5), 2) == [(2025, 3), (2025, 4)]


async def test_demo_kommune_and_waves(db: str) -> None:
    progress: list[tuple[str, int, int]] = []
    result = await build_demo(QUESTIONNAIRES, DemoOptions(today=TODAY), lambda *a: progress.append(a))
    units = {u.key: u for u in await list_units()}
    assert len(units) >= 25
    assert len(await list_service_points()) == 10
    assert sum(u.kind == "Dezernat" for u in units.values()) >= 3
    kjfs_children = {u.name for u in units.values() if u.parent == "kjfs"}
    for name in ("Jugendamt", "Jobcenter", "Sozialamt", "Schulverwaltung", "Sportamt", "Musikschule"):
        assert any(name in child for child in kjfs_children), name
    assert "Kinder, Jugend, Familie und Soziales" in units["kjfs"].name

    waves = await wave_store.list_waves()
    staff = [w for w in waves if w.audience == "staff"]
    citizen = [w for w in waves if w.audience == "citizen"]
    assert len(staff) == 8 and len(citizen) == 8
    assert [w.version for w in staff] == [1, 1, 1, 1, 2, 2, 2, 2]  # v1, switching to v2 midway
    assert all(w.status == "closed" for w in waves)
    assert staff[-1].closes_on < dt.date(2026, 10, 1)  # the last complete quarter
    assert result.responses == await ResponseRow.count().run() > 10_000
    assert result.answers == await Answer.count().run()
    assert progress and progress[-1][1] == progress[-1][2]

    # Every staff unit answered, citizens only at units with a service point (before the demo's
    # reorganisation, the two Bürgerbüro teams had one each, and the Team Eingangszone the
    # Jobcenter's).
    citizen_units = (
        await ResponseRow.select(ResponseRow.unit.key)
        .where(ResponseRow.service_point.is_not_null())
        .distinct()
        .run()
    )
    merged = {"team-buergerbuero-mitte", "team-buergerbuero-nord", "team-eingangszone"}
    assert {r["unit.key"] for r in citizen_units} == {p.unit for p in await list_service_points()} | merged

    # Answers stay inside each scale; "keine Angabe" is stored as NULL.
    for item, low, high in (("fachbereiche-ziehen-mit", 1, 5), ("arbeitgeber-weiterempfehlen", 0, 10)):
        rows = await Answer.select(Answer.value).where(Answer.item == item).distinct().run()
        values = {r["value"] for r in rows}
        assert None in values
        assert {v for v in values if v is not None} <= set(range(low, high + 1))
    # v2's replacement item appears only in v2 waves, the retired one only in v1 waves.
    new_item = (
        await Answer.select(Answer.wave.questionnaire_version.version)
        .where(Answer.item == "vereinfachungen-umgesetzt")
        .distinct()
        .run()
    )
    assert {r["wave.questionnaire_version.version"] for r in new_item} == {2}

    # Response days fall inside the wave; no clock time is stored anywhere.
    first = staff[0]
    days = await ResponseRow.select(ResponseRow.submitted_on).where(ResponseRow.wave == first.id).run()
    assert all(first.opens_on <= r["submitted_on"] <= first.closes_on for r in days)


async def _mean(unit_key: str, items: list[str], wave_id: int) -> float:
    unit = await OrgUnitRow.select(OrgUnitRow.path).where(OrgUnitRow.key == unit_key).first().run()
    rows = (
        await Answer.select(Answer.value)
        .where(
            (Answer.wave == wave_id)
            & Answer.item.is_in(items)
            & Answer.value.is_not_null()
            & Answer.unit.path.like(unit["path"] + "%")
        )
        .run()
    )
    return sum(r["value"] for r in rows) / len(rows)


async def test_simulated_truths_are_there_to_be_found(db: str, demo_kommune: dt.date) -> None:
    # the same demo Kommune as test_demo_kommune_and_waves builds, read only
    assert demo_kommune == TODAY
    staff = [w for w in await wave_store.list_waves() if w.audience == "staff"]
    citizen = [w for w in await wave_store.list_waves() if w.audience == "citizen"]
    unbureaucratic = ["schnell-unbuerokratisch", "spielraum-nutzen"]
    # The Jobcenter becomes less bureaucratic, the Ordnungsamt less customer-minded (planted).
    assert (
        await _mean("jobcenter", unbureaucratic, staff[-1].id)
        > await _mean("jobcenter", unbureaucratic, staff[0].id) + 0.3
    )
    friendly = ["freundlich-respektvoll", "anliegen-verstehen"]
    assert (
        await _mean("ordnungsamt", friendly, staff[-1].id)
        < await _mean("ordnungsamt", friendly, staff[0].id) - 0.2
    )
    # Citizens find the administration more bureaucratic than its staff do (external < self-image).
    assert (
        await _mean("verwaltung", ["schnell-unbuerokratisch"], citizen[0].id)
        < await _mean("verwaltung", ["schnell-unbuerokratisch"], staff[0].id) - 0.2
    )


async def test_the_demo_reorganises_midway_and_the_trends_go_on_across_the_change(
    db: str, demo_kommune: dt.date
) -> None:
    """Issue 24: from the fourth quarter on, the Schul- und Sportverwaltung is split into the
    Schulverwaltung and the Sportamt, the two Bürgerbüro teams are merged and the Team
    Eingangszone moves to the Bürgerdienste. The Schulverwaltung's trend spans all eight waves, with the
    marker at the split, and finds the trend planted in the old Fachbereich."""
    staff = sorted(
        (w for w in await wave_store.list_waves() if w.audience == "staff"), key=lambda w: w.opens_on
    )
    first_new = staff[reorganised_at(len(staff)) or 0]
    assert first_new.key == "demo-puls-2025-q3"
    units = {u.key: u for u in await list_units()}
    assert {"schulverwaltung", "sportamt", "team-buergerbuero"} <= units.keys()
    assert not {"schule-sport", "team-buergerbuero-mitte", "team-buergerbuero-nord"} & units.keys()
    assert units["team-eingangszone"].parent == "buergerdienste"
    assert {p.unit for p in await list_service_points() if p.key.startswith("buergerbuero-")} == {
        "team-buergerbuero"
    }

    school = await unit_figures("schulverwaltung")
    split = Reorganisation(
        dt.date(2025, 7, 1), "split", ["Fachbereich Schul- und Sportverwaltung"], first_new.key
    )
    assert school.reorganisations == [split]
    assert [w.reorganised.relation if w.reorganised else None for w in school.waves] == 3 * ["shared"] + 5 * [
        None
    ]
    assert all(isinstance(w.respondents, int) and w.respondents >= 40 for w in school.waves)
    assert all(v.trend.waves == 8 for v in school.values)
    planted = next(v.trend for v in school.values if v.value == "kundenorientiert")
    assert planted.direction == "rising" and planted.p_adjusted is not None and planted.p_adjusted < 0.05
    team = await unit_figures("team-buergerbuero")
    assert [r.kind for r in team.reorganisations] == ["merged"]
    assert team.waves[0].reorganised is not None and team.waves[0].reorganised.relation == "merged"
    assert [w.reorganised for w in team.waves[3:]] == 5 * [None]
    # the moved team keeps its series; the Jobcenter it left still finds its planted trend
    moved = await unit_figures("team-eingangszone")
    assert [r.kind for r in moved.reorganisations] == ["moved"] and len(moved.waves) == 8
    jobcenter = next(
        v.trend for v in (await unit_figures("jobcenter")).values if v.value == "unbuerokratisch"
    )
    assert jobcenter.direction == "rising" and jobcenter.waves == 8


async def test_running_twice_duplicates_nothing_and_reset_rebuilds(db: str) -> None:
    options = DemoOptions(waves=2, citizen_ratings=200, today=TODAY)
    first = await build_demo(QUESTIONNAIRES, options)
    counts = await _counts()
    again = await build_demo(QUESTIONNAIRES, options)
    assert again.created == [] and sorted(again.kept) == sorted(first.created)
    assert await _counts() == counts
    reset = await build_demo(
        QUESTIONNAIRES, DemoOptions(waves=2, citizen_ratings=200, today=TODAY, reset=True)
    )
    assert sorted(reset.created) == sorted(first.created)
    assert await _counts() == counts  # same seed, same data


async def test_an_interrupted_wave_is_built_again(db: str) -> None:
    options = DemoOptions(waves=1, citizen_ratings=50, today=TODAY)
    await build_demo(QUESTIONNAIRES, options)
    counts = await _counts()
    # As if the run had died after creating the wave row: the wave is still a draft.
    await WaveRow.update({WaveRow.status: "draft"}).where(WaveRow.key == "demo-puls-2026-q3").run()
    result = await build_demo(QUESTIONNAIRES, options)
    assert result.created == ["demo-puls-2026-q3"]
    assert await _counts() == counts


async def test_staff_option_scales_the_kommune(db: str) -> None:
    await build_demo(QUESTIONNAIRES, DemoOptions(staff=20_000, waves=1, citizen_ratings=0, today=TODAY))
    total = sum(u.headcount for u in await list_units())
    assert abs(total - 20_000) < 50
    responses = await ResponseRow.count().run()
    assert 0.3 * 20_000 < responses < 0.8 * 20_000


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (DemoOptions(waves=0), "--waves 0"),
        (DemoOptions(staff=3), "--staff 3"),
        (DemoOptions(citizen_ratings=-1), "--citizen-ratings -1"),
    ],
)
async def test_bad_options_are_refused_before_anything_is_stored(
    db: str, options: DemoOptions, message: str
) -> None:
    with pytest.raises(SurveyError, match=message):
        await build_demo(QUESTIONNAIRES, options)
    assert await _counts() == (0, 0, 0, 0)


async def test_scores_and_trends_look_like_a_real_kommune(db: str, demo_kommune: dt.date) -> None:
    # mostly between 45 and 80; the planted trends move about 3 points per wave (Theil–Sen), 2 to 4.5
    # in one simulated run (their 95 % intervals are about ±1.3 points wide)
    latest = []
    for unit in await list_units():
        for value in (await unit_figures(unit.key)).values:
            if isinstance(value.latest, Score):
                latest.append(value.latest.mean)
    assert len(latest) > 100
    assert sum(45 <= s <= 80 for s in latest) / len(latest) >= 0.75
    for unit, value in STORIES:
        figures = await unit_figures(SUCCESSOR.get(unit, unit))  # after the demo's reorganisation
        trend = next(v.trend for v in figures.values if v.value == value)
        assert trend.slope_per_wave is not None and 2 <= abs(trend.slope_per_wave) <= 4.5, (
            unit,
            value,
            trend,
        )
    # citizens see the values the model sets apart by about 5 to 15 points (self − external image)
    gaps = {
        v.value: v.self_on_shared.mean - v.external.mean
        for v in (await unit_figures("verwaltung")).values
        if isinstance(v.self_on_shared, Score) and isinstance(v.external, Score)
    }
    planted = [value for value in CITIZEN_OFFSET if value in gaps]
    assert len(planted) >= 3
    assert all(4 <= abs(gaps[value]) <= 16 for value in planted), gaps


async def test_open_waves_to_try_are_kept_on_a_second_run(db: str) -> None:
    await build_demo(QUESTIONNAIRES, DemoOptions(staff=300, waves=1, citizen_ratings=50, today=TODAY))
    settings = Settings(database_url=db, base_url="http://demo.invalid")
    first = await open_demo_waves(settings, QUESTIONNAIRES, TODAY)
    assert (first.citizen_wave, first.staff_wave) == ("demo-buerger-2026-q4", "demo-puls-2026-q4")
    assert first.service_point == "http://demo.invalid/s/buergerbuero-mitte"
    assert first.invitation and first.invitation.startswith("http://demo.invalid/i/")
    waves = {w.key: w for w in await wave_store.list_waves()}
    citizen, staff = waves["demo-buerger-2026-q4"], waves["demo-puls-2026-q4"]
    assert citizen.status == staff.status == "open"
    assert (citizen.opens_on, citizen.closes_on) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    # every unit with a service point, and the Jugendamt's subtree
    assert len(await wave_store.wave_unit_ids(citizen.id)) == len(
        {p.unit for p in await list_service_points()}
    )
    assert len(await wave_store.wave_unit_ids(staff.id)) == 3
    codes = await Invitation.count().run()
    assert codes == first.codes > 20
    again = await open_demo_waves(settings, QUESTIONNAIRES, TODAY)
    assert (again.citizen_wave, again.staff_wave, again.codes) == (first.citizen_wave, first.staff_wave, 1)
    assert again.invitation != first.invitation
    assert len(await wave_store.list_waves()) == len(waves)
    assert await Invitation.count().run() == codes + 1


async def test_the_demo_measures_show_what_the_effect_check_says(db: str, demo_kommune: dt.date) -> None:
    """Issue 19: the Jobcenter's measure is found "verbessert", the Bauhof's (nothing planted) is
    not, the Runder Tisch reports each of its three units and the combined effect, and a measure
    started after the last closed wave is "zu früh"."""
    from survey.domain.effects import Effect
    from survey.services.demo_measures import MEASURES, add_demo_measures
    from survey.services.demo_users import ensure_demo_users
    from survey.services.figures import measure_effects
    from survey.services.measures import owned_measures

    await ensure_demo_users()
    assert await add_demo_measures() == [m.title for m in MEASURES]
    assert await add_demo_measures() == []  # a second run adds nothing twice
    measures = {m.title: m for m in await owned_measures()}
    effects = {e.measure: e for e in await measure_effects(list(measures.values()))}

    def check(title: str) -> list:
        return effects[measures[title].id].values

    [jobcenter] = check("Anträge ohne Umwege")
    assert isinstance(jobcenter.effect, Effect) and jobcenter.effect.verdict == "improved"
    [bauhof] = check("Nachhaltigkeitsrunde im Bauhof")
    assert isinstance(bauhof.effect, Effect) and bauhof.effect.verdict == "no_change"
    assert bauhof.effect.mde is not None and bauhof.effect.mde > 0
    [table] = check("Runder Tisch Bildung und Teilhabe")
    assert table.combined and [u.unit for u in table.units] == ["jugendamt", "jobcenter", "schulverwaltung"]
    assert isinstance(table.effect, Effect) and table.effect.verdict in ("improved", "no_change", "worsened")
    assert all(v.effect.verdict == "too_early" for v in check("Online-Termine in den Bürgerbüros"))
    assert sum(m.public for m in measures.values()) == 2
