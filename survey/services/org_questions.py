"""What the organisation preview asks when a file ends units and adds others without saying how
they follow from each other (no `changes:` for them): for each unit that ends, what became of it
(dissolved, renamed to a new key, merged with others, split) and into which new units.

The office's answers become the file's `changes:` section: the file is kept again with it, and
checked as any upload is (survey.services.org.upload_org_file), so the preview that follows shows
how the trends go on and applies exactly what it shows. Nothing is applied by answering.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import yaml

from survey.errors import N_, Message, OrgError
from survey.services.org import OrgPreview, kept_upload, upload_org_file
from survey.store import org as store

__all__ = [
    "FATES",
    "LineageAnswer",
    "LineageQuestions",
    "LineageRefused",
    "answer_lineage",
    "lineage_questions",
]

#: what the page offers for a unit that ends
FATES = ("dissolved", "renamed", "merged", "split")

_CHOOSE = N_("choose what happens to this unit")
_ONLY_LISTED = N_("choose only among the new units listed")
_DISSOLVED_INTO = N_("a dissolved unit goes into no new unit: untick the new units")
_SPLIT_FEW = N_("a split goes into two or more new units: tick each of them")
_SPLIT_SHARED = N_("a new unit of a split cannot come from another ended unit too: tick it once")
_ONE_INTO = N_("tick the one new unit it becomes")
_RENAMED_SHARED = N_("other ended units go into the same new unit: say for all of them that they are merged")
_MERGER = N_("a merger joins two or more ended units into one new unit: answer each of them as merged")
_SHARE_NUMBER = N_("give each part's share as a number above 0 and up to 100, or leave all shares empty")
_SHARE_SUM = N_("the shares add up to %(total)s, not 100: correct them")


@dataclass(frozen=True)
class AskedUnit:
    key: str
    name: str
    headcount: int


@dataclass(frozen=True)
class LineageQuestions:
    """The units that end without a declared change (`ended`), and the new units without one
    (`added`) they may have become. Nothing to ask unless both are there."""

    ended: list[AskedUnit] = field(default_factory=list)
    added: list[AskedUnit] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.ended and self.added)


@dataclass(frozen=True)
class LineageAnswer:
    """What the office said of one unit that ends: its fate, the new units it went into, and for
    a split each one's share of the staff as typed (empty: by headcount)."""

    fate: str = ""
    into: list[str] = field(default_factory=list)
    shares: dict[str, str] = field(default_factory=dict)


class LineageRefused(OrgError):
    """Answers that do not fit together; `problems` names each by the ended unit's key."""

    def __init__(self, problems: dict[str, Message]) -> None:
        super().__init__(N_("some answers do not fit together: see the units marked"))
        self.problems = problems


def lineage_questions(preview: OrgPreview) -> LineageQuestions:
    ended, carried = preview.diff.ended, preview.diff.carried
    return LineageQuestions(
        [AskedUnit(u.key, u.name, u.headcount) for u in preview.diff.retired if u.key not in ended],
        [
            AskedUnit(u.key, u.name, u.headcount)
            for u in preview.diff.added
            if u.key not in carried and not u.returning
        ],
    )


