"""An open wave's participation: counted at most hourly into the database, shown under the
anonymity rules, never more than counts. On SQLite and PostgreSQL.

The Kommune: Rathaus > Fachbereich `fb` > Teams `a`, `b`, `c`, and Fachbereich `d` beside it.
Grouping units have no staff of their own (the organisation file says so), so an attacker who
reads the file knows that a parent's number is the sum of its children's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from survey.domain.figures import HiddenFigure
from survey.services.org import import_org
from survey.services.participation import COUNT_EVERY, Participation, wave_participation
from survey.services.waves import close_wave, create_wave, open_wave, wave_title
from survey.store.bulk import ResponseBatch, bulk_insert_responses
from survey.store.tables import OrgUnitRow, WaveParticipationRow

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
"""
CHILDREN = {"rathaus": ["fb", "d"], "fb": ["a", "b", "c"]}
#: staff in the unit itself, outside any child (what the organisation file tells everyone)
OWN_STAFF = {"rathaus": 0, "fb": 0, "a": 8, "b": 10, "c": 7, "d": 60}


async def _kommune(tmp_path: Path) -> dict[str, int]:
    org = tmp_path / "org.yaml"
    org.write_text(ORG, encoding="utf-8")
    await import_org(org)
    return {r["key"]: r["id"] for r in await OrgUnitRow.select(OrgUnitRow.key, OrgUnitRow.id).run()}


async def _answer(wave_id: int, units: dict[str, int], sizes: dict[str, int], day: dt.date) -> None:
    batch = ResponseBatch()
    for team, people in sizes.items():
        for _ in range(people):
            rid = uuid.uuid4()
            batch.responses.append((rid, units[team], None, "de", day))
            batch.answers.append((rid, units[team], "eine-anlaufstelle", 4))
    await bulk_insert_responses(wave_id, [batch])


def _shown(p: Participation) -> dict[str, int | None]:
    """What a reader sees per unit: the number, or None where it is hidden."""
    return {u.key: None if u.hidden else u.responses for u in p.units}  # type: ignore[misc]


def _worked_out(shown: dict[str, int | None], k: int) -> dict[str, int]:
    """Every hidden unit an attacker can work out from the shown numbers and the organisation
    file: a parent without staff of its own is the sum of its children, so one hidden child is
    the parent minus the others (repeated while it finds more)."""
    known = {u: n for u, n in shown.items() if n is not None}
    found: dict[str, int] = {}
    changed = True
    while changed:
        changed = False
        for parent, kids in CHILDREN.items():
            unknown = [c for c in kids if c not in known]
            if parent in known and OWN_STAFF[parent] == 0 and len(unknown) == 1:
                value = known[parent] - sum(known[c] for c in kids if c in known)
                known[unknown[0]] = found[unknown[0]] = value
                changed = True
            if parent not in known and not unknown and OWN_STAFF[parent] == 0:
                known[parent] = found[parent] = sum(known[c] for c in kids)
                changed = True
    return {u: n for u, n in found.items() if 0 < n < k}


