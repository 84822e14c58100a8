"""The demo's comments (survey.services.demo_comments), read only from the demo Kommune: the themes
the generator planted are the top themes of their units, stock phrases are merged with counts,
and the personal data some comments carried was redacted before storage; on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.domain.comments import CommentSummary
from survey.services.comments import comment_summary
from survey.services.demo_comments import PERSONAL, PLANTED_CITIZEN, PLANTED_STAFF
from survey.services.demo_reorganisation import SUCCESSOR
from survey.services.figures import unit_figures
from survey.store import org as org_store
from survey.store.tables import Comment


async def _summary(unit: str, questionnaire: str) -> CommentSummary:
    summary = await comment_summary(await unit_figures(unit, questionnaire), "de")
    assert isinstance(summary, CommentSummary), f"{unit}: comments hidden ({summary})"
    assert summary.themed, "the demo installs its codebook"
    return summary


@pytest.mark.parametrize("unit", sorted(PLANTED_STAFF))
async def test_planted_staff_themes_are_the_units_top_themes(
    db: str, demo_kommune: dt.date, unit: str
) -> None:
    # a team merged in the demo's reorganisation: its successor carries on its theme
    summary = await _summary(SUCCESSOR.get(unit, unit), "staff-pulse")
    top = summary.top(3)
    assert top[0][1].key == PLANTED_STAFF[unit], [(t.key, t.count) for _, t in top]
    assert len(top) == 1 or top[0][1].count > top[1][1].count  # ahead, not tied


async def test_planted_citizen_themes_are_the_top_themes_of_their_units(
    db: str, demo_kommune: dt.date
) -> None:
    points = {p.key: p.unit for p in await org_store.list_service_points()}
    for point, theme in PLANTED_CITIZEN.items():
        summary = await _summary(points[point], "citizen-contact")
        assert summary.top(1)[0][1].key == theme, (point, [(t.key, t.count) for _, t in summary.top(3)])
        assert summary.other_languages, "citizens also write in other languages, listed apart"


async def test_duplicates_are_merged_with_counts(db: str, demo_kommune: dt.date) -> None:
    summary = await _summary("verwaltung", "staff-pulse")
    counts = {c.text: c.count for c in summary.unassigned}
    # "Weiter so!" and "Weiter so" are near-identical: one entry, counted with both
    weiter = [text for text in counts if text in ("Weiter so!", "Weiter so")]
    danke = [text for text in counts if text in ("Danke für die Umfrage!", "Danke für die Umfrage.")]
    assert len(weiter) == 1 and counts[weiter[0]] > 1, counts
    assert len(danke) == 1 and counts[danke[0]] > 1, counts


async def test_no_planted_personal_data_is_stored(db: str, demo_kommune: dt.date) -> None:
    texts = "\n".join(r["text"] for r in await Comment.select(Comment.text).run())
    for personal in (
        "Schneider aus der Zentrale",
        "Yılmaz",
        "4187723",
        "k.hoffmann@",
        "0815/26",
        "DE89 3704",
    ):
        assert personal not in texts, personal
    assert "[Name]" in texts and "[E-Mail]" in texts and "[Telefonnummer]" in texts
    assert len(PERSONAL) == 6  # every kind above is planted