def _share(typed: str) -> float | None:
    try:
        value = float(typed.strip().replace(",", ".").rstrip("%").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 < value <= 100 else None


def _by_headcount(into: list[str], heads: dict[str, int]) -> dict[str, float]:
    """Shares in percent (one decimal) from the new units' headcounts; equal if they have none."""
    total = sum(heads[k] for k in into)
    raw = [heads[k] / total * 100 if total else 100 / len(into) for k in into]
    shares = [round(r, 1) for r in raw]
    shares[-1] = round(100 - sum(shares[:-1]), 1)
    return dict(zip(into, shares, strict=True))


def _split_shares(answer: LineageAnswer, heads: dict[str, int]) -> dict[str, float] | Message:
    typed = {k: answer.shares.get(k, "").strip() for k in answer.into}
    if not any(typed.values()):
        return _by_headcount(answer.into, heads)
    shares = {k: _share(v) for k, v in typed.items()}
    if any(v is None for v in shares.values()):
        return Message(_SHARE_NUMBER)
    total = sum(v for v in shares.values() if v is not None)
    if abs(total - 100) > 0.01:
        return Message(_SHARE_SUM, {"total": int(total) if total.is_integer() else round(total, 2)})
    return {k: v for k, v in shares.items() if v is not None}


def changes_from_answers(
    questions: LineageQuestions, answers: dict[str, LineageAnswer]
) -> tuple[list[dict[str, Any]], dict[str, Message]]:
    """The `changes:` entries the answers give, or per ended unit what does not fit."""
    heads = {u.key: u.headcount for u in questions.added}
    problems: dict[str, Message] = {}
    taken: dict[str, list[str]] = {}
    for unit in questions.ended:
        answer = answers.get(unit.key, LineageAnswer())
        for key in answer.into:
            taken.setdefault(key, []).append(unit.key)
    changes: list[dict[str, Any]] = []
    merged: dict[str, list[str]] = {}
    for unit in questions.ended:
        answer = answers.get(unit.key, LineageAnswer())
        into = answer.into
        others = {key: [k for k in taken.get(key, []) if k != unit.key] for key in into}
        if answer.fate not in FATES:
            problems[unit.key] = Message(_CHOOSE)
        elif any(key not in heads for key in into):
            problems[unit.key] = Message(_ONLY_LISTED)
        elif answer.fate == "dissolved":
            if into:
                problems[unit.key] = Message(_DISSOLVED_INTO)
            else:
                changes.append({"kind": "dissolved", "from": unit.key})
        elif answer.fate == "split":
            shares = _split_shares(answer, heads)
            if len(into) < 2:
                problems[unit.key] = Message(_SPLIT_FEW)
            elif any(others.values()):
                problems[unit.key] = Message(_SPLIT_SHARED)
            elif isinstance(shares, Message):
                problems[unit.key] = shares
            else:
                changes.append({"kind": "split", "from": unit.key, "to": into, "shares": shares})
        elif len(into) != 1:
            problems[unit.key] = Message(_ONE_INTO)
        elif answer.fate == "renamed":
            if others[into[0]]:
                problems[unit.key] = Message(_RENAMED_SHARED)
            else:
                changes.append({"kind": "renamed", "from": unit.key, "to": into[0]})
        else:
            merged.setdefault(into[0], []).append(unit.key)
    for target, sources in merged.items():
        fates = {answers[k].fate for k in taken[target]}
        if len(sources) < 2 or fates != {"merged"}:
            for key in sources:
                problems[key] = Message(_MERGER)
        else:
            changes.append({"kind": "merged", "from": sources, "to": target})
    return changes, problems


def _with_changes(content: str, changes: list[dict[str, Any]], by: str) -> str:
    """The file with the answers as (more) entries of its `changes:` section."""
    data = yaml.safe_load(content)
    note = f"# changes: as answered in the browser by {by} on {dt.date.today().isoformat()}\n"
    if isinstance(data, dict) and data.get("changes"):
        data["changes"] = [*data["changes"], *changes]
        return note + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    lines = [
        yaml.safe_dump(c, allow_unicode=True, sort_keys=False, default_flow_style=True, width=1000)
        for c in changes
    ]
    return content.rstrip("\n") + "\n\n" + note + "changes:\n" + "".join(f"  - {line}" for line in lines)


async def answer_lineage(token: str, answers: dict[str, LineageAnswer], by: str) -> OrgPreview:
    """Keep the uploaded file again with the changes the answers give, and return its preview.
    LineageRefused: answers that do not fit; OrgError: the upload is gone; OrgFileError: the file
    with its changes does not pass the checks (each problem by line)."""
    upload, preview = await kept_upload(token)
    changes, problems = changes_from_answers(lineage_questions(preview), answers)
    if problems:
        raise LineageRefused(problems)
    content = _with_changes(upload.content, changes, by)
    answered = await upload_org_file(content.encode("utf-8"), upload.filename, by)
    await store.delete_upload(upload.token)
    return answered
