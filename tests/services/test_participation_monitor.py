"""The participation monitor of an open wave (issue 22): each shown unit's responses up to each day,
and for citizens the ratings per service point and ISO week, under the anonymity rules. On SQLite
and PostgreSQL.

The Kommune: Rathaus > Fachbereich `fb` > Teams `a`, `b`, `c`, and Fachbereich `d` beside it;
service points `a-schalter` (Team A), `b-mitte` and `b-nord` (Team B), `d-info` (Fachbereich D).
Grouping units have no staff of their own, and the attacker of tests/participation_attack.py
knows it.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from pathlib import Path

from participation_attack import Kommune, pinned, seen_in_participation, told_by_series

from survey.domain.anonymity import Hidden
from survey.domain.figures import HiddenFigure
from survey.services.org import import_org
from survey.services.participation import Participation, wave_participation
from survey.services.participation_audit import determined
from survey.services.participation_weeks import Places, point_weeks
from survey.services.waves import create_wave, open_wave
from survey.store.bulk import ResponseBatch, bulk_insert_responses
from survey.store.org import StoredServicePoint, StoredUnit
from survey.store.tables import OrgUnitRow, ServicePointRow, WaveParticipationRow

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
ORG = """kommune: Kleinstadt
units:
  - {key: rathaus, name: Rathaus, kind: Verwaltung, headcount: 0}
  - {key: fb, name: Fachbereich Ordnung, kind: Fachbereich, parent: rathaus, headcount: 0}
  - {key: a, name: Team A, kind: Team, parent: fb, headcount: 8}
  - {key: b, name: Team B, kind: Team, parent: fb, headcount: 10}
  - {key: c, name: Team C, kind: Team, parent: fb, headcount: 7}
  - {key: d, name: Fachbereich D, kind: Fachbereich, parent: rathaus, headcount: 60}
service_points:
  - {key: a-schalter, name: Schalter A, unit: a}
  - {key: b-mitte, name: Bürgerbüro Mitte, unit: b}
  - {key: b-nord, name: Bürgerbüro Nord, unit: b}
  - {key: d-info, name: Info D, unit: d}
"""
PARENTS = {"rathaus": None, "fb": "rathaus", "a": "fb", "b": "fb", "c": "fb", "d": "rathaus"}
HEADCOUNT = {"a": 8, "b": 10, "c": 7, "d": 60}
#: where staff answers come from (grouping units have no staff), and citizens' ratings
STAFF = Kommune(PARENTS, [(u, None) for u in HEADCOUNT], HEADCOUNT)
CITIZENS = Kommune(
    PARENTS,
    [
        ("a", "a-schalter"),
        ("a", None),
        ("b", "b-mitte"),
        ("b", "b-nord"),
        ("c", None),
        ("d", "d-info"),
        ("d", None),
    ],
)
TODAY = dt.date.today()
#: a Monday two weeks and a bit before today: the waves run over three ISO weeks or more
OPENS = TODAY - dt.timedelta(days=14 + TODAY.weekday())

#: answers per (unit, service point or None) and day number (0 = the first day)
Answers = dict[tuple[str, str | None], dict[int, int]]


async def _kommune(tmp_path: Path) -> tuple[dict[str, int], dict[str, int]]:
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    await import_org(org)
    units = {r["key"]: r["id"] for r in await OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run()}
    points = {
        r["key"]: r["id"] for r in await ServicePointRow.select(ServicePointRow.key, ServicePointRow.id).run()
    }
    return units, points


async def _wave(key: str, audience: str, approve) -> int:  # type: ignore[no-untyped-def]
    wave = await create_wave(
        key=key,
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse" if audience == "staff" else "citizen-contact",
        version=2 if audience == "staff" else 1,
        units=["rathaus"],
        opens_on=OPENS,
        closes_on=TODAY + dt.timedelta(days=10),
    )
    if audience == "staff":
        await approve(key, QUESTIONNAIRES)
    await open_wave(key, OPENS, QUESTIONNAIRES)
    return wave.id


async def _answer(wave_id: int, ids: tuple[dict[str, int], dict[str, int]], answers: Answers) -> None:
    units, points = ids
    batch = ResponseBatch()
    for (unit, point), per_day in answers.items():
        for day, people in per_day.items():
            for _ in range(people):
                rid = uuid.uuid4()
                at = points[point] if point else None
                batch.responses.append((rid, units[unit], at, "de", OPENS + dt.timedelta(days=day)))
                batch.answers.append((rid, units[unit], "eine-anlaufstelle", 4))
    await bulk_insert_responses(wave_id, [batch])


def _series(p: Participation) -> dict[str, list[int | str]]:
    """Each unit's line as a reader sees it: numbers, or the reason a day is hidden."""
    return {
        s.key: [
            pt.responses.reason if isinstance(pt.responses, HiddenFigure) else pt.responses for pt in s.points
        ]
        for s in p.series
    }


