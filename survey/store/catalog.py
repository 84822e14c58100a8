"""Published Leitbilder and questionnaire versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import msgspec

from survey.domain import Leitbild, QuestionnaireVersion
from survey.store.tables import LeitbildRow, QuestionnaireVersionRow

__all__ = [
    "PublishedRecord",
    "insert_leitbild",
    "insert_version",
    "load_published_version",
    "published_leitbilder",
    "published_versions",
]


@dataclass(frozen=True)
class PublishedRecord:
    key: str
    version: int
    content_hash: str
    published_at: dt.datetime
    id: int


async def published_versions() -> dict[tuple[str, int], PublishedRecord]:
    rows = await QuestionnaireVersionRow.select(
        QuestionnaireVersionRow.id,
        QuestionnaireVersionRow.questionnaire,
        QuestionnaireVersionRow.version,
        QuestionnaireVersionRow.content_hash,
        QuestionnaireVersionRow.published_at,
    ).run()
    return {
        (r["questionnaire"], r["version"]): PublishedRecord(
            r["questionnaire"], r["version"], r["content_hash"], r["published_at"], r["id"]
        )
        for r in rows
    }


async def published_leitbilder() -> dict[str, PublishedRecord]:
    rows = await LeitbildRow.select().run()
    return {
        r["key"]: PublishedRecord(r["key"], 0, r["content_hash"], r["published_at"], r["id"]) for r in rows
    }


async def insert_leitbild(leitbild: Leitbild, content_hash: str, now: dt.datetime) -> None:
    await LeitbildRow.insert(
        LeitbildRow(
            key=leitbild.key,
            content=msgspec.json.encode(leitbild).decode(),
            content_hash=content_hash,
            published_at=now,
        )
    ).run()


async def insert_version(version: QuestionnaireVersion, now: dt.datetime) -> int:
    rows = (
        await QuestionnaireVersionRow.insert(
            QuestionnaireVersionRow(
                questionnaire=version.questionnaire,
                version=version.version,
                audience=version.audience,
                leitbild=version.leitbild,
                content=msgspec.json.encode(version).decode(),
                content_hash=version.content_hash,
                published_at=now,
            )
        )
        .returning(QuestionnaireVersionRow.id)
        .run()
    )
    return rows[0]["id"]


async def load_published_version(questionnaire: str, version: int) -> QuestionnaireVersion | None:
    row = (
        await QuestionnaireVersionRow.select(QuestionnaireVersionRow.content)
        .where(
            (QuestionnaireVersionRow.questionnaire == questionnaire)
            & (QuestionnaireVersionRow.version == version)
        )
        .first()
        .run()
    )
    if row is None:
        return None
    content = row["content"]
    if isinstance(content, str):
        return msgspec.json.decode(content, type=QuestionnaireVersion)
    return msgspec.convert(content, QuestionnaireVersion)


async def load_leitbild(key: str | None = None) -> Leitbild | None:
    """The published Leitbild `key` (or the first one published)."""
    query = LeitbildRow.select(LeitbildRow.content).order_by(LeitbildRow.id)
    if key is not None:
        query = query.where(LeitbildRow.key == key)
    row = await query.first().run()
    if row is None:
        return None
    content = row["content"]
    if isinstance(content, str):
        return msgspec.json.decode(content, type=Leitbild)
    return msgspec.convert(content, Leitbild)
