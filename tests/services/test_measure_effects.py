"""The effect check of measures from the database: too early, a planted improvement found, a flat
unit with its detectable effect, suppression of a small owning unit, several owning units each and
together, Benjamini–Hochberg across the checks; on SQLite and PostgreSQL.

The Kleinstadt of these tests (built once per run, `effect_kommune`): Rathaus > Fachbereich 1
(Teams A and B), Fachbereich 2 (Team C, small, and Team D) and Fachbereich 3 (Teams E, F, G, the
rest of the organisation). Six closed staff waves two months apart (w1–w6) and an open one (w7),
answered on the three "gemeinsam" items only. Team A improves by PLANTED latent categories from w4
on; everybody moves with a common shock per wave; Team C has 3 respondents in w2 (below k).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import msgspec
import numpy as np
import pytest
from snapshots import Start, starts_from

from survey.domain import load_catalog
from survey.domain.effects import Effect, MeasureEffect, ValueEffect
from survey.domain.figures import HiddenFigure
from survey.services.accounts import Grant, Principal
from survey.services.approvals import record_demo_approvals
from survey.services.figures import measure_effects, measure_effects_in_language
from survey.services.figures._effects import comparable_items
from survey.services.measures import Measure, MeasureInput, create_measure
from survey.services.org import import_org
from survey.services.waves import close_wave, create_wave, open_wave
from survey.store.bulk import ResponseBatch, bulk_insert_responses
from survey.store.org import list_units

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
ITEMS = ("fachbereiche-ziehen-mit", "eine-anlaufstelle", "wissen-geteilt")
FIRST_OPENS = dt.date(2025, 1, 6)
#: respondents per closed wave w1–w6
SIZES = {
    "a": [30] * 6,
    "b": [25] * 6,
    "c": [12, 3, 12, 12, 12, 12],
    "d": [20] * 6,
    "e": [40] * 6,
    "f": [40] * 6,
    "g": [40] * 6,
}
#: each team's own level, and a shock every team shares per wave (latent answer categories)
LEVEL = {"a": -0.3, "b": 0.2, "c": 0.0, "d": 0.1, "e": -0.1, "f": 0.3, "g": 0.0}
SHOCK = [0.0, 0.15, -0.1, 0.05, 0.2, -0.05, 0.0]
#: Team A's improvement from w4 on, in latent categories
PLANTED = 0.8
MOOD_SD, ANSWER_SD = 0.5, 0.7
STARTS_BETWEEN_W3_AND_W4 = "2025-06-01"

ORG = """kommune: Kleinstadt
units:
  - {key: rathaus, name: Rathaus, kind: Verwaltung, headcount: 0}
  - {key: fb1, name: Fachbereich 1, kind: Fachbereich, parent: rathaus, headcount: 0}
  - {key: a, name: Team A, kind: Team, parent: fb1, headcount: 40}
  - {key: b, name: Team B, kind: Team, parent: fb1, headcount: 40}
  - {key: fb2, name: Fachbereich 2, kind: Fachbereich, parent: rathaus, headcount: 0}
  - {key: c, name: Team C, kind: Team, parent: fb2, headcount: 15}
  - {key: d, name: Team D, kind: Team, parent: fb2, headcount: 30}
  - {key: fb3, name: Fachbereich 3, kind: Fachbereich, parent: rathaus, headcount: 0}
  - {key: e, name: Team E, kind: Team, parent: fb3, headcount: 50}
  - {key: f, name: Team F, kind: Team, parent: fb3, headcount: 50}
  - {key: g, name: Team G, kind: Team, parent: fb3, headcount: 50}
"""


def _answers(rng: np.random.Generator, people: int, shift: float) -> np.ndarray:
    """Answers 1–5 to the three items: a person's mood, the shift and noise, cut into categories."""
    mood = rng.normal(0.0, MOOD_SD, size=(people, 1))
    latent = 3.0 + shift + mood + rng.normal(0.0, ANSWER_SD, size=(people, len(ITEMS)))
    return np.clip(np.rint(latent), 1, 5).astype(int)