def _cells(p: Participation) -> dict[str, list[int | str]]:
    assert p.service_points is not None
    return {
        r.key: [v.reason if isinstance(v, HiddenFigure) else v for v in [*r.weeks, r.total]]
        for r in p.service_points.points
    }


def _random_answers(rng: random.Random, places: list[tuple[str, str | None]], days: int) -> Answers:
    answers: Answers = {}
    for place in places:
        busy = rng.choice([0.0, 0.15, 0.4, 0.8])
        answers[place] = {d: rng.choice([1, 1, 2, 3, 6]) for d in range(days) if rng.random() < busy}
    return answers


def _capped(answers: Answers) -> Answers:
    """No more answers than a unit has staff."""
    out: Answers = {}
    for (unit, point), per_day in answers.items():
        left, kept = HEADCOUNT[unit], {}
        for day, n in sorted(per_day.items()):
            if left > 0:
                kept[day] = min(n, left)
                left -= kept[day]
        out[(unit, point)] = kept
    return out


async def test_no_difference_of_anything_shown_gives_a_hidden_number_away(
    db: str, tmp_path: Path, approve
) -> None:  # type: ignore[no-untyped-def]
    """Random waves, staff and citizens, each attacked with every shown number at once (a linear
    program over the responses per place and day): no unit the count hides, no hidden service
    point and no hidden week of one is ever pinned down."""
    ids = await _kommune(tmp_path)
    rng = random.Random(22)
    days = (TODAY - OPENS).days + 1
    checked = 0
    for number in range(12):
        audience = "staff" if number % 2 else "citizen"
        kommune = STAFF if audience == "staff" else CITIZENS
        answers = _random_answers(rng, list(kommune.places), days)
        if audience == "staff":
            answers = _capped(answers)
        wave_id = await _wave(f"runde-{number}", audience, approve)
        await _answer(wave_id, ids, answers)
        shown = await wave_participation(f"runde-{number}", today=TODAY)
        assert shown is not None
        seen = seen_in_participation(shown)
        found = pinned(kommune, seen)
        given_away = {
            label: n
            for label, n in found.items()
            if label.startswith("unit:")
            or (label.startswith("past:") and 0 < n < 5)
            or (label.startswith(("week:", "point:")) and 0 < n < 5 and not told_by_series(seen, label, 5))
        }
        assert given_away == {}, (audience, answers, seen)
        checked += len(seen.units) + len(seen.points)
    assert checked


async def test_each_shown_unit_over_the_days_added_up_and_hidden_where_it_would_tell(
    db: str, tmp_path: Path, approve
) -> None:  # type: ignore[no-untyped-def]
    ids = await _kommune(tmp_path)
    wave_id = await _wave("puls", "staff", approve)
    # day 0: D 6; day 1: A 2 (under k); day 2: B 6; day 3: C 7; day 4: A 4 more (6 in all)
    await _answer(
        wave_id,
        ids,
        {("d", None): {0: 6}, ("a", None): {1: 2, 4: 4}, ("b", None): {2: 6}, ("c", None): {3: 7}},
    )
    shown = await wave_participation("puls", today=TODAY)
    assert shown is not None and shown.service_points is None  # staff: no service points
    days = len(shown.days or [])
    assert days == (TODAY - OPENS).days + 1 and next(d for d, _n in shown.days or []) == OPENS
    lines = _series(shown)
    assert list(lines) == ["rathaus", "d", "fb", "a", "b", "c"]  # tree order, every unit shown now
    rest = days - 5
    # Up to day 3, A has 2: hidden, and B with it (fb − C would give A + B); on day 1 fb is A's 2
    # alone, so D is hidden with it; what is hidden on a day is hidden on the days before it
    # (with the reason of the later day: B's zeros say "hidden", not "under 5").
    # The whole wave's own days are shown anyway; a zero before a unit's first answer is not.
    assert lines["rathaus"] == [6, 8, 14, 21, 25] + [25] * rest
    assert lines["fb"] == ["below_k", "below_k", 8, 15, 19] + [19] * rest
    assert lines["a"] == ["below_k"] * 4 + [6] + [6] * rest
    assert lines["b"] == ["secondary"] * 4 + [6] + [6] * rest
    assert lines["c"] == ["below_k"] * 3 + [7, 7] + [7] * rest
    assert lines["d"] == ["secondary", "secondary", 6, 6, 6] + [6] * rest
    # the rate is the responses up to the day over the unit's staff, hidden where they are
    a = next(s for s in shown.series if s.key == "a")
    assert a.headcount == 8 and [p.rate for p in a.points][3:5] == [a.points[3].responses, 0.75]
    # the last day is the count the table shows
    assert all(s.points[-1].responses == u.responses for s, u in zip(shown.series, shown.units, strict=True))
    assert _series(shown)["c"][-1] == next(u.responses for u in shown.units if u.key == "c")


