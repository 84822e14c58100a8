"""Figures of one unit across waves: what a department lead reads, with anonymity applied first."""

from __future__ import annotations

import itertools
from collections import defaultdict

import msgspec

from survey.domain.figures import (
    ChildScores,
    ItemFigures,
    Reorganisation,
    Reorganised,
    UnitFigures,
    WaveSummary,
)
from survey.services.figures._adjustment import Tests
from survey.services.figures._cache import cached, organisation_moments
from survey.services.figures._context import UnitContext, unit_context
from survey.services.figures._images import Images, self_and_external
from survey.services.figures._items import PendingChange, item_figures
from survey.services.figures._mapping import Groups, Mapping, moments_by_members, value_mapping
from survey.services.figures._participation import unit_participation, wave_summaries
from survey.services.figures._reliability import reliability_by_wave
from survey.services.figures._scores import Moments, score
from survey.services.figures._suppression import hidden_figure
from survey.services.figures._unit_values import PersonScores, ValueInputs, value_figures
from survey.store import counts as store
from survey.store import org as org_store

__all__ = ["unit_figures"]


async def unit_figures(
    unit_key: str, questionnaire: str = "staff-pulse", last: int | None = None, *, until: str | None = None
) -> UnitFigures:
    """The unit's figures across the closed waves of `questionnaire`; with `until` (a closed wave's
    key), as they stood in that wave: the waves after it are left out, so its items are the latest
    ones. A wave still open shows only its participation (`open_waves`), never its answers;
    `NoClosedWave` where none has closed yet.

    The closed waves' figures are kept (a new answer in an open wave does not compute them
    again); the open waves' participation is counted afresh."""
    key = (unit_key, questionnaire, last, until)
    return await cached(("unit", *key), lambda: _with_participation(*key))


async def _with_participation(
    unit_key: str, questionnaire: str, last: int | None, until: str | None
) -> UnitFigures:
    closed = await cached(
        ("unit_closed", unit_key, questionnaire, last, until),
        lambda: _unit_figures(unit_key, questionnaire, last, until),
        kept=True,
        closed_waves=True,
    )
    return msgspec.structs.replace(closed, open_waves=await unit_participation(unit_key, questionnaire))


def _groups(ctx: UnitContext, keys: dict[str, str], waves: list[int]) -> Groups:
    """Named groups of units (name → unit key) as their series have them in each wave."""
    return {name: {w: ctx.view.members(key, w) for w in waves} for name, key in keys.items()}


async def _person_scores(ctx: UnitContext, mapping: Mapping) -> PersonScores:
    """Value scores per person (one grouped query), for the unit and each of its children, each
    over its series (its subtree in the tree each wave ran with)."""
    scores: PersonScores = defaultdict(lambda: defaultdict(list))
    waves = [w.id for w in ctx.waves]
    groups = _groups(ctx, {"unit": ctx.unit.key, **{f"child:{kid.key}": kid.key for kid in ctx.kids}}, waves)
    scope = frozenset().union(*(members for per in groups.values() for members in per.values()))
    rows = await store.value_scores(waves, mapping, units=scope)
    for _, wave_id, unit_id, value, value_score in rows:
        for name, per in groups.items():
            if unit_id in per[wave_id]:
                scores[(wave_id, value)][name].append(value_score)
    return scores


async def _references(ctx: UnitContext, mapping: Mapping) -> dict[tuple[int, str, str], Moments]:
    """The parent and the organisation in the latest wave: sums per unit from the database,
    shared by every report of the same data."""
    latest_id = ctx.latest.id
    rows = await organisation_moments([latest_id], [m for m in mapping if m[0] == latest_id])
    keys = {"organisation": ctx.root.key, **({"parent": ctx.parent.key} if ctx.parent else {})}
    return moments_by_members(rows, _groups(ctx, keys, [latest_id]))


async def _images(ctx: UnitContext) -> Images:
    images = await self_and_external(
        ctx.unit,
        ctx.units,
        ctx.parents,
        ctx.latest,
        ctx.newest,
        list(ctx.value_names),
        ctx.view.members(ctx.unit.key, ctx.latest.id),
    )
    latest_hidden = ctx.view.scores(ctx.latest.id, ctx.unit.key)
    if latest_hidden:  # the staff side is the unit's own people
        return {v: (hidden_figure(latest_hidden), ext, items) for v, (_, ext, items) in images.items()}
    return images