def _batch(rng: np.random.Generator, unit_id: int, people: int, shift: float, day: dt.date) -> ResponseBatch:
    batch = ResponseBatch()
    for row in _answers(rng, people, shift):
        rid = uuid.uuid4()
        batch.responses.append((rid, unit_id, None, "de", day))
        batch.answers.extend((rid, unit_id, item, int(value)) for item, value in zip(ITEMS, row, strict=True))
    return batch


def _shift(unit: str, wave: int) -> float:
    return LEVEL[unit] + SHOCK[wave] + (PLANTED if unit == "a" and wave >= 3 else 0.0)


async def _wave(number: int, units: dict[str, int], rng: np.random.Generator, *, close: bool) -> None:
    key = f"w{number + 1}"
    opens = FIRST_OPENS + dt.timedelta(days=60 * number)
    closes = opens + dt.timedelta(days=20) if close else dt.date.today() + dt.timedelta(days=30)
    wave = await create_wave(
        key=key,
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse",
        version=2,
        units=["rathaus"],
        opens_on=opens,
        closes_on=closes,
    )
    version = load_catalog(QUESTIONNAIRES).version("staff-pulse", 2)
    await record_demo_approvals("personalrat", versions=[version], waves=[key])
    await open_wave(key, opens, QUESTIONNAIRES)
    sizes = {u: s[number] if number < len(s) else 10 for u, s in SIZES.items()}
    batches = [_batch(rng, units[u], n, _shift(u, number), opens) for u, n in sizes.items()]
    await bulk_insert_responses(wave.id, batches)
    if close:
        await close_wave(key)


async def _build() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        org = Path(folder) / "org.yaml"
        org.write_text(ORG, encoding="utf-8")
        await import_org(org)
    units = {u.key: u.id for u in await list_units()}
    rng = np.random.default_rng(20261206)
    for number in range(6):
        await _wave(number, units, rng, close=True)
    await _wave(6, units, rng, close=False)  # open, answered: it never counts


starts_from("effect_kommune", Start("measure-effects", _build))


@pytest.fixture
def effect_kommune(db: str) -> str:
    """`db` holds the Kleinstadt of this module."""
    return db


async def _measure(units: list[str], starts_on: str = STARTS_BETWEEN_W3_AND_W4, **more: object) -> Measure:
    rathaus = next(u for u in await list_units() if u.key == "rathaus")
    lead = Principal("leitung", "Leitung", (Grant("lead", "rathaus", rathaus.name, rathaus.path),))
    fields: dict[str, object] = {
        "title": f"Maßnahme von {', '.join(units)}",
        "values": ["gemeinsam"],
        "units": units,
        "responsible": "Leitung",
        "starts_on": starts_on,
        **more,
    }
    measure = await create_measure(lead, MeasureInput(**fields))  # type: ignore[arg-type]
    assert all(o.confirmed for o in measure.owners)
    return measure


def _shown(figure: Effect | HiddenFigure) -> Effect:
    assert isinstance(figure, Effect), figure
    return figure


def _value(effect: MeasureEffect, value: str = "gemeinsam") -> ValueEffect:
    return next(v for v in effect.values if v.value == value)


def _true_improvement() -> float:
    """Team A's expected change in points on 0–100 (the cut answers make it less than linear)."""
    rng = np.random.default_rng(1)
    before = _answers(rng, 400_000, LEVEL["a"]).mean()
    after = _answers(rng, 400_000, LEVEL["a"] + PLANTED).mean()
    return float((after - before) / 4 * 100)