async def test_a_unit_under_k_has_no_series(db: str, tmp_path: Path, approve) -> None:  # type: ignore[no-untyped-def]
    ids = await _kommune(tmp_path)
    wave_id = await _wave("puls", "staff", approve)
    await _answer(
        wave_id, ids, {("a", None): {0: 2}, ("b", None): {0: 6}, ("c", None): {1: 7}, ("d", None): {2: 40}}
    )
    shown = await wave_participation("puls", today=TODAY)
    assert shown is not None
    hidden = {u.key for u in shown.units if u.hidden}
    assert hidden == {"a", "b"}  # a under k, b so that fb − c does not give a away
    assert set(_series(shown)) == {"rathaus", "fb", "c", "d"}  # none for a or b
    # nothing but zeros (the days before a unit's first answer) follows from what is shown
    assert {label: n for label, n in pinned(STAFF, seen_in_participation(shown)).items() if n} == {}
    # a wave whose total is under k shows neither days nor series
    other = await _wave("klein", "staff", approve)
    await _answer(other, ids, {("d", None): {0: 3}})
    small = await wave_participation("klein", today=TODAY)
    assert small is not None and small.total.hidden and small.days is None and small.series == []


async def test_citizens_ratings_per_service_point_and_week(db: str, tmp_path: Path, approve) -> None:  # type: ignore[no-untyped-def]
    ids = await _kommune(tmp_path)
    wave_id = await _wave("kontakt", "citizen", approve)
    # weeks 0, 1, 2 start on days 0, 7, 14
    await _answer(
        wave_id,
        ids,
        {
            ("b", "b-mitte"): {1: 8, 8: 2, 14: 6},
            ("b", "b-nord"): {2: 6, 9: 7},
            ("d", "d-info"): {0: 6, 7: 6, 14: 6},
            ("d", None): {10: 3},  # a rating at D without a service point (a unit link)
        },
    )
    shown = await wave_participation("kontakt", today=TODAY)
    assert shown is not None and shown.service_points is not None
    weeks = shown.service_points.weeks
    assert [w.first for w in weeks] == [OPENS, OPENS + dt.timedelta(days=7), OPENS + dt.timedelta(days=14)]
    assert (
        weeks[0].name == f"{OPENS.isocalendar()[0]}-W{OPENS.isocalendar()[1]:02d}" and weeks[-1].last == TODAY
    )
    assert [r.key for r in shown.service_points.points] == ["a-schalter", "b-mitte", "b-nord", "d-info"]
    # B's series shows 14 after week 0, 23 after week 1: 9 in week 1, 2 of them at Mitte (under
    # k). Nord's 7 would be 9 − 2 … so Nord's week 1 is hidden with it. D had 9 in week 1, 3 of
    # them outside its service point: Info's 6 is hidden too, else D − Info gives the 3 away.
    # A row with a hidden week shows no total (the total minus the shown weeks would be the rest).
    assert _cells(shown) == {
        "a-schalter": [0, 0, 0, 0],
        "b-mitte": [8, "below_k", 6, "secondary"],
        "b-nord": [6, "secondary", 0, "secondary"],
        "d-info": [6, "secondary", 6, "secondary"],
    }
    row = shown.service_points.points[1]
    assert (row.name, row.unit, row.unit_name) == ("Bürgerbüro Mitte", "b", "Team B")
    found = pinned(CITIZENS, seen_in_participation(shown))
    assert not [label for label in found if label.startswith(("week:", "point:", "unit:"))], found


