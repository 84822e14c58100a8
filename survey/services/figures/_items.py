"""A unit's items in the latest wave, from count tables: score, top-box share, distribution,
and the change since the previous wave (Brunner–Munzel with Cliff's δ)."""

from __future__ import annotations

from collections import defaultdict

from survey.domain import Item
from survey.domain.anonymity import Hidden
from survey.domain.figures import Change, HiddenFigure, ItemFigures, Score
from survey.services.figures._adjustment import Tests
from survey.services.figures._context import UnitContext
from survey.services.figures._mapping import scale_range, top_codes
from survey.services.figures._scores import r
from survey.services.figures._suppression import hidden_figure
from survey.stats import brunner_munzel_counts, cliffs_delta_counts, describe, wilson
from survey.store import counts as store

__all__ = ["PendingChange", "item_figures"]

_Tables = dict[tuple[int, str], dict[int, int]]
#: a change whose significance waits for the report's adjustment: (key, test index, figures)
PendingChange = tuple[str, int | None, dict]


async def _count_tables(ctx: UnitContext) -> _Tables:
    """Answers per code, per (wave, item), of the unit's series (its subtree in the tree each wave
    ran with) in the latest and previous wave."""
    counts: _Tables = defaultdict(dict)
    waves = [w.id for w in (ctx.latest, ctx.previous) if w]
    members = {w: ctx.view.members(ctx.unit.key, w) for w in waves}
    rows = await store.count_table(waves, units=frozenset().union(*members.values()))
    for wave, unit, item, value, n in rows:
        if value is not None and unit in members[wave]:
            counts[(wave, item)][value] = counts[(wave, item)].get(value, 0) + n
    return counts


def _change(
    ctx: UnitContext, item: str, before: dict[int, int], after: dict[int, int], tests: Tests
) -> tuple[HiddenFigure | None, PendingChange | None]:
    """The change since the previous wave, or why it is hidden: a group hidden on either side
    cannot be compared without giving that side away."""
    if ctx.previous is not None and ctx.view.scores(ctx.previous.id, ctx.unit.key):
        return hidden_figure(Hidden("other_side_hidden", ctx.latest.k)), None
    bm = brunner_munzel_counts(before, after)
    delta = cliffs_delta_counts(before, after)
    data = {
        "test": "Brunner–Munzel",
        "difference": round(bm.p_hat - 0.5, 4),
        "p": bm.p,
        "effect": round(delta.delta, 4),
        "effect_name": "Cliff's δ",
    }
    return None, (item, tests.add(bm.p), data)


def _hidden_item(item: Item, hidden: Hidden) -> ItemFigures:
    h = hidden_figure(hidden)
    return ItemFigures(item.id, item.text.get("de", ""), item.values, h, None, None, None, h, h)


def _shown_item(
    ctx: UnitContext, item: Item, counts: _Tables, tests: Tests
) -> tuple[ItemFigures, PendingChange | None]:
    latest, previous, newest = ctx.latest, ctx.previous, ctx.newest
    low, high = scale_range(newest, item.id)
    table = counts.get((latest.id, item.id), {})
    n = sum(table.values())
    d = describe(table, scale_min=low, scale_max=high) if n else None
    top = sum(c for code, c in table.items() if code in top_codes(newest, item.id))
    interval = wilson(top, n) if n else None
    text_hidden = ctx.view.texts(latest.id, ctx.unit.key)
    before = counts.get((previous.id, item.id), {}) if previous else {}
    change: Change | HiddenFigure | None = None
    pending = None
    if previous and before and table:
        change, pending = _change(ctx, item.id, before, table, tests)
    figures = ItemFigures(
        item.id,
        item.text.get("de", ""),
        item.values,
        Score(d.n, round(d.score.mean, 4), r(d.score.low), r(d.score.high))
        if d and d.score.mean is not None
        else None,
        round(top / n, 4) if n else None,
        r(interval.low) if interval else None,
        r(interval.high) if interval else None,
        # every answer code of the scale, lowest first, those nobody chose with 0: a whole distribution
        hidden_figure(text_hidden)
        if text_hidden
        else {str(code): table.get(code, 0) for code in newest.scale_of(newest.item(item.id)).codes},
        change,
    )
    return figures, pending


async def item_figures(ctx: UnitContext, tests: Tests) -> tuple[list[ItemFigures], list[PendingChange]]:
    """Every scored item of the newest version; the changes wait for the report's adjustment."""
    counts = await _count_tables(ctx)
    latest_hidden = ctx.view.scores(ctx.latest.id, ctx.unit.key)
    out, pending = [], []
    for item in ctx.newest.items:
        if ctx.newest.scale_of(item).is_text:
            continue
        if latest_hidden:
            out.append(_hidden_item(item, latest_hidden))
            continue
        figures, change = _shown_item(ctx, item, counts, tests)
        out.append(figures)
        if change is not None:
            pending.append(change)
    return out, pending