async def test_a_measure_started_after_the_last_closed_wave_is_too_early(effect_kommune: str) -> None:
    # w7 opened after the start and has answers, but it is open: it never counts
    late = await _measure(["a"], starts_on="2025-12-01")
    (effect,) = await measure_effects([late])
    value = _value(effect)
    assert value.first_wave_after is None and not value.combined
    check = _shown(value.effect)
    assert (check.verdict, check.reason, check.estimate, check.mde) == (
        "too_early",
        "no_wave_after",
        None,
        None,
    )
    assert (check.n_before, check.n_after, check.waves_before, check.waves_after) == (180, 0, 6, 0)
    assert value.units[0].effect == value.effect


async def test_a_planted_improvement_is_found_with_a_sensible_estimate(effect_kommune: str) -> None:
    measure = await _measure(["a"], values=["gemeinsam", "vertrauen"])
    (effect,) = await measure_effects([measure])
    value = _value(effect)
    assert value.first_wave_after is not None and value.first_wave_after.key == "w4"
    assert value.comparable and not value.combined and value.name.startswith("Gemeinsam")
    check = _shown(value.effect)
    truth = _true_improvement()
    assert check.verdict == "improved", check
    assert check.estimate is not None and check.low is not None and check.high is not None
    assert check.low <= truth <= check.high and abs(check.estimate - truth) < 5, (truth, check)
    assert (check.n_before, check.n_after, check.waves_before, check.waves_after) == (90, 90, 3, 3)
    assert check.own_after is not None and check.own_before is not None and check.own_after > check.own_before
    # three waves on each side: the change in level and slope of the line
    assert check.level_change is not None and check.slope_change is not None
    assert check.level_change.low <= truth <= check.level_change.high
    # nobody answered about "vertrauen": nothing to compare
    trust = _shown(_value(effect, "vertrauen").effect)
    assert (trust.verdict, trust.reason, trust.n_before) == ("no_data", "too_few_answers", 0)
    # a longer lag moves the first wave after to w5: a new check, not the cached one
    later = await _measure(["a"], effect_lag_days="60")
    (lagged,) = await measure_effects([later])
    assert _value(lagged).first_wave_after.key == "w5"  # type: ignore[union-attr]
    assert _shown(_value(lagged).effect).waves_after == 2


async def test_a_flat_unit_shows_no_change_and_what_it_could_have_found(effect_kommune: str) -> None:
    (effect,) = await measure_effects([await _measure(["b"])])
    check = _shown(_value(effect).effect)
    assert check.verdict == "no_change", check
    assert check.mde is not None and 3 < check.mde < 15
    assert check.p_adjusted is not None and check.p_adjusted >= 0.05
    assert check.low is not None and check.high is not None and check.low < 0 < check.high


async def test_a_small_owning_unit_contributes_nothing_where_hidden_and_its_result_is_hidden(
    effect_kommune: str,
) -> None:
    # Team C has 3 respondents in w2: below k there (Team D is hidden with it, secondary)
    alone, together = await _measure(["c"]), await _measure(["b", "c"])
    effects = await measure_effects([alone, together])
    value = _value(effects[0])
    assert isinstance(value.effect, HiddenFigure) and value.effect.reason == "below_k"
    assert value.units[0].effect == value.effect and value.units[0].hidden_in == ["w2"]
    combined = _value(effects[1])
    assert combined.combined
    units = {u.unit: u for u in combined.units}
    assert isinstance(units["c"].effect, HiddenFigure) and units["c"].hidden_in == ["w2"]
    b, both = _shown(units["b"].effect), _shown(combined.effect)
    # C counts in w1 and w3 before the start, not in w2: 12 + 12 besides B's 75
    assert (b.n_before, b.waves_before) == (75, 3)
    assert (both.n_before, both.n_after, both.waves_before) == (75 + 24, 75 + 36, 3)
    assert "below_k" not in msgspec.json.encode(combined.effect).decode()
    # "too early" says nothing about C's answers: never hidden
    (early,) = await measure_effects([await _measure(["c"], starts_on="2026-06-01")])
    assert _shown(_value(early).effect).verdict == "too_early"