async def test_a_count_kept_by_the_previous_release_is_counted_again(
    db: str, tmp_path: Path, approve
) -> None:  # type: ignore[no-untyped-def]
    """The count of the previous release kept sums per unit and per day only: read, it is counted
    again at once (the series need the places), and kept in today's form, sums beside."""
    ids = await _kommune(tmp_path)
    wave_id = await _wave("puls", "staff", approve)
    await _answer(wave_id, ids, {("d", None): {0: 9}})
    earlier = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    old = json.dumps({"units": {str(ids[0]["d"]): 7}, "days": {OPENS.isoformat(): 7}})
    await WaveParticipationRow.insert(
        WaveParticipationRow(wave=wave_id, counted_at=earlier, counts=old)
    ).run()
    now = dt.datetime.now(dt.UTC)
    shown = await wave_participation("puls", now=now, today=TODAY)
    assert shown is not None and shown.counted_at == now and shown.total.responses == 9
    row = await WaveParticipationRow.select().where(WaveParticipationRow.wave == wave_id).first().run()
    assert row is not None
    kept = json.loads(row["counts"])
    assert kept["units"] == {str(ids[0]["d"]): 9} and kept["days"] == {OPENS.isoformat(): 9}
    assert kept["cells"] == [[ids[0]["d"], None, OPENS.isoformat(), 9]]
    # and within the hour the kept count is read back, cells and all
    again = await wave_participation("puls", now=now + dt.timedelta(minutes=30), today=TODAY)
    assert again is not None and again.counted_at == now and _series(again) == _series(shown)


def test_the_audit_hides_what_each_line_alone_would_leave() -> None:
    """No database: the service points' weeks of Bürgerdienste (Mitte, Nord, Kfz, each a team
    with one service point). Nord had 3 in week 0: its series, and Kfz's beside it, are hidden
    until the end of week 1, so a reader knows Kfz's 10 over weeks 0 and 1 together, not its 5 at
    the end of week 0. Each line keeps its rule (Kfz's weeks up to week 0 hold a hidden one; the
    run of weeks 0 and 1 has its hidden part of 5, not under k), but together the shown week 1
    would give week 0 (10 − 5), and with it Nord's 3: the audit hides week 1 too."""

    def unit(i: int, key: str, parent: str | None) -> StoredUnit:
        return StoredUnit(
            i, key, key, "Team", parent, 10, f"/bd/{key}" if parent else "/bd", 1 if parent else 0, True
        )

    units = [unit(1, "bd", None), unit(2, "mitte", "bd"), unit(3, "nord", "bd"), unit(4, "kfz", "bd")]
    points = [
        StoredServicePoint(10 + i, p, p, u, True)
        for i, (p, u) in enumerate([("m", "mitte"), ("n", "nord"), ("z", "kfz")])
    ]
    ratings = {(u.key, None): [0, 0, 0] for u in units} | {
        ("mitte", "m"): [6, 7, 2],
        ("nord", "n"): [3, 6, 0],
        ("kfz", "z"): [5, 5, 0],
    }
    known = {"bd": [True] * 3, "mitte": [True] * 3, "nord": [False, True, True], "kfz": [False, True, True]}
    rows = point_weeks(Places(units, {"bd", "mitte", "nord", "kfz"}, ratings, known), points, 5)
    said = {
        r.point.key: [v.reason if isinstance(v, Hidden) else v for v in [*r.weeks, r.total]] for r in rows
    }
    assert said == {
        "m": [6, 7, "below_k", "secondary"],
        "n": ["below_k", "secondary", 0, "secondary"],
        "z": ["secondary", "secondary", 0, "secondary"],
    }
    # the audit itself: x + y known and y shown give x; with y hidden too they do not
    sums = {"x": frozenset({"x"}), "y": frozenset({"y"})}
    assert determined(["x", "y"], [frozenset({"x", "y"})], {"y": sums["y"]}, {"x": sums["x"]}) == {"x": ["y"]}
    assert determined(["x", "y"], [frozenset({"x", "y"})], {}, sums) == {}
    assert determined(["x", "y"], [frozenset({"x"})], {}, {"x": sums["x"]}) == {"x": []}  # fixed alone
