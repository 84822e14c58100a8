"""What publishing a draft would change: the diff against the version before it (the same
comparison as `survey questionnaires diff`), and for each Leitbild value whether its trend stays
comparable, over which questions, and which questions break it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from survey.domain import Catalog, Leitbild, QuestionnaireVersion, VersionDiff, diff_versions
from survey.errors import N_, Code, Message
from survey.services.drafts import DraftState, open_version_draft
from survey.store import catalog as published_store
from survey.store import drafts as store

__all__ = ["DraftReview", "ItemChange", "ValueReview", "review_draft"]

ChangeKind = Literal["identical", "editorial", "replaced", "added", "retired"]


@dataclass(frozen=True)
class ItemChange:
    kind: ChangeKind
    #: the id in the draft (for `retired`: in the version before)
    item: str
    #: the id in the version before (replaced: the one replaced)
    old: str | None
    text: dict[str, str]
    old_text: dict[str, str]


@dataclass(frozen=True)
class ValueReview:
    value: str
    name: dict[str, str]
    comparable: bool
    #: questions asked in both versions and comparable: the trend joins over them
    keeping: tuple[str, ...]
    #: questions of the value that break: replaced, added or retired
    breaking: tuple[str, ...]


@dataclass(frozen=True)
class DraftReview:
    state: DraftState
    diff: VersionDiff | None
    changes: list[ItemChange] = field(default_factory=list)
    values: list[ValueReview] = field(default_factory=list)
    #: why it cannot be published now (empty: it can)
    blockers: list[Message] = field(default_factory=list)

    @property
    def can_publish(self) -> bool:
        return not self.blockers

    @property
    def needs_approval(self) -> bool:
        version = self.state.checked.version
        return version is not None and version.audience == "staff"


def _changes(diff: VersionDiff, old: QuestionnaireVersion, new: QuestionnaireVersion) -> list[ItemChange]:
    out: list[ItemChange] = []
    for item in new.items:
        if item.id in diff.identical or item.id in diff.editorial:
            kind: ChangeKind = "identical" if item.id in diff.identical else "editorial"
            out.append(ItemChange(kind, item.id, item.id, dict(item.text), dict(old.item(item.id).text)))
        elif item.id in diff.added:
            out.append(ItemChange("added", item.id, None, dict(item.text), {}))
    for before, after in diff.replaced:
        out.append(
            ItemChange("replaced", after, before, dict(new.item(after).text), dict(old.item(before).text))
        )
    for retired in diff.retired:
        out.append(ItemChange("retired", retired, retired, {}, dict(old.item(retired).text)))
    order = {i: n for n, i in enumerate(new.item_ids)}
    return sorted(out, key=lambda c: (c.kind == "retired", order.get(c.item, 0)))


def _values(
    diff: VersionDiff, old: QuestionnaireVersion, new: QuestionnaireVersion, leitbild: Leitbild | None
) -> list[ValueReview]:
    changed_new = {n for _, n in diff.replaced} | set(diff.added)
    changed_old = {o for o, _ in diff.replaced} | set(diff.retired)
    out = []
    for trend in diff.values:
        breaking = [i.id for i in new.items if i.id in changed_new and trend.value in i.values]
        breaking += [i.id for i in old.items if i.id in changed_old and trend.value in i.values]
        name = {}
        if leitbild is not None and trend.value in leitbild.value_keys:
            name = dict(leitbild.value(trend.value).name)
        out.append(
            ValueReview(
                trend.value, name, trend.comparable, trend.common_items, tuple(dict.fromkeys(breaking))
            )
        )
    return out


async def review_draft(questionnaire: str, version: int) -> DraftReview:
    """The draft, its check, and what publishing it would change (DraftError: no such draft)."""
    state = await open_version_draft(questionnaire, version)
    blockers: list[Message] = []
    if state.problems:
        blockers.append(
            Message(
                N_("the check finds %(count)s problem(s): fix them in the editor first"),
                {"count": len(state.problems)},
            )
        )
    previous = (
        await published_store.load_published_version(questionnaire, version - 1) if version > 1 else None
    )
    if version > 1 and previous is None:
        blockers.append(
            Message(
                N_(
                    "publish %(questionnaire)s version %(previous)s first: a version builds on the one before"
                ),
                {"questionnaire": Code(questionnaire), "previous": version - 1},
            )
        )
    new = state.checked.version
    if new is None or previous is None:
        return DraftReview(state, None, blockers=blockers)
    catalog = Catalog(Path("database"))
    for published in await store.published_version_contents(questionnaire):
        catalog.versions[(questionnaire, published.version)] = published
    catalog.versions[(questionnaire, version)] = new
    diff = diff_versions(catalog, questionnaire, version - 1, version)
    return DraftReview(
        state, diff, _changes(diff, previous, new), _values(diff, previous, new, state.leitbild), blockers
    )