def _children(ctx: UnitContext) -> list[dict[str, object]]:
    children: list[dict[str, object]] = []
    for child in ctx.kids:
        n = ctx.view.respondents(ctx.latest.id, child.key)
        h = ctx.view.counts(ctx.latest.id, child.key)
        children.append(
            {
                "unit": child.key,
                "name": child.name,
                "respondents": msgspec.to_builtins(hidden_figure(h)) if h else n,
            }
        )
    return children


def _child_scores(ctx: UnitContext, inputs: ValueInputs) -> list[ChildScores]:
    """Each child's value scores in the latest wave (the heatmap), with its own suppression."""
    latest = ctx.latest
    out = []
    for kid in ctx.kids:
        h = ctx.view.scores(latest.id, kid.key)
        scores = {
            value: None
            if (latest.id, value) in inputs.not_asked
            else hidden_figure(h)
            if h
            else score(inputs.scores[(latest.id, value)][f"child:{kid.key}"])
            for value in ctx.value_names
        }
        out.append(ChildScores(kid.key, kid.name, scores))
    return out


def _final_items(items: list[ItemFigures], pending: list[PendingChange], tests: Tests) -> list[ItemFigures]:
    changes = {item: tests.change(index, data) for item, index, data in pending}
    return [msgspec.structs.replace(i, change=changes.get(i.item, i.change)) for i in items]


async def _lineage(
    ctx: UnitContext, waves: list[WaveSummary]
) -> tuple[list[WaveSummary], list[Reorganisation]]:
    """The waves before a reorganisation say whose value they show; the changes within the waves
    shown, for the charts' lines (names of retired units as they were last called)."""
    series = ctx.view.series.get(ctx.unit.key)
    if series is None or not (series.stand_ins or series.markers):
        return waves, []
    names = {u.id: u.name for u in await org_store.list_units(include_retired=True)}
    ids = {w.key: w.id for w in ctx.waves}
    marked = [
        msgspec.structs.replace(
            summary,
            reorganised=Reorganised(
                series.relation[ids[summary.wave]],
                [names.get(i, "") for i in series.stand_ins[ids[summary.wave]]],
            ),
        )
        if ids.get(summary.wave) in series.stand_ins
        else summary
        for summary in waves
    ]
    versions = ctx.view.versions

    def first_after(version: int) -> str | None:
        """The first wave shown that ran with `version` or a later one (a running wave: the current)."""
        ran = [(w.key, versions.get(w.id)) for w in ctx.waves]
        return next((key for key, v in ran if v is None or v >= version), None)

    changes = [
        Reorganisation(
            m.valid_from,
            m.kind,
            [then or names.get(i, "") for i, then in itertools.zip_longest(m.before, m.names, fillvalue="")],
            first_after(m.version),
        )
        for m in series.markers
        if m.kind != "new" and first_after(m.version) != ctx.waves[0].key
    ]
    return marked, changes


async def _unit_figures(
    unit_key: str, questionnaire: str, last: int | None, until: str | None
) -> UnitFigures:
    ctx = await unit_context(unit_key, questionnaire, last, until)
    mapping, breaks, not_asked = value_mapping(ctx.waves, ctx.versions, ctx.newest, list(ctx.value_names))
    inputs = ValueInputs(
        breaks,
        not_asked,
        await _person_scores(ctx, mapping),
        await _references(ctx, mapping),
        await _images(ctx),
        await reliability_by_wave(ctx),
    )
    # every p-value of the page is adjusted together: the items' tests first, then the values'
    tests = Tests()
    items, pending_items = await item_figures(ctx, tests)
    values = value_figures(ctx, inputs, tests)
    waves, reorganisations = await _lineage(ctx, wave_summaries(ctx.waves, ctx.unit, ctx.view))
    return UnitFigures(
        ctx.unit.key,
        ctx.unit.name,
        ctx.unit.kind,
        ctx.unit.parent,
        questionnaire,
        waves,
        values,
        _final_items(items, pending_items, tests),
        _children(ctx),
        ctx.latest.k,
        ctx.latest.k_text,
        len(tests.raw),
        _child_scores(ctx, inputs),
        ctx.latest.audience,
        reorganisations=reorganisations,
    )