async def test_a_measure_of_two_units_gives_each_and_the_combined(effect_kommune: str) -> None:
    (effect,) = await measure_effects([await _measure(["a", "b"])])
    value = _value(effect)
    assert value.combined and [u.unit for u in value.units] == ["a", "b"]
    assert [u.name for u in value.units] == ["Team A", "Team B"]
    a, b, both = (_shown(e) for e in (value.units[0].effect, value.units[1].effect, value.effect))
    assert (a.verdict, b.verdict) == ("improved", "no_change")
    assert both.n_before == a.n_before + b.n_before and both.n_after == a.n_after + b.n_after
    # the combined estimate weighs each unit's own difference in differences
    assert a.estimate is not None and b.estimate is not None and both.estimate is not None
    assert min(a.estimate, b.estimate) <= both.estimate <= max(a.estimate, b.estimate)
    assert both.verdict == "improved"
    # owners' rest: the organisation outside A and B (Fachbereiche 2 and 3), the same for all three
    assert a.rest_before is not None and b.rest_before is not None


async def test_all_checks_of_a_call_are_adjusted_together(effect_kommune: str) -> None:
    measures = [
        await _measure(["a", "b"]),
        await _measure(["b"]),
        await _measure(["f"], starts_on="2025-04-01"),
        await _measure(["e"], starts_on="2026-03-01"),
    ]
    effects = await measure_effects(measures)
    assert [e.measure for e in effects] == [m.id for m in measures]
    shown = [
        figure
        for e in effects
        for v in e.values
        for figure in (v.effect, *(u.effect for u in v.units))
        if isinstance(figure, Effect) and figure.p is not None
    ]
    # a+b: combined, a, b; b and f: one unit, its own check is the measure's (shown twice, one
    # test); e: too early, no test
    assert effects[0].tests == 5 and len(shown) == 3 + 2 + 2
    assert all(f.p_adjusted is not None and f.p_adjusted >= f.p for f in shown)  # type: ignore[operator]
    assert any(f.p_adjusted > f.p for f in shown)  # type: ignore[operator]
    # computed once per data stamp and set of measures
    assert await measure_effects(measures) is effects
    english = await measure_effects_in_language(effects, "en")
    leitbild = next(iter(load_catalog(QUESTIONNAIRES).leitbilder.values()))
    gemeinsam = next(v for v in leitbild.values if v.key == "gemeinsam")
    assert _value(english[0]).name == gemeinsam.name["en"] != _value(effects[0]).name
    assert _value(english[0]).effect == _value(effects[0]).effect


def test_the_check_uses_the_items_every_wave_since_the_last_break_asks() -> None:
    catalog = load_catalog(QUESTIONNAIRES)
    v1, v2 = catalog.version("staff-pulse", 1), catalog.version("staff-pulse", 2)
    # a version 3 that asks "gemeinsam" with new questions only: the line breaks before it
    renamed = [
        msgspec.structs.replace(i, id=f"{i.id}-neu") if "gemeinsam" in i.values else i for i in v2.items
    ]
    v3 = msgspec.structs.replace(v2, version=3, items=renamed)
    # waves only need `version` here
    waves = [type("W", (), {"version": n})() for n in (1, 2, 2, 3)]
    versions = {1: v1, 2: v2, 3: v3}
    items, start = comparable_items(waves, versions, "gemeinsam")  # type: ignore[arg-type]
    assert start == 3 and items == {f"{i}-neu" for i in ITEMS}
    items, start = comparable_items(waves[:3], versions, "unbuerokratisch")  # type: ignore[arg-type]
    # v1 asked "ablaeufe-vereinfachen", v2 "vereinfachungen-umgesetzt": the two they share count
    assert start == 0 and items == {"schnell-unbuerokratisch", "spielraum-nutzen"}
    assert comparable_items(waves, versions, "nicht-im-leitbild") == (set(), 0)  # type: ignore[arg-type]
