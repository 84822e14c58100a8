"""A department page computes suppression once: its comments use what its figures used (the same
data stamp, the same answer), and so do the other pages of the same data."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_figures import _small_kommune

from survey.domain.figures import HiddenFigure
from survey.services.comments import released_comments
from survey.services.figures import _suppression, suppressed_history, unit_figures, waves_with_figures
from survey.store import org as org_store


async def test_figures_and_comments_share_one_suppression(
    db: str, tmp_path: Path, approve, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    await _small_kommune(tmp_path, approve)
    calls = []
    original = _suppression.suppress_waves

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(_suppression, "suppress_waves", counted)
    figures = await unit_figures("c")
    comments = await released_comments(figures)
    # c fell from 6 to 3 respondents: hidden, and its comments with it
    assert isinstance(comments, HiddenFigure) and isinstance(figures.waves[-1].respondents, HiddenFigure)
    assert len(calls) == 1
    await unit_figures("fb")  # another page of the same data
    assert len(calls) == 1
    # and what is shared is what a fresh computation gives
    units = await org_store.list_units()
    parents = {u.key: u.parent for u in units}
    history = await waves_with_figures("staff-pulse")
    fresh = await _suppression._suppressed_history(history, units, parents)
    assert await suppressed_history(history, units, parents) == (
        fresh.subtree,
        fresh.hidden,
        fresh.hidden_text,
        fresh.hidden_count,
    )
