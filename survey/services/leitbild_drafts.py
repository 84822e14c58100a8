"""Leitbilder made in the browser: a new Leitbild is a draft under a new key, checked as
`survey questionnaires check` checks a Leitbild file, and published as a Leitbild of its own.

A Leitbild is versioned by its key (survey.domain.catalog): a published one never changes, so a
new wording of the values is a new key (`lindenau-2027`), and every questionnaire version (and
with it every wave) keeps the Leitbild it names. Audited: `leitbild.draft_new`, `.save`,
`.publish`, `.discard`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import msgspec

from survey.domain import Leitbild, content_hash
from survey.domain.catalog import CheckedText, check_leitbild_text, yaml_text
from survey.domain.schemas import ID_PATTERN
from survey.errors import N_, Code, Problem
from survey.services.audit import record
from survey.services.drafts import DraftError, DraftStale
from survey.store import catalog as published_store
from survey.store import drafts as store
from survey.store.drafts import StoredDraft
from survey.store.engine import write_transaction

__all__ = [
    "LeitbildLine",
    "LeitbildState",
    "check_leitbild_draft",
    "discard_leitbild",
    "leitbild_lines",
    "leitbild_yaml",
    "open_leitbild_draft",
    "publish_leitbild",
    "save_leitbild",
    "start_leitbild",
]

_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class LeitbildLine:
    """One Leitbild as the list shows it: published (and whether a questionnaire names it) or a draft."""

    key: str
    state: str  # "draft" | "published" | "in_use"
    name: dict[str, str]
    languages: list[str]
    values: int
    published_at: dt.datetime | None = None
    content_hash: str | None = None
    revision: int | None = None
    saved_by: str | None = None
    saved_at: dt.datetime | None = None
    problems: int = 0


@dataclass(frozen=True)
class LeitbildState:
    draft: StoredDraft
    checked: CheckedText
    #: the published Leitbild it was started from, where known (for "bisher" beside each text)
    origin: Leitbild | None

    @property
    def problems(self) -> list[Problem]:
        return self.checked.problems


def _name(key: str) -> str:
    return f"Leitbild {key}"


async def check_leitbild_draft(key: str, text: str) -> CheckedText:
    return check_leitbild_text(text, _name(key), key=key)


async def leitbild_lines() -> list[LeitbildLine]:
    published = await store.published_leitbild_contents()
    records = await published_store.published_leitbilder()
    named = {v.leitbild for v in await store.published_version_contents()}
    lines = [
        LeitbildLine(
            key,
            "in_use" if key in named else "published",
            dict(leitbild.name),
            list(leitbild.languages),
            len(leitbild.values),
            published_at=records[key].published_at,
            content_hash=records[key].content_hash,
        )
        for key, leitbild in published.items()
    ]
    for draft in await store.list_drafts("leitbild"):
        checked = await check_leitbild_draft(draft.key, draft.text)
        data = checked.data
        name = data.get("name") if isinstance(data.get("name"), dict) else {}
        languages = data.get("languages") if isinstance(data.get("languages"), list) else []
        values = data.get("values") if isinstance(data.get("values"), list) else []
        lines.append(
            LeitbildLine(
                draft.key,
                "draft",
                {k: v for k, v in name.items() if isinstance(v, str)},
                [x for x in languages if isinstance(x, str)],
                len(values),
                revision=draft.revision,
                saved_by=draft.saved_by,
                saved_at=draft.saved_at,
                problems=len(checked.problems),
            )
        )
    return lines


def _no_draft(key: str) -> DraftError:
    return DraftError(N_("there is no draft of the Leitbild %(key)s: start one from the list"), key=Code(key))


async def _published_refusal(key: str) -> DraftError | None:
    record_ = (await published_store.published_leitbilder()).get(key)
    if record_ is None:
        return None
    return DraftError(
        N_(
            "the Leitbild %(key)s was published on %(day)s and can no longer be changed: start a new "
            "Leitbild from it under a new key instead"
        ),
        key=Code(key),
        day=record_.published_at.date().isoformat(),
    )


async def _origin(data: dict[str, object]) -> Leitbild | None:
    """The published Leitbild a draft was started from (its `# from` line is not kept): the one
    that shares most value keys with it."""
    published = await store.published_leitbild_contents()
    values = data.get("values") if isinstance(data.get("values"), list) else []
    keys = {v.get("key") for v in values if isinstance(v, dict)}  # type: ignore[union-attr]
    best = max(published.values(), key=lambda lb: len(keys & set(lb.value_keys)), default=None)
    return best if best is not None and keys & set(best.value_keys) else None


async def open_leitbild_draft(key: str) -> LeitbildState:
    draft = await store.find_draft("leitbild", key, 0)
    if draft is None:
        raise await _published_refusal(key) or _no_draft(key)
    checked = await check_leitbild_draft(key, draft.text)
    return LeitbildState(draft, checked, await _origin(checked.data))


async def start_leitbild(from_key: str, new_key: str, by: str) -> StoredDraft:
    """A draft of a new Leitbild `new_key`, a copy of the published `from_key` (audited
    `leitbild.draft_new`). DraftError: no such Leitbild, or the new key is taken or no key."""
    new_key = new_key.strip()
    if not _ID.match(new_key) or len(new_key) > 64:
        raise DraftError(
            N_("%(key)s is no key: use lower-case letters, digits and single hyphens, e.g. lindenau-2027"),
            key=Code(new_key[:64]),
        )
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        published = await store.published_leitbild_contents()
        if from_key not in published:
            raise DraftError(N_("there is no published Leitbild %(key)s"), key=Code(from_key))
        if new_key in published or await store.find_draft("leitbild", new_key, 0) is not None:
            raise DraftError(
                N_("the key %(key)s is taken by another Leitbild: choose a new one"), key=Code(new_key)
            )
        data = msgspec.to_builtins(published[from_key])
        data["leitbild"] = new_key
        draft = await store.insert_draft("leitbild", new_key, 0, yaml_text(data), by, now)
    await record(by, "leitbild.draft_new", new_key, f"from {from_key}")
    return draft


async def save_leitbild(key: str, text: str, based_on: int, by: str) -> LeitbildState:
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        current = await store.find_draft("leitbild", key, 0)
        if current is None:
            raise await _published_refusal(key) or _no_draft(key)
        revision = await store.update_draft("leitbild", key, 0, text, based_on, by, now)
        if revision is None:
            raise DraftStale(current)
    state = await open_leitbild_draft(key)
    await record(by, "leitbild.save", key, f"revision {revision}; {len(state.problems)} problem(s)")
    return state


async def publish_leitbild(key: str, based_on: int, by: str) -> Leitbild:
    """Publish the draft as the Leitbild `key` (content hash) and delete the draft (audited
    `leitbild.publish`); refused while the check finds a problem."""
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        draft = await store.find_draft("leitbild", key, 0)
        if draft is None:
            raise await _published_refusal(key) or _no_draft(key)
        if draft.revision != based_on:
            raise DraftStale(draft)
        checked = await check_leitbild_draft(key, draft.text)
        if checked.leitbild is None:
            raise DraftError(
                N_("the draft still has %(count)s problem(s): fix them in the editor, then publish"),
                count=len(checked.problems),
            )
        refusal = await _published_refusal(key)
        if refusal is not None:
            raise refusal
        digest = content_hash(checked.leitbild)
        await published_store.insert_leitbild(checked.leitbild, digest, now)
        await store.delete_draft("leitbild", key, 0)
    await record(by, "leitbild.publish", key, f"sha256 {digest}")
    return checked.leitbild


async def discard_leitbild(key: str, by: str) -> None:
    if not await store.delete_draft("leitbild", key, 0):
        raise await _published_refusal(key) or _no_draft(key)
    await record(by, "leitbild.discard", key)


async def leitbild_yaml(key: str) -> tuple[str, str]:
    """(YAML text, state) of a Leitbild: a draft's text, or a published one written out."""
    draft = await store.find_draft("leitbild", key, 0)
    if draft is not None:
        return draft.text, "draft"
    published = await store.published_leitbild_contents()
    if key not in published:
        raise DraftError(N_("there is no Leitbild %(key)s"), key=Code(key))
    return yaml_text(
        published[key], f"Leitbild {key}\ncontent hash (sha256) {content_hash(published[key])}"
    ), ("published")
