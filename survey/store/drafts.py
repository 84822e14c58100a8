"""Drafts of questionnaire versions and Leitbilder (catalog_draft), and the published content the
office's pages compare them with: every version of a questionnaire, every Leitbild, and which
versions waves use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import msgspec

from survey.domain import Leitbild, QuestionnaireVersion
from survey.store.tables import CatalogDraft, LeitbildRow, QuestionnaireVersionRow, WaveRow

__all__ = [
    "DraftKind",
    "StoredDraft",
    "delete_draft",
    "find_draft",
    "insert_draft",
    "list_drafts",
    "overwrite_draft",
    "published_leitbild_contents",
    "published_version_contents",
    "update_draft",
    "versions_in_use",
]

DraftKind = Literal["version", "leitbild"]


@dataclass(frozen=True)
class StoredDraft:
    kind: DraftKind
    key: str
    version: int
    text: str
    revision: int
    created_by: str
    created_at: dt.datetime
    saved_by: str
    saved_at: dt.datetime


def _draft(row: dict[str, Any]) -> StoredDraft:
    return StoredDraft(
        row["kind"],
        row["key"],
        row["version"],
        row["text"],
        row["revision"],
        row["created_by"],
        row["created_at"],
        row["saved_by"],
        row["saved_at"],
    )


def _this(kind: DraftKind, key: str, version: int) -> Any:
    return (CatalogDraft.kind == kind) & (CatalogDraft.key == key) & (CatalogDraft.version == version)


async def list_drafts(kind: DraftKind | None = None) -> list[StoredDraft]:
    query = CatalogDraft.select().order_by(CatalogDraft.key).order_by(CatalogDraft.version)
    if kind is not None:
        query = query.where(CatalogDraft.kind == kind)
    return [_draft(r) for r in await query.run()]


async def find_draft(kind: DraftKind, key: str, version: int) -> StoredDraft | None:
    row = await CatalogDraft.select().where(_this(kind, key, version)).first().run()
    return _draft(row) if row else None


async def insert_draft(
    kind: DraftKind, key: str, version: int, text: str, by: str, now: dt.datetime
) -> StoredDraft:
    """A new draft at revision 1 (the caller has made sure there is none; the unique index
    refuses a second one that came in between)."""
    await CatalogDraft.insert(
        CatalogDraft(
            kind=kind,
            key=key,
            version=version,
            text=text,
            revision=1,
            created_by=by,
            created_at=now,
            saved_by=by,
            saved_at=now,
        )
    ).run()
    return StoredDraft(kind, key, version, text, 1, by, now, by, now)


async def update_draft(
    kind: DraftKind, key: str, version: int, text: str, based_on: int, by: str, now: dt.datetime
) -> int | None:
    """Save `text` over revision `based_on`; the new revision, or None where the draft is gone
    or another save came after `based_on` (nothing is changed then)."""
    rows = (
        await CatalogDraft.update(
            {
                CatalogDraft.text: text,
                CatalogDraft.revision: based_on + 1,
                CatalogDraft.saved_by: by,
                CatalogDraft.saved_at: now,
            }
        )
        .where(_this(kind, key, version) & (CatalogDraft.revision == based_on))
        .returning(CatalogDraft.revision)
        .run()
    )
    return rows[0]["revision"] if rows else None


async def overwrite_draft(
    kind: DraftKind, key: str, version: int, text: str, by: str, now: dt.datetime
) -> int:
    """Replace the draft's text whatever its revision (an upload the office chose to replace it
    with); the new revision."""
    current = await find_draft(kind, key, version)
    assert current is not None
    revision = await update_draft(kind, key, version, text, current.revision, by, now)
    assert revision is not None  # inside the caller's write transaction nobody comes in between
    return revision


async def delete_draft(kind: DraftKind, key: str, version: int) -> bool:
    rows = await CatalogDraft.delete().where(_this(kind, key, version)).returning(CatalogDraft.id).run()
    return bool(rows)


def _decoded(content: Any, kind: type[Any]) -> Any:
    if isinstance(content, str):
        return msgspec.json.decode(content, type=kind)
    return msgspec.convert(content, kind)


async def published_version_contents(questionnaire: str | None = None) -> list[QuestionnaireVersion]:
    """Every published version (of `questionnaire`), as frozen, by questionnaire and number."""
    query = QuestionnaireVersionRow.select(QuestionnaireVersionRow.content)
    if questionnaire is not None:
        query = query.where(QuestionnaireVersionRow.questionnaire == questionnaire)
    versions = [_decoded(r["content"], QuestionnaireVersion) for r in await query.run()]
    return sorted(versions, key=lambda v: (v.questionnaire, v.version))


async def published_leitbild_contents() -> dict[str, Leitbild]:
    """Every published Leitbild by key, in the order they were published."""
    rows = await LeitbildRow.select(LeitbildRow.key, LeitbildRow.content).order_by(LeitbildRow.id).run()
    return {r["key"]: _decoded(r["content"], Leitbild) for r in rows}


async def versions_in_use() -> set[tuple[str, int]]:
    """(questionnaire, version) of every version a wave uses (a draft wave, too)."""
    rows = await WaveRow.select(
        WaveRow.questionnaire_version.questionnaire, WaveRow.questionnaire_version.version
    ).run()
    return {(r["questionnaire_version.questionnaire"], r["questionnaire_version.version"]) for r in rows}
