"""Free-text comments as stored (already redacted), their review, the codebooks and what the
redaction learns from the database (the users' names, the office's list and rules).

Reads for leads return released comments only, in alphabetical order: never in the order they
were written (the services shuffle them). A withheld comment's text is emptied when it is
withheld, so nobody reads it afterwards, the reviewers included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from survey.store.engine import fetch_tuples
from survey.store.tables import CodebookRow, Comment, SettingRow, UserRow

__all__ = [
    "REDACTION_NAMES",
    "REDACTION_RULES",
    "ReviewComment",
    "StoredCodebook",
    "TextComment",
    "codebook",
    "redaction_sources",
    "release",
    "released",
    "replace_text",
    "review_counts",
    "reviewed_comment",
    "save_codebook",
    "set_setting",
    "setting",
    "user_names",
    "waiting",
    "withhold",
]

#: the setting keys of the office's redaction list (names, one per line) and rules (YAML)
REDACTION_NAMES = "redaction.names"
REDACTION_RULES = "redaction.rules"


@dataclass(frozen=True, order=True)
class TextComment:
    """A released comment as leads read it: its text, item and language; nothing else."""

    text: str
    item: str
    language: str


async def released(
    wave: int, unit_path: str = "/", units: Collection[int] | None = None
) -> list[TextComment]:
    """The released comments of a wave in a subtree (or of exactly `units`, org_unit ids: a
    unit's series in that wave), in alphabetical order."""
    if units is None:
        scope, arguments = "c.unit IN (SELECT id FROM org_unit WHERE path LIKE {})", [unit_path + "%"]
    else:  # ids from our own tables, never from a request
        scope = f"c.unit IN ({', '.join(str(int(u)) for u in sorted(units))})" if units else "1 = 0"
        arguments = []
    rows = await fetch_tuples(
        "SELECT c.text, c.item, r.language FROM comment c JOIN response r ON r.id = c.response "
        f"WHERE c.wave = {int(wave)} AND c.state = 'released' AND {scope}",
        *arguments,
    )
    return sorted(TextComment(text, item, language) for text, item, language in rows)


@dataclass(frozen=True)
class ReviewComment:
    """A comment as its reviewers see it: pending or withheld (a withheld one without its text)."""

    id: int
    unit: str
    item: str
    language: str
    text: str
    state: str
    office_released: bool
    personalrat_released: bool
    reason: str


_REVIEW_COLUMNS = (
    "c.id, u.name, c.item, r.language, c.text, c.state, c.office_released, c.personalrat_released, c.reason "
    "FROM comment c JOIN response r ON r.id = c.response JOIN org_unit u ON u.id = c.unit "
)


def _review(row: tuple[object, ...]) -> ReviewComment:
    id_, unit, item, language, text, state, office, personalrat, reason = row
    return ReviewComment(
        int(id_),  # type: ignore[call-overload]
        str(unit),
        str(item),
        str(language),
        str(text),
        str(state),
        bool(office),
        bool(personalrat),
        str(reason),
    )


async def waiting(wave: int) -> list[ReviewComment]:
    """The wave's comments that wait for release or were withheld, by unit and then by text."""
    rows = await fetch_tuples(
        f"SELECT {_REVIEW_COLUMNS}WHERE c.wave = {{}} AND c.state <> 'released' ORDER BY u.path, c.text",
        int(wave),
    )
    return [_review(tuple(row)) for row in rows]


async def reviewed_comment(comment_id: int) -> tuple[int, ReviewComment] | None:
    """(wave id, the comment) of one comment, or None."""
    rows = await fetch_tuples(f"SELECT c.wave, {_REVIEW_COLUMNS}WHERE c.id = {{}}", int(comment_id))
    return (int(rows[0][0]), _review(tuple(rows[0][1:]))) if rows else None


async def review_counts() -> dict[int, tuple[int, int]]:
    """wave id → (pending, withheld) for every wave with comments that are not released."""
    rows = await fetch_tuples(
        "SELECT wave, state, COUNT(*) FROM comment WHERE state <> 'released' GROUP BY wave, state"
    )
    out: dict[int, tuple[int, int]] = {}
    for wave, state, count in rows:
        pending, withheld = out.get(int(wave), (0, 0))
        count = int(count)
        out[int(wave)] = (pending + count, withheld) if state == "pending" else (pending, withheld + count)
    return out


async def release(comment_id: int, by_office: bool, by_personalrat: bool, needs: tuple[bool, bool]) -> None:
    """Record a release; the comment is released once every reviewer the wave names has."""
    office, personalrat = needs
    values = {}
    if by_office:
        values[Comment.office_released] = True
    if by_personalrat:
        values[Comment.personalrat_released] = True
    await Comment.update(values).where(Comment.id == comment_id).run()
    done = Comment.state == "pending"
    if office:
        done &= Comment.office_released == True  # noqa: E712 (a column expression)
    if personalrat:
        done &= Comment.personalrat_released == True  # noqa: E712
    await Comment.update({Comment.state: "released"}).where((Comment.id == comment_id) & done).run()


async def withhold(comment_id: int, reason: str) -> None:
    """Withhold a comment: its text is emptied for good, the reason kept for the reviewers."""
    await (
        Comment.update({Comment.state: "withheld", Comment.text: "", Comment.reason: reason})
        .where(Comment.id == comment_id)
        .run()
    )


async def replace_text(comment_id: int, text: str) -> None:
    """A reviewer blacked out more: the new text replaces the old one (which is not kept)."""
    await Comment.update({Comment.text: text}).where(Comment.id == comment_id).run()


# --- codebooks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredCodebook:
    leitbild: str
    text: str
    revision: int
    updated_by: str
    updated_at: dt.datetime


async def codebook(leitbild: str) -> StoredCodebook | None:
    row = await CodebookRow.select().where(CodebookRow.leitbild == leitbild).first().run()
    if row is None:
        return None
    return StoredCodebook(row["leitbild"], row["text"], row["revision"], row["updated_by"], row["updated_at"])


async def save_codebook(leitbild: str, text: str, based_on: int | None, by: str) -> int | None:
    """Save a codebook; its new revision, or None where another save came after `based_on`
    (`based_on` None: the first save, refused where one exists already)."""
    now = dt.datetime.now(dt.UTC)
    if based_on is None:
        if await CodebookRow.exists().where(CodebookRow.leitbild == leitbild).run():
            return None
        await CodebookRow.insert(
            CodebookRow(leitbild=leitbild, text=text, revision=1, updated_by=by, updated_at=now)
        ).run()
        return 1
    rows = (
        await CodebookRow.update(
            {
                CodebookRow.text: text,
                CodebookRow.revision: based_on + 1,
                CodebookRow.updated_by: by,
                CodebookRow.updated_at: now,
            }
        )
        .where((CodebookRow.leitbild == leitbild) & (CodebookRow.revision == based_on))
        .returning(CodebookRow.revision)
        .run()
    )
    return based_on + 1 if rows else None


# --- what the redaction learns from the database -------------------------------------------------


async def setting(key: str) -> str | None:
    row = await SettingRow.select(SettingRow.value).where(SettingRow.key == key).first().run()
    return None if row is None else str(row["value"])


async def set_setting(key: str, value: str) -> None:
    if await SettingRow.exists().where(SettingRow.key == key).run():
        await SettingRow.update({SettingRow.value: value}).where(SettingRow.key == key).run()
    else:
        await SettingRow.insert(SettingRow(key=key, value=value)).run()


async def user_names() -> list[str]:
    """The display names of every user, active or not (a name stays a name)."""
    rows = await UserRow.select(UserRow.display_name).run()
    return [str(r["display_name"]) for r in rows if r["display_name"]]


async def redaction_sources() -> tuple[list[str], str, str]:
    """What the redaction learns from the database: every user's display name, the office's list
    of further names (one per line) and its rules (YAML); "" where none was saved."""
    return await user_names(), await setting(REDACTION_NAMES) or "", await setting(REDACTION_RULES) or ""
