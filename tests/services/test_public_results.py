"""What the pages without sign-in are built from (issue 19, points 4 and 5): the service points'
suppression (survey.domain.service_points, no database), their figures, the feedback links, the
page models and the Open Data rows (survey.services.public_results), on SQLite and PostgreSQL.

The Kommune is tests/public_kommune.py: two service points of one unit, of which one is under k
in the later waves, and a unit with one service point whose figures are the unit's own.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from public_kommune import CITIZEN_WAVES, KLEINSTADT, PLANTED
from snapshots import Snapshots

from survey.domain.anonymity import Hidden
from survey.domain.figures import HiddenFigure, Score
from survey.domain.service_points import PointGroups, suppress_service_points

# --- the rule, without a database --------------------------------------------------------------


def _one(points: dict[str, int], rest: int = 0, k: int = 5, **kw: Any) -> dict[str, str]:
    hidden = suppress_service_points([PointGroups(points, rest, k, **kw)])[0]
    return {p: h.reason for p, h in hidden.items()}


def test_points_of_k_and_more_with_nothing_else_are_shown() -> None:
    assert _one({"a": 8, "b": 6}) == {}
    assert _one({"a": 8, "b": 0}) == {}  # nobody at b: nothing to hide, nothing to learn


def test_a_small_sibling_hides_the_other_too() -> None:
    # b alone would be the unit minus a: both go
    assert _one({"a": 9, "b": 3}) == {"a": "secondary", "b": "below_k"}


def test_a_small_rest_of_the_unit_hides_the_point() -> None:
    # 2 answers without a service point (or in a sub-unit the dashboard hides): unit − a = 2
    assert _one({"a": 8}, rest=2) == {"a": "secondary"}
    assert _one({"a": 8}, rest=5) == {}


def test_only_as_many_siblings_as_needed_are_hidden() -> None:
    hidden = _one({"a": 5, "b": 6, "c": 2})
    assert hidden["c"] == "below_k" and list(hidden.values()).count("secondary") == 1
    assert 2 + sum(n for p, n in {"a": 5, "b": 6}.items() if p in hidden) >= 5


def test_a_hidden_unit_hides_every_point_of_it() -> None:
    unit_hidden = Hidden("secondary", 5)
    assert _one({"a": 9, "b": 2}, unit_hidden=unit_hidden) == {"a": "secondary", "b": "below_k"}


def test_an_open_wave_shows_no_point() -> None:
    assert _one({"a": 40, "b": 0}, open=True) == {"a": "wave_open"}


def test_a_few_more_people_than_when_last_shown_hide_the_point() -> None:
    rounds = [PointGroups({"a": 6, "b": 20}, 0, 5), PointGroups({"a": 8, "b": 20}, 0, 5)]
    first, second = suppress_service_points(rounds)
    assert first == {}
    # a grew by 2 (under k): hidden, and b with it, or unit − b would be a again
    assert second["a"].reason == "few_changed" and second["b"].reason == "secondary"


@settings(max_examples=300, deadline=None)
@given(
    points=st.dictionaries(st.sampled_from("abcde"), st.integers(0, 30), min_size=1),
    rest=st.integers(0, 12),
    k=st.integers(3, 8),
)
def test_nothing_shown_gives_a_small_group_back(points: dict[str, int], rest: int, k: int) -> None:
    """Whatever the counts: every shown point has k or more, and where any is shown, what the
    shown points leave of the unit (its rest and hidden points) is 0 or at least k."""
    hidden = suppress_service_points([PointGroups(points, rest, k)])[0]
    shown = {p: n for p, n in points.items() if n > 0 and p not in hidden}
    assert all(n >= k for n in shown.values())
    left = rest + sum(n for p, n in points.items() if p in hidden)
    assert not shown or left == 0 or left >= k  # nothing shown: nothing to take away from


# --- figures, pages and links, on both engines -------------------------------------------------


@pytest.fixture
async def kleinstadt(kleinstadt_public: dict[str, Any]) -> dict[str, Any]:
    return kleinstadt_public


@pytest.fixture
async def kleinstadt_public(db: str, database_engine: str, snapshots: Snapshots) -> dict[str, Any]:
    """`db` holds the Kommune of tests/public_kommune.py with its measures; its ids."""
    return await snapshots.facts(database_engine, KLEINSTADT)


def _reasons(figures: Any) -> list[str | int]:
    return [
        w.respondents.reason if isinstance(w.respondents, HiddenFigure) else w.respondents
        for w in figures.waves
    ]


async def test_service_point_figures_hide_what_a_difference_would_reveal(kleinstadt: dict[str, Any]) -> None:
    from survey.services.figures import service_point_figures, unit_figures

    every = {f.service_point: f for f in await service_point_figures("citizen-contact")}
    assert set(every) == {"mitte", "nord", "schalter"}
    mitte, nord, schalter = every["mitte"], every["nord"], every["schalter"]
    assert [w.wave for w in mitte.waves] == list(CITIZEN_WAVES)
    # c1: both shown; c2: nord under k, so mitte too; c3: the same (and mitte changed by 4)
    assert _reasons(nord) == [6, "below_k", "below_k"]
    assert _reasons(mitte)[0] == 8 and all(r in ("secondary", "few_changed") for r in _reasons(mitte)[1:])
    value = next(v for v in mitte.values if v.value == "kundenorientiert")
    assert isinstance(value.series[0].score, Score) and value.series[0].score.mean == 100.0
    assert all(isinstance(p.score, HiddenFigure) for p in value.series[1:])
    assert isinstance(value.change, HiddenFigure)
    # buerger itself is shown on the dashboard: with mitte beside it, nord would be the difference
    buerger = await unit_figures("buerger", "citizen-contact")
    assert [w.respondents for w in buerger.waves] == [14, 12, 14]
    assert not mitte.sole and not nord.sole
    # schalter is all of amt: its figures are amt's, hidden where amt's are
    assert schalter.sole
    amt = await unit_figures("amt", "citizen-contact")
    assert _reasons(schalter) == [w.respondents for w in amt.waves] == [7, 7, 7]
    for own, unit in zip(schalter.values, amt.values, strict=True):
        assert own.latest == unit.latest


async def test_public_pages_show_rounded_ratings_and_hidden_ones_with_their_reason(
    kleinstadt: dict[str, Any],
) -> None:
    from survey.services.figures import unit_figures
    from survey.services.public_results import public_page

    kommune = await public_page(None, "de")
    assert kommune is not None and kommune.ratings is not None
    assert kommune.kommune == "Kleinstadt" and kommune.point is None
    assert kommune.ratings.wave == "c3" and kommune.ratings.respondents == 21
    assert [p.key for p in kommune.points] == ["mitte", "nord", "schalter"]
    root = await unit_figures("rathaus", "citizen-contact")
    shown = {v.value: v for v in kommune.ratings.values if v.asked}
    for value in root.values:
        if value.value in shown:
            assert isinstance(value.latest, Score)
            assert shown[value.value].score == int(value.latest.mean + 0.5)
    assert all(isinstance(v.score, int) for v in shown.values())
    mitte = await public_page("mitte", "en")
    assert mitte is not None and mitte.ratings is not None
    assert mitte.ratings.respondents is None and mitte.ratings.respondents_hidden is not None
    assert all(v.score is None and v.hidden is not None for v in mitte.ratings.values if v.asked)
    schalter = await public_page("schalter", "ar")
    assert schalter is not None and schalter.ratings is not None
    assert schalter.ratings.respondents == 7
    assert {v.score for v in schalter.ratings.values if v.asked} == {50}
    names = {v.value: v.name for v in schalter.ratings.values}
    assert names["kundenorientiert"] == "المواطنون في صميم عملنا"
    assert await public_page("gibt-es-nicht", "de") is None


async def test_public_pages_show_only_public_measures(kleinstadt: dict[str, Any]) -> None:
    from survey.services.public_results import feedback_page, public_page, renew_feedback_link

    mitte = await public_page("mitte", "de")
    assert mitte is not None and [m.title for m in mitte.measures] == ["Maßnahme public"]
    assert all(not m.effects for m in mitte.measures)  # no effect checks on public pages
    schalter = await public_page("schalter", "de")
    assert schalter is not None and [m.title for m in schalter.measures] == ["Maßnahme amt"]
    kommune = await public_page(None, "de")
    assert kommune is not None and {m.title for m in kommune.measures} == {"Maßnahme public", "Maßnahme amt"}
    # the staff of buerger see every measure of their unit, with its effect check per value
    page = await feedback_page(await renew_feedback_link("buerger", by="buero"), "de")
    assert page is not None
    assert {m.title for m in page.measures} == {"Maßnahme public", "Maßnahme internal"}
    assert all(len(m.effects) == 1 and m.effects[0].value == "kundenorientiert" for m in page.measures)


async def test_a_feedback_link_opens_its_unit_until_it_is_renewed(kleinstadt: dict[str, Any]) -> None:
    from survey.services.audit import audit_log
    from survey.services.public_results import (
        NoSuchUnit,
        feedback_links,
        feedback_page,
        feedback_token_of,
        feedback_unit,
        renew_feedback_link,
    )

    assert all(row.token is None for row in await feedback_links())
    first = await renew_feedback_link("jobs", by="buero")
    assert len(first) == 24 and await feedback_unit(first) == "jobs"
    assert await feedback_token_of(kleinstadt["units"]["jobs"]) == first
    second = await renew_feedback_link("jobs", by="buero")
    assert second != first
    assert await feedback_unit(first) is None and await feedback_unit(second) == "jobs"
    assert await feedback_page(first, "de") is None
    rows = {row.unit: row for row in await feedback_links()}
    assert rows["jobs"].token == second and rows["jobs"].created_by == "buero" and rows["amt"].token is None
    entries = [e for e in await audit_log(action="access.feedback_link")]
    assert [(e.username, e.target, e.detail) for e in entries][-2:] in (
        [("buero", "jobs", "first feedback link"), ("buero", "jobs", "feedback link renewed")],
        [("buero", "jobs", "feedback link renewed"), ("buero", "jobs", "first feedback link")],
    )
    with pytest.raises(NoSuchUnit):
        await renew_feedback_link("gibt-es-nicht", by="buero")
    assert await feedback_unit("") is None and await feedback_unit("x" * 200) is None


async def test_the_feedback_page_shows_the_latest_closed_staff_wave_at_k(kleinstadt: dict[str, Any]) -> None:
    from survey.services.public_results import feedback_page, renew_feedback_link

    jobs = await feedback_page(await renew_feedback_link("jobs", by="buero"), "en")
    assert jobs is not None and jobs.ratings is not None
    assert jobs.unit_name == "Fachbereich Jobcenter" and jobs.ratings.wave == "s1"
    assert jobs.ratings.respondents == 8
    together = next(v for v in jobs.ratings.values if v.value == "gemeinsam")
    assert together.score == 25 and together.name == "Together for Lindenau"  # answers of 2 on 1 … 5
    assert together.change == "none"  # the first wave: nothing to compare
    amt = await feedback_page(await renew_feedback_link("amt", by="buero"), "de")
    assert amt is not None and amt.ratings is not None
    assert amt.ratings.respondents is None and amt.ratings.respondents_hidden is not None
    assert amt.ratings.respondents_hidden.reason == "below_k"
    assert all(v.score is None for v in amt.ratings.values)
    assert "de" in amt.languages and "ar" in amt.languages


async def test_open_data_rows_are_the_pages(kleinstadt: dict[str, Any]) -> None:
    from survey.services.public_results import COLUMNS, open_data_rows, public_page

    rows = await open_data_rows()
    assert all(list(row) == list(COLUMNS) for row in rows)
    by_page: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        by_page.setdefault(row["service_point"], []).append(row)
    assert set(by_page) == {None, "mitte", "nord", "schalter"}
    for key, page_rows in by_page.items():
        page = await public_page(key, "de")
        assert page is not None and page.ratings is not None
        asked = [v for v in page.ratings.values if v.asked]
        assert [r["value"] for r in page_rows] == [v.value for v in asked]
        assert [r["score"] for r in page_rows] == [v.score for v in asked]
        assert {r["respondents"] for r in page_rows} == {page.ratings.respondents}
    for row in by_page["mitte"] + by_page["nord"]:
        assert row["score"] is None and row["respondents"] is None
        assert row["score_hidden"] and row["respondents_hidden"] and row["change"] is None
    assert all(PLANTED not in str(value) for row in rows for value in row.values())
