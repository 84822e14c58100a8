"""Everything the Personalrat sees before it decides on a staff questionnaire version or a staff wave.

A version: every item in every language with its scale, Leitbild values and section; the scales
with their labels per language; which items measure which value; the differences from the version
in use (that of the newest open staff wave, else of the last closed one, else the previous
version), and per value whether its trend stays comparable; the content hash; the decisions so far.
A wave: title, version, period, units with their headcounts, thresholds, reminders, content hash,
decisions. The pages and their JSON twins show the same (`VersionReview`, `WaveReview`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import msgspec

from survey.domain import Catalog, QuestionnaireVersion, Scale, diff_versions
from survey.domain.mailing import reminder_dates
from survey.services.approvals import ApprovalState, staff_wave
from survey.services.approvals_decisions import Decisions, decisions_about, version_subject
from survey.services.approvals_files import CurrentVersion, current_version
from survey.services.approvals_status import state_of, unit_names, wave_state
from survey.store import approvals as store
from survey.store import catalog as catalog_store
from survey.store import waves as wave_store

__all__ = [
    "DecisionView",
    "DiffView",
    "Fingerprint",
    "ItemView",
    "ScaleView",
    "SectionView",
    "VersionReview",
    "WaveReview",
    "fingerprint",
    "review_version",
    "review_wave",
]

#: the audit actions after which a wave's content may be new (its page dates its content by them)
WAVE_CHANGES = ("wave.create", "wave.edit")


class Fingerprint(msgspec.Struct, frozen=True):
    """The content hash in words: "Fassung vom 12.11.2026, Prüfsumme d2eb 2dea eb1a"."""

    content_hash: str
    #: the first 12 hex characters in groups of four
    short: str
    #: the day of this content (published, or last changed); None: a version not published yet
    dated: dt.date | None


class ItemView(msgspec.Struct, frozen=True):
    number: int
    id: str
    text: dict[str, str]
    help: dict[str, str]
    scale: str
    scale_type: str
    values: list[str]
    required: bool
    reverse: bool
    #: `editorial` where the file declares a change of wording only
    change: str | None
    #: the item of an earlier version this one replaces (its trend breaks)
    replaces: str | None


class SectionView(msgspec.Struct, frozen=True):
    """Items in their order under one heading (`id` None: items without a section)."""

    id: str | None
    title: dict[str, str]
    items: list[ItemView]


class ScaleOption(msgspec.Struct, frozen=True):
    code: int
    label: dict[str, str]


class ScaleView(msgspec.Struct, frozen=True):
    id: str
    type: str
    #: the labelled answers (a 0–10 scale: its two ends), per language
    options: list[ScaleOption]
    no_answer: dict[str, str]
    #: free text: the most characters
    max_length: int | None
    items: list[str]


class ValueView(msgspec.Struct, frozen=True):
    key: str
    name: dict[str, str]
    items: list[str]


class EditedItem(msgspec.Struct, frozen=True):
    id: str
    before: dict[str, str]
    after: dict[str, str]


class ReplacedItem(msgspec.Struct, frozen=True):
    before: str
    after: str


class TrendView(msgspec.Struct, frozen=True):
    value: str
    name: dict[str, str]
    comparable: bool
    common_items: list[str]


class DiffView(msgspec.Struct, frozen=True):
    """The differences from the version in use (`base`), and which trends stay comparable."""

    base: int
    base_subject: str
    #: why that one: the version of the newest open staff wave, of the last closed one, or the previous
    why: Literal["open_wave", "closed_wave", "previous"]
    wave: str | None
    wave_title: str | None
    identical: list[str]
    editorial: list[EditedItem]
    replaced: list[ReplacedItem]
    added: list[str]
    retired: list[str]
    values: list[TrendView]
    #: the texts of the items the version in use asks and this one does not (retired, replaced)
    earlier_texts: dict[str, dict[str, str]]


class DecisionView(msgspec.Struct, frozen=True):
    decision: Literal["approved", "rejected"]
    by: str
    at: dt.datetime
    content_hash: str
    reason: str | None
    #: made about the content as it is now
    current: bool


class VersionReview(msgspec.Struct, frozen=True):
    questionnaire: str
    version: int
    subject: str
    title: dict[str, str]
    intro: dict[str, str]
    languages: list[str]
    leitbild: str
    leitbild_name: dict[str, str]
    fingerprint: Fingerprint
    sections: list[SectionView]
    scales: list[ScaleView]
    values: list[ValueView]
    #: None: there is no other version to compare with
    diff: DiffView | None
    status: ApprovalState
    history: list[DecisionView]
    #: the staff waves that use this version
    waves: list[str]


class UnitView(msgspec.Struct, frozen=True):
    key: str
    name: str
    kind: str
    headcount: int
    depth: int


class WaveReview(msgspec.Struct, frozen=True):
    key: str
    title: str
    wave_status: str
    questionnaire: str
    version: int
    version_subject: str
    version_title: dict[str, str]
    version_status: ApprovalState
    opens_on: dt.date
    closes_on: dt.date
    k: int
    k_text: int
    #: who releases free-text comments before leads read them (none | office | personalrat | both)
    comment_review: str
    units: list[UnitView]
    headcount: int
    #: who gets e-mail reminders (all | open_codes) and the days they go out (empty: none)
    reminder_mode: str
    reminder_dates: list[dt.date]
    fingerprint: Fingerprint
    status: ApprovalState
    history: list[DecisionView]


def fingerprint(digest: str, dated: dt.date | None) -> Fingerprint:
    return Fingerprint(digest, " ".join(digest[i : i + 4] for i in range(0, 12, 4)), dated)


def history(decisions: Decisions, digest: str) -> list[DecisionView]:
    views = [
        DecisionView("approved", a.approved_by, a.approved_at, a.content_hash, None, a.content_hash == digest)
        for a in decisions.approvals
    ] + [
        DecisionView(
            "rejected", r.rejected_by, r.rejected_at, r.content_hash, r.reason, r.content_hash == digest
        )
        for r in decisions.rejections
    ]
    return sorted(views, key=lambda v: v.at, reverse=True)


# --- a version ----------------------------------------------------------------------------------


def _options(scale: Scale) -> list[ScaleOption]:
    def per_language(texts: dict[str, list[str]], index: int) -> dict[str, str]:
        return {lang: labels[index] for lang, labels in texts.items() if len(labels) > index}

    if scale.type in ("likert-5", "yes-no"):
        return [ScaleOption(code, per_language(scale.labels, i)) for i, code in enumerate(scale.codes)]
    if scale.type == "scale-0-10":
        return [
            ScaleOption(0, per_language(scale.anchors, 0)),
            ScaleOption(10, per_language(scale.anchors, 1)),
        ]
    return [ScaleOption(o.code, dict(o.label)) for o in scale.options]


def _sections(version: QuestionnaireVersion) -> list[SectionView]:
    titles = {s.id: s.title for s in version.sections}
    sections: list[SectionView] = []
    for number, item in enumerate(version.items, start=1):
        if not sections or sections[-1].id != item.section:
            sections.append(SectionView(item.section, dict(titles.get(item.section or "", {})), []))
        sections[-1].items.append(
            ItemView(
                number,
                item.id,
                dict(item.text),
                dict(item.help),
                item.scale,
                version.scales[item.scale].type,
                list(item.values),
                item.required,
                item.reverse,
                item.change,
                item.replaces,
            )
        )
    return sections


async def _catalog(current: CurrentVersion, root: Path) -> Catalog:
    """Every version of the questionnaire, the published ones as published (for the diff)."""
    subject = current.version
    versions: dict[tuple[str, int], QuestionnaireVersion] = {}
    for ref in current.all_published:
        if ref[0] == subject.questionnaire and ref[1] != subject.version:
            loaded = await catalog_store.load_published_version(*ref)
            if loaded is not None:
                versions[ref] = loaded
    for version in current.disk.catalog.versions_of(subject.questionnaire):
        versions.setdefault((version.questionnaire, version.version), version)
    versions[(subject.questionnaire, subject.version)] = subject
    return Catalog(root, versions=versions)


async def _base(
    questionnaire: str, number: int, known: list[int]
) -> tuple[int, str, wave_store.Wave | None] | None:
    """The version to compare with, why, and the wave that uses it."""
    waves = [
        w for w in await wave_store.list_waves() if w.audience == "staff" and w.questionnaire == questionnaire
    ]
    running = sorted((w for w in waves if w.status == "open"), key=lambda w: w.opens_on)
    closed = sorted((w for w in waves if w.status == "closed"), key=lambda w: w.closes_on)
    for why, chosen in (("open_wave", running), ("closed_wave", closed)):
        if chosen and chosen[-1].version != number and chosen[-1].version in known:
            return chosen[-1].version, why, chosen[-1]
        if chosen:
            break  # the version in use is this one: compare with the previous version
    earlier = [v for v in known if v < number]
    return (max(earlier), "previous", None) if earlier else None


async def _diff(current: CurrentVersion, root: Path, names: dict[str, dict[str, str]]) -> DiffView | None:
    version = current.version
    catalog = await _catalog(current, root)
    known = [v.version for v in catalog.versions_of(version.questionnaire)]
    base = await _base(version.questionnaire, version.version, known)
    if base is None:
        return None
    number, why, wave = base
    diff = diff_versions(catalog, version.questionnaire, number, version.version)
    old = catalog.version(version.questionnaire, number)
    return DiffView(
        base=number,
        base_subject=version_subject(version.questionnaire, number),
        why=why,  # type: ignore[arg-type]
        wave=wave.key if wave else None,
        wave_title=wave.title if wave else None,
        identical=list(diff.identical),
        editorial=[EditedItem(i, dict(old.item(i).text), dict(version.item(i).text)) for i in diff.editorial],
        replaced=[ReplacedItem(a, b) for a, b in diff.replaced],
        added=list(diff.added),
        retired=list(diff.retired),
        values=[
            TrendView(t.value, names.get(t.value, {}), t.comparable, list(t.common_items))
            for t in diff.values
        ],
        earlier_texts={i.id: dict(i.text) for i in old.items if i.id not in version.item_ids},
    )


async def _value_names(current: CurrentVersion) -> dict[str, dict[str, str]]:
    key = current.version.leitbild
    leitbild = await catalog_store.load_leitbild(key) or current.disk.catalog.leitbilder.get(key)
    names = {v.key: dict(v.name) for v in leitbild.values} if leitbild else {}
    names[""] = dict(leitbild.name) if leitbild else {}
    return names


async def review_version(questionnaire: str, number: int, questionnaires: Path) -> VersionReview:
    """The page of a staff version; refused (ApprovalError) as approving it would be, but a
    published version whose file has changed since is shown as published."""
    current = await current_version(questionnaire, number, questionnaires, deciding=False)
    version, digest = current.version, current.version.content_hash
    subject = version_subject(questionnaire, number)
    names = await _value_names(current)
    decisions = await decisions_about("version", subject)
    state = (
        "unpublished"
        if current.published is None
        else "file_changed"
        if current.file_changed
        else "published"
    )
    title = version.title.get("de") or next(iter(version.title.values()), "")
    mapping = {
        key: [i.id for i in version.items if key in i.values]
        for key in dict.fromkeys(v for i in version.items for v in i.values)
    }
    return VersionReview(
        questionnaire=questionnaire,
        version=number,
        subject=subject,
        title=dict(version.title),
        intro=dict(version.intro),
        languages=list(version.languages),
        leitbild=version.leitbild,
        leitbild_name=names.get("", {}),
        fingerprint=fingerprint(digest, current.published.published_at.date() if current.published else None),
        sections=_sections(version),
        scales=[
            ScaleView(
                key,
                scale.type,
                _options(scale),
                dict(scale.no_answer),
                scale.max_length if scale.is_text else None,
                [i.id for i in version.items if i.scale == key],
            )
            for key, scale in version.scales.items()
        ],
        values=[ValueView(key, names.get(key, {}), items) for key, items in mapping.items()],
        diff=await _diff(current, questionnaires, names),
        status=state_of("version", subject, title, state, digest, decisions),
        history=history(decisions, digest),
        waves=[
            w.key
            for w in await wave_store.list_waves()
            if w.audience == "staff" and w.questionnaire == questionnaire and w.version == number
        ],
    )


# --- a wave -------------------------------------------------------------------------------------


async def review_wave(key: str) -> WaveReview:
    """The page of a staff wave; refused (ApprovalError) for a wave that does not exist and for a
    citizen wave."""
    wave = await staff_wave(key)
    decisions = await decisions_about("wave", key)
    status = await wave_state(wave, decisions, await unit_names())
    subject = version_subject(wave.questionnaire, wave.version)
    published = (await catalog_store.published_versions())[(wave.questionnaire, wave.version)]
    version = await catalog_store.load_published_version(wave.questionnaire, wave.version)
    assert version is not None
    version_title = version.title.get("de") or next(iter(version.title.values()), "")
    units = [UnitView(u.key, u.name, u.kind, u.headcount, u.depth) for u in await store.wave_units(wave.id)]
    changed_at = await store.wave_changed_at(wave.id, key, WAVE_CHANGES)
    return WaveReview(
        key=key,
        title=wave.title,
        wave_status=wave.status,
        questionnaire=wave.questionnaire,
        version=wave.version,
        version_subject=subject,
        version_title=dict(version.title),
        version_status=state_of(
            "version",
            subject,
            version_title,
            "published",
            published.content_hash,
            await decisions_about("version", subject),
        ),
        opens_on=wave.opens_on,
        closes_on=wave.closes_on,
        k=wave.k,
        k_text=wave.k_text,
        comment_review=wave.comment_review,
        units=units,
        headcount=sum(u.headcount for u in units),
        reminder_mode=wave.reminder_mode,
        reminder_dates=reminder_dates(wave.opens_on, wave.reminder_days),
        fingerprint=fingerprint(status.content_hash, changed_at.date()),
        status=status,
        history=history(decisions, status.content_hash),
    )
