"""Questionnaire versions made in the browser: drafts in the database, checked exactly as
`survey questionnaires check` checks files, published into the frozen versions.

A draft is the YAML text of one version (the exchange format), kept in the database so that every
worker of every host edits the same one. Every save names the revision it was based on; a save
based on an older revision is refused (DraftStale), never lost: the pages show what was typed
again. The version before a draft (for the change rules) is the published one, or else another
draft. Publishing checks once more, freezes the version with its content hash (the path of
`survey questionnaires publish`) and deletes the draft. Every action is audited:
`questionnaire.draft_new`, `.save`, `.upload`, `.publish`, `.discard`.

Leitbild drafts: survey.services.leitbild_drafts. The diff before publishing:
survey.services.draft_review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import msgspec

from survey.domain import Leitbild, QuestionnaireVersion
from survey.domain.catalog import (
    CheckedText,
    check_version_text,
    items_with_problems,
    yaml_text,
)
from survey.errors import N_, Code, Problem, SurveyError
from survey.services.accounts import Principal
from survey.services.audit import record
from survey.store import catalog as published_store
from survey.store import drafts as store
from survey.store.drafts import StoredDraft
from survey.store.engine import write_transaction

__all__ = [
    "DraftError",
    "DraftStale",
    "DraftState",
    "QuestionnaireListing",
    "StoredDraft",
    "VersionLine",
    "check_draft_text",
    "discard_version",
    "draft_name",
    "may_edit_questionnaires",
    "open_version_draft",
    "publish_version",
    "published_refusal",
    "questionnaire_listings",
    "real_version",
    "save_version",
    "start_version",
    "version_for_preview",
    "version_yaml",
]

#: the highest version number (and the longest key) a questionnaire can have: any other is no version
MAX_VERSION = 9999
MAX_KEY = 64
#: how far back a chain of drafts is followed for the change rules (v3 draft on a v2 draft …)
_DRAFT_CHAIN = 5


class DraftError(SurveyError):
    """A draft that cannot be started, saved, uploaded, published or discarded as asked."""


class DraftStale(DraftError):
    """A save based on a revision that is no longer the draft's: another save came in between.
    `current` is the draft as it is now (who saved it, when, its revision)."""

    def __init__(self, current: StoredDraft) -> None:
        self.current = current
        super().__init__(
            N_(
                "%(saved_by)s saved this draft in the meantime (revision %(revision)s): your changes "
                "are not saved yet. Check them against the current draft and save again"
            ),
            saved_by=current.saved_by,
            revision=current.revision,
        )


def may_edit_questionnaires(principal: Principal) -> bool:
    """Make, edit, publish and export questionnaire versions and Leitbilder: the survey office (or
    an admin) of the whole organisation."""
    return principal.may("office")


# --- the list ---------------------------------------------------------------------------------

VersionStateName = Literal["draft", "published", "in_use"]


@dataclass(frozen=True)
class VersionLine:
    """One version of a questionnaire as the list shows it."""

    questionnaire: str
    version: int
    state: VersionStateName
    title: dict[str, str]
    languages: list[str]
    items: int
    #: published versions: when, and the content hash
    published_at: dt.datetime | None = None
    content_hash: str | None = None
    #: drafts: the revision, who saved it last and when, and how many problems the check finds
    revision: int | None = None
    saved_by: str | None = None
    saved_at: dt.datetime | None = None
    problems: int = 0


@dataclass(frozen=True)
class QuestionnaireListing:
    questionnaire: str
    audience: str
    #: newest first
    versions: list[VersionLine] = field(default_factory=list)

    @property
    def next_version(self) -> int | None:
        """The number "new version" would start (from the newest published), or None where a
        draft after it exists already (that one is edited instead) or nothing is published."""
        published = [v.version for v in self.versions if v.state != "draft"]
        drafts = [v.version for v in self.versions if v.state == "draft"]
        if not published:
            return None
        newest = max(published)
        return None if any(d > newest for d in drafts) else newest + 1


def _text_of(data: dict[str, Any], key: str) -> dict[str, str]:
    value = data.get(key)
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


async def questionnaire_listings() -> list[QuestionnaireListing]:
    """Every questionnaire with its versions: drafts, published ones, those a wave uses."""
    published = await store.published_version_contents()
    records = await published_store.published_versions()
    in_use = await store.versions_in_use()
    lines: dict[str, list[VersionLine]] = {}
    audiences: dict[str, str] = {}
    for version in published:
        record_ = records[(version.questionnaire, version.version)]
        ref = (version.questionnaire, version.version)
        lines.setdefault(version.questionnaire, []).append(
            VersionLine(
                version.questionnaire,
                version.version,
                "in_use" if ref in in_use else "published",
                dict(version.title),
                list(version.languages),
                len(version.items),
                published_at=record_.published_at,
                content_hash=version.content_hash,
            )
        )
        audiences[version.questionnaire] = version.audience
    for draft in await store.list_drafts("version"):
        state = await _checked_draft(draft)
        data = state.data
        languages = data.get("languages")
        items = data.get("items")
        lines.setdefault(draft.key, []).append(
            VersionLine(
                draft.key,
                draft.version,
                "draft",
                _text_of(data, "title"),
                [x for x in languages if isinstance(x, str)] if isinstance(languages, list) else [],
                len(items) if isinstance(items, list) else 0,
                revision=draft.revision,
                saved_by=draft.saved_by,
                saved_at=draft.saved_at,
                problems=len(state.problems),
            )
        )
        audience = data.get("audience")
        audiences.setdefault(draft.key, audience if isinstance(audience, str) else "")
    return [
        QuestionnaireListing(key, audiences.get(key, ""), sorted(found, key=lambda v: -v.version))
        for key, found in sorted(lines.items())
    ]


# --- one draft ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftState:
    """A draft with what its check found, and what the editor shows beside it."""

    draft: StoredDraft
    checked: CheckedText
    #: the version before it (published, or a draft without problems); None for v1 or unknown
    previous: QuestionnaireVersion | None
    #: the Leitbild its text names, where that one is published
    leitbild: Leitbild | None
    #: every published Leitbild (the keys a version may name)
    leitbilder: dict[str, Leitbild]

    @property
    def problems(self) -> list[Problem]:
        return self.checked.problems

    @property
    def data(self) -> dict[str, Any]:
        return self.checked.data


def draft_name(questionnaire: str, version: int) -> str:
    """How the problems of a draft name it (where a file's problems name the file)."""
    return f"{questionnaire} v{version}"


async def _previous(
    questionnaire: str, number: int, depth: int = 0
) -> tuple[QuestionnaireVersion | dict[str, Any] | None, set[str], QuestionnaireVersion | None]:
    """Version `number - 1`: its content or data for the change rules, its items with problems,
    and its content where it is sound."""
    if number <= 1:
        return None, set(), None
    published = await published_store.load_published_version(questionnaire, number - 1)
    if published is not None:
        return published, set(), published
    draft = await store.find_draft("version", questionnaire, number - 1)
    if draft is None or depth >= _DRAFT_CHAIN:
        return None, set(), None
    checked = await check_draft_text(draft.key, draft.version, draft.text, depth + 1)
    return checked.data, items_with_problems(checked), checked.version


async def check_draft_text(questionnaire: str, number: int, text: str, depth: int = 0) -> CheckedText:
    """`text` checked as version `number` of `questionnaire` (against the version before it)."""
    previous, broken, _ = await _previous(questionnaire, number, depth)
    return check_version_text(
        text,
        draft_name(questionnaire, number),
        leitbilder=await store.published_leitbild_contents(),
        previous=previous,
        previous_broken=broken,
        questionnaire=questionnaire,
        number=number,
    )


async def _checked_draft(draft: StoredDraft) -> CheckedText:
    return await check_draft_text(draft.key, draft.version, draft.text)


async def _state(draft: StoredDraft) -> DraftState:
    previous, broken, sound = await _previous(draft.key, draft.version)
    leitbilder = await store.published_leitbild_contents()
    checked = check_version_text(
        draft.text,
        draft_name(draft.key, draft.version),
        leitbilder=leitbilder,
        previous=previous,
        previous_broken=broken,
        questionnaire=draft.key,
        number=draft.version,
    )
    named = checked.data.get("leitbild")
    return DraftState(
        draft, checked, sound, leitbilder.get(named) if isinstance(named, str) else None, leitbilder
    )


def real_version(questionnaire: str, version: int) -> bool:
    """Whether (questionnaire, version) can name a version at all (else nothing is looked up)."""
    return 1 <= version <= MAX_VERSION and 0 < len(questionnaire) <= MAX_KEY


def _no_draft(questionnaire: str, version: int) -> DraftError:
    return DraftError(
        N_("there is no draft of %(questionnaire)s version %(version)s: start one from the list"),
        questionnaire=Code(questionnaire),
        version=version,
    )


async def published_refusal(questionnaire: str, version: int) -> DraftError | None:
    record_ = (await published_store.published_versions()).get((questionnaire, version))
    if record_ is None:
        return None
    return DraftError(
        N_(
            "%(questionnaire)s version %(version)s was published on %(day)s and can no longer be "
            "changed: start a new version from the list instead"
        ),
        questionnaire=Code(questionnaire),
        version=version,
        day=record_.published_at.date().isoformat(),
    )


async def open_version_draft(questionnaire: str, version: int) -> DraftState:
    """The draft with its check; DraftError where there is none (or the version is published)."""
    if not real_version(questionnaire, version):
        raise _no_draft(questionnaire, version)
    draft = await store.find_draft("version", questionnaire, version)
    if draft is None:
        raise await published_refusal(questionnaire, version) or _no_draft(questionnaire, version)
    return await _state(draft)


def _copied(latest: QuestionnaireVersion) -> dict[str, Any]:
    """The next version's first text: the latest one with its number raised and the marks of its
    own changes (`change`, `replaces`) cleared, which belong to the step before it."""
    data = msgspec.to_builtins(latest)
    data["version"] = latest.version + 1
    for item in data["items"]:
        item.pop("change", None)
        item.pop("replaces", None)
    return data


async def start_version(questionnaire: str, by: str) -> StoredDraft:
    """A draft of the next version, a copy of the newest published one (audited
    `questionnaire.draft_new`). DraftError: nothing published, or a newer draft exists already."""
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        published = await store.published_version_contents(questionnaire)
        if not published:
            raise DraftError(
                N_(
                    "%(questionnaire)s has no published version to start from: upload its first "
                    "version as a file"
                ),
                questionnaire=Code(questionnaire),
            )
        latest = published[-1]
        newer = [d for d in await store.list_drafts("version") if d.key == questionnaire]
        if newer:
            raise DraftError(
                N_("there is a draft of %(questionnaire)s version %(version)s already: edit that one"),
                questionnaire=Code(questionnaire),
                version=max(d.version for d in newer),
            )
        draft = await store.insert_draft(
            "version", questionnaire, latest.version + 1, yaml_text(_copied(latest)), by, now
        )
    await record(
        by, "questionnaire.draft_new", draft_name(questionnaire, draft.version), f"from v{latest.version}"
    )
    return draft


async def save_version(questionnaire: str, version: int, text: str, based_on: int, by: str) -> DraftState:
    """Save the draft's new text (checked, problems and all: they are shown, not refused), if
    `based_on` is still its revision (audited `questionnaire.save`). DraftStale: another save came
    in between; DraftError: no such draft, or the version is published."""
    if not real_version(questionnaire, version):
        raise _no_draft(questionnaire, version)
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        current = await store.find_draft("version", questionnaire, version)
        if current is None:
            raise await published_refusal(questionnaire, version) or _no_draft(questionnaire, version)
        if current.revision != based_on:
            raise DraftStale(current)
        revision = await store.update_draft("version", questionnaire, version, text, based_on, by, now)
        if revision is None:
            raise DraftStale(current)
    state = await open_version_draft(questionnaire, version)
    await record(
        by,
        "questionnaire.save",
        draft_name(questionnaire, version),
        f"revision {revision}; {len(state.problems)} problem(s)",
    )
    return state


async def discard_version(questionnaire: str, version: int, by: str) -> None:
    """Delete a draft (audited `questionnaire.discard`); published versions stay as they are."""
    if not real_version(questionnaire, version):
        raise _no_draft(questionnaire, version)
    if not await store.delete_draft("version", questionnaire, version):
        raise await published_refusal(questionnaire, version) or _no_draft(questionnaire, version)
    await record(by, "questionnaire.discard", draft_name(questionnaire, version))


# --- publishing -----------------------------------------------------------------------------------


async def publish_version(questionnaire: str, version: int, based_on: int, by: str) -> QuestionnaireVersion:
    """Freeze the draft as published version (content hash), and delete the draft (audited
    `questionnaire.publish`). Refused (DraftError) while the check finds a problem, while the
    version before it is not published, or where the draft was saved again after `based_on`."""
    if not real_version(questionnaire, version):
        raise _no_draft(questionnaire, version)
    now = dt.datetime.now(dt.UTC)
    async with write_transaction():
        draft = await store.find_draft("version", questionnaire, version)
        if draft is None:
            raise await published_refusal(questionnaire, version) or _no_draft(questionnaire, version)
        if draft.revision != based_on:
            raise DraftStale(draft)
        if version > 1 and await published_store.load_published_version(questionnaire, version - 1) is None:
            raise DraftError(
                N_(
                    "publish %(questionnaire)s version %(previous)s first: a version builds on the one before"
                ),
                questionnaire=Code(questionnaire),
                previous=version - 1,
            )
        checked = await _checked_draft(draft)
        if checked.version is None:
            raise DraftError(
                N_("the draft still has %(count)s problem(s): fix them in the editor, then publish"),
                count=len(checked.problems),
            )
        if await published_refusal(questionnaire, version) is not None:
            raise await published_refusal(questionnaire, version)  # type: ignore[misc]
        await published_store.insert_version(checked.version, now)
        await store.delete_draft("version", questionnaire, version)
    frozen = checked.version
    await record(by, "questionnaire.publish", frozen.label, f"sha256 {frozen.content_hash}")
    return frozen


async def version_for_preview(questionnaire: str, version: int) -> tuple[QuestionnaireVersion | None, str]:
    """(content, state) of a version to preview: a draft as far as its structure holds (a missing
    translation shows as missing), a published version as frozen. None where the draft's
    structure does not hold yet (a question names a scale or section it does not have, say).
    DraftError where there is neither."""
    if not real_version(questionnaire, version):
        raise _no_draft(questionnaire, version)
    draft = await store.find_draft("version", questionnaire, version)
    if draft is None:
        frozen = await published_store.load_published_version(questionnaire, version)
        if frozen is None:
            raise _no_draft(questionnaire, version)
        return frozen, "published"
    checked = await check_draft_text(questionnaire, version, draft.text)
    try:
        content = checked.version or msgspec.convert(checked.data, QuestionnaireVersion)
    except msgspec.ValidationError:
        return None, "draft"
    sections = {s.id for s in content.sections}
    whole = all(
        i.scale in content.scales and (i.section is None or i.section in sections) for i in content.items
    )
    return (content if whole and content.languages else None), "draft"


# --- the exchange format ------------------------------------------------------------------------


async def version_yaml(questionnaire: str, version: int) -> tuple[str, str]:
    """(YAML text, state) of a version: a draft's text as saved, or a published version written
    out (it reads back to the same content hash). DraftError where there is neither."""
    if not real_version(questionnaire, version):
        raise _no_draft(questionnaire, version)
    draft = await store.find_draft("version", questionnaire, version)
    if draft is not None:
        return draft.text, "draft"
    frozen = await published_store.load_published_version(questionnaire, version)
    if frozen is None:
        raise DraftError(
            N_("there is no version %(version)s of %(questionnaire)s"),
            questionnaire=Code(questionnaire),
            version=version,
        )
    record_ = (await published_store.published_versions())[(questionnaire, version)]
    header = (
        f"{frozen.label}, published {record_.published_at.date().isoformat()}\n"
        f"content hash (sha256) {frozen.content_hash}"
    )
    return yaml_text(frozen, header), "published"
