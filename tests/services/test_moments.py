"""Large groups (a parent unit, the organisation, the overview's rows) are summed in the database
(survey.store.counts.value_moments) instead of fetching a row per person: the sums must give the
same scores, intervals and Welch tests as the per-person scores they replace."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from pathlib import Path

import pytest

from survey.services import figures
from survey.services.demo import DemoOptions, build_demo
from survey.services.figures import _scores as scores_of
from survey.services.figures import unit_figures
from survey.services.figures._mapping import moments_by_members
from survey.stats import mean_variance
from survey.store import counts
from survey.store import org as org_store
from survey.store import waves as wave_store

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
TODAY = dt.date(2026, 11, 21)


async def test_sums_in_the_database_equal_the_per_person_scores(db: str) -> None:
    await build_demo(QUESTIONNAIRES, DemoOptions(staff=600, waves=2, citizen_ratings=0, today=TODAY))
    waves = [w for w in await wave_store.list_waves() if w.questionnaire == "staff-pulse"]
    wave_ids = [w.id for w in waves]
    units = await org_store.list_units()
    path_of = {u.id: u.path for u in units}
    kjfs = next(u for u in units if u.key == "kjfs")
    mapping = [(w, "fachbereiche-ziehen-mit", "gemeinsam", 1, 5, False) for w in wave_ids]
    mapping += [(w, "wissen-geteilt", "gemeinsam", 1, 5, False) for w in wave_ids]
    mapping += [(w, "zutrauen-fuehrung", "vertrauen", 1, 5, True) for w in wave_ids]

    persons: dict[tuple[int, str, str], list[float]] = defaultdict(list)
    for _, wave, unit, value, score in await counts.value_scores(wave_ids, mapping):
        for name, prefix in (("organisation", "/"), ("kjfs", kjfs.path)):
            if path_of[unit].startswith(prefix):
                persons[(wave, name, value)].append(score)
    rows = await counts.value_moments(wave_ids, mapping)
    groups = {
        name: {w: frozenset(u for u, path in path_of.items() if path.startswith(prefix)) for w in wave_ids}
        for name, prefix in (("organisation", "/"), ("kjfs", kjfs.path))
    }
    sums = moments_by_members(rows, groups)
    assert set(sums) == set(persons) and len(sums) == 2 * 2 * 2
    for key, scores in persons.items():
        n, total, squares = sums[key]
        assert n == len(scores) and total == pytest.approx(math.fsum(scores), rel=1e-12)
        assert squares == pytest.approx(math.fsum(s * s for s in scores), rel=1e-12)
        assert scores_of.score_of_moments(sums[key]) == scores_of.score(scores)
    before, after = (sums[(w.id, "kjfs", "gemeinsam")] for w in waves)
    by_moments = scores_of.value_change_of_moments(before, after)
    by_persons = scores_of.value_change(
        persons[(waves[0].id, "kjfs", "gemeinsam")], persons[(waves[1].id, "kjfs", "gemeinsam")]
    )
    assert by_moments["difference"] == by_persons["difference"]
    assert by_moments["effect"] == by_persons["effect"]
    assert by_moments["p"] == pytest.approx(by_persons["p"], rel=1e-9)

    # A unit's report takes its parent's and the organisation's scores from the sums; they equal
    # the parent's and the root's own latest scores, which come from the per-person scores.
    jugendamt, kjfs_report, root = [await unit_figures(key) for key in ("jugendamt", "kjfs", "verwaltung")]
    for value in jugendamt.values:
        parent = next(v for v in kjfs_report.values if v.value == value.value)
        organisation = next(v for v in root.values if v.value == value.value)
        assert value.parent == parent.latest and value.organisation == organisation.latest, value.value
        assert isinstance(value.organisation, figures.Score) and value.organisation.n > 100


def test_a_group_without_spread_up_to_rounding_has_none() -> None:
    # 0.1 three times: the sums leave a variance of about 1e-18, which must count as none.
    moments = (3, 0.1 + 0.1 + 0.1, 3 * 0.1 * 0.1)
    assert mean_variance(*moments)[1] == 0.0
    score = scores_of.score_of_moments(moments)
    assert score is not None and score.low == score.high == pytest.approx(0.1)
    assert scores_of.score_of_moments((0, 0.0, 0.0)) is None
    single = scores_of.score_of_moments((1, 42.0, 42.0 * 42.0))
    assert single is not None and (single.n, single.mean, single.low, single.high) == (1, 42.0, None, None)