async def test_participation_is_counted_hourly_and_hides_what_would_give_someone_away(
    db: str, tmp_path: Path, approve
) -> None:  # type: ignore[no-untyped-def]
    units = await _kommune(tmp_path)
    today = dt.date.today()
    opens = today - dt.timedelta(days=2)
    wave = await create_wave(
        key="puls",
        questionnaires=QUESTIONNAIRES,
        questionnaire="staff-pulse",
        version=2,
        units=["rathaus"],
        opens_on=opens,
        closes_on=today + dt.timedelta(days=10),
    )
    assert await wave_participation("puls") is None  # a draft has no answers to count
    # its title in each language of the version; any other language falls back to German
    assert await wave_title(wave, "en") == f"Staff pulse: how do we live our mission statement? {opens:%m/%Y}"
    assert (
        await wave_title(wave, "tr") == f"Çalışan nabzı: Kurumsal ilkelerimizi nasıl yaşıyoruz? {opens:%m/%Y}"
    )
    assert (await wave_title(wave, "de-x-ls")).startswith("Fragen an alle Mitarbeiter")
    assert await wave_title(wave, "fr") == await wave_title(wave, "de-at") == wave.title
    assert wave.title.startswith("Mitarbeitenden-Puls")
    await approve("puls", QUESTIONNAIRES)
    await open_wave("puls", opens, QUESTIONNAIRES)
    # Team A: 2 people (under k = 5); the others enough. fb − c would give A + B away if B were shown.
    await _answer(wave.id, units, {"a": 2, "b": 6}, opens)
    await _answer(wave.id, units, {"c": 7, "d": 40}, opens + dt.timedelta(days=1))
    now = dt.datetime.now(dt.UTC)

    first = await wave_participation("puls", now=now, today=today)
    assert first is not None and first.counted_at == now
    by_key = {u.key: u for u in first.units}
    assert [u.key for u in first.units] == ["rathaus", "d", "fb", "a", "b", "c"]  # tree order
    assert [u.depth for u in first.units] == [0, 1, 1, 2, 2, 2]
    assert _shown(first) == {"rathaus": 55, "fb": 15, "a": None, "b": None, "c": 7, "d": 40}
    assert by_key["a"].responses == HiddenFigure(True, "below_k", "fewer than 5 respondents")
    assert isinstance(by_key["b"].responses, HiddenFigure) and by_key["b"].responses.reason == "secondary"
    # a hidden number hides its rate too; the shown ones divide by the staff of the wave's units
    assert isinstance(by_key["a"].rate, HiddenFigure) and isinstance(by_key["b"].rate, HiddenFigure)
    assert (by_key["c"].headcount, by_key["c"].rate) == (7, 1.0)
    assert (by_key["fb"].headcount, by_key["d"].rate) == (25, round(40 / 60, 4))
    assert (first.total.responses, first.total.headcount) == (55, 85)
    # the days add up to the total, and say nothing per unit
    assert first.days == [(opens, 8), (opens + dt.timedelta(days=1), 47), (today, 0)]
    assert sum(n for _, n in first.days or []) == first.total.responses
    assert _worked_out(_shown(first), 5) == {}

    # Counted once an hour, for every worker: the count is kept in the database and read back
    # until it is an hour old, so new answers show only then.
    assert await WaveParticipationRow.count().run() == 1
    await _answer(wave.id, units, {"a": 4}, today)
    later = await wave_participation("puls", now=now + dt.timedelta(minutes=59), today=today)
    assert later is not None and later.counted_at == first.counted_at and _shown(later) == _shown(first)
    recount = await wave_participation("puls", now=now + COUNT_EVERY, today=today)
    assert recount is not None and recount.counted_at == now + COUNT_EVERY
    assert await WaveParticipationRow.count().run() == 1  # replaced, not added
    # Team A has 6 now: every team is shown, and the parent is exactly their sum.
    assert _shown(recount) == {"rathaus": 59, "fb": 19, "a": 6, "b": 6, "c": 7, "d": 40}
    assert recount.days is not None and recount.days[-1] == (today, 4)

    # A closed wave shows its results, not its participation.
    await close_wave("puls")
    assert await wave_participation("puls") is None


async def test_no_shown_number_works_out_a_small_group(db: str, tmp_path: Path, approve) -> None:  # type: ignore[no-untyped-def]
    """The attack over many participations: for every split of a few respondents over the teams,
    nothing shown (parents, children, the total, the days) works out a group of 1 to k − 1."""
    units = await _kommune(tmp_path)
    today = dt.date.today()
    cases = [
        {"a": 1, "b": 0, "c": 9, "d": 3},
        {"a": 4, "b": 5, "c": 5, "d": 0},
        {"a": 0, "b": 3, "c": 0, "d": 12},
        {"a": 5, "b": 5, "c": 1, "d": 5},
        {"a": 2, "b": 2, "c": 2, "d": 2},
    ]
    for number, sizes in enumerate(cases):
        key = f"runde-{number}"
        wave = await create_wave(
            key=key,
            questionnaires=QUESTIONNAIRES,
            questionnaire="staff-pulse",
            version=2,
            units=["rathaus"],
            opens_on=today,
            closes_on=today + dt.timedelta(days=10),
        )
        await approve(key, QUESTIONNAIRES)
        await open_wave(key, today, QUESTIONNAIRES)
        await _answer(wave.id, units, {t: n for t, n in sizes.items() if n}, today)
        shown = await wave_participation(key, today=today)
        assert shown is not None
        seen = _shown(shown)
        assert _worked_out(seen, 5) == {}, (sizes, seen)
        total = sum(sizes.values())
        if shown.total.hidden:
            assert shown.days is None and 0 < total < 5, sizes  # no day tells the hidden total
        else:
            assert shown.total.responses == total and shown.days == [(today, total)]
        for unit in shown.units:
            assert unit.hidden == (unit.rate is not None and isinstance(unit.rate, HiddenFigure)), unit
