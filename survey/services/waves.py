"""Waves (Befragungsrunden): create, open, close, edit while still a draft, list."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from survey.errors import N_, Code, Message, SurveyError
from survey.services.approvals import ApprovalError, wave_approval_problems
from survey.services.audit import record
from survey.services.catalog import version_for_wave
from survey.store import org as org_store
from survey.store import waves as store
from survey.store.engine import write_transaction
from survey.store.waves import Wave, WaveFacts

__all__ = [
    "K_MIN",
    "Wave",
    "WaveAction",
    "WaveDetail",
    "WaveError",
    "WaveFacts",
    "WaveListing",
    "answerable",
    "check_thresholds",
    "check_wave_key",
    "close_wave",
    "create_wave",
    "edit_wave",
    "list_waves",
    "open_wave",
    "wave_action_refusal",
    "wave_detail",
]

K_MIN = 3
_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: what the survey office does to a wave from its page
WaveAction = Literal["open", "close"]


class WaveError(SurveyError):
    """A wave command that cannot be carried out as asked."""


@dataclass(frozen=True)
class WaveListing:
    wave: Wave
    units: int
    responses: int


@dataclass(frozen=True)
class WaveDetail:
    """A wave with the names of its units (tree order) and its number of responses."""

    wave: Wave
    units: list[str]
    responses: int


def answerable(wave: Wave, today: dt.date) -> str:
    """`open`, or why not: `draft`, `not_yet_open`, `closed`."""
    if wave.status == "draft":
        return "draft"
    if wave.status == "closed" or today > wave.closes_on:
        return "closed"
    if today < wave.opens_on:
        return "not_yet_open"
    return "open"


def check_wave_key(key: str) -> None:
    if not _KEY.match(key) or len(key) > 64:
        raise WaveError(
            f"`{key}` is not a wave key: use lower-case letters, digits and hyphens, e.g. puls-2026-q4"
        )


def check_thresholds(k: int, k_text: int) -> None:
    if k < K_MIN:
        raise WaveError(f"--k {k}: scores need at least {K_MIN} respondents; use {K_MIN} or more (default 5)")
    if k_text < k:
        raise WaveError(
            f"--k-text {k_text}: free text and distributions need at least as many "
            f"respondents as scores (--k {k}); use {k} or more (default 10)"
        )


async def _get(key: str) -> Wave:
    wave = await store.get_wave(key)
    if wave is None:
        raise WaveError(
            N_("there is no wave %(wave)s"), wave=Code(key), hint="`survey wave list` shows the waves"
        )
    return wave


async def _unit_ids(keys: list[str], subtrees: bool) -> list[int]:
    units = await org_store.list_units()
    if not units:
        raise WaveError("no organisation yet: run `survey org import FILE` first")
    by_key = {u.key: u for u in units}
    unknown = [k for k in keys if k not in by_key]
    if unknown:
        raise WaveError(
            f"--units: no unit with key {', '.join(f'`{k}`' for k in unknown)}; "
            "`survey org list` shows the keys"
        )
    chosen = {by_key[k].path for k in keys}
    if subtrees:
        return [u.id for u in units if any(u.path.startswith(p) for p in chosen)]
    return [by_key[k].id for k in keys]


async def create_wave(
    *,
    key: str,
    questionnaires: Path,
    questionnaire: str,
    version: int | None,
    units: list[str],
    opens_on: dt.date,
    closes_on: dt.date,
    title: str | None = None,
    k: int = 5,
    k_text: int = 10,
    subtrees: bool = True,
) -> Wave:
    """A new draft wave; the questionnaire version is published (frozen) if it is not yet."""
    check_wave_key(key)
    if closes_on < opens_on:
        raise WaveError(f"--closes {closes_on} is before --opens {opens_on}: swap them")
    check_thresholds(k, k_text)
    if not units:
        raise WaveError("--units: name at least one unit key (a Dezernat includes its sub-units)")
    if await store.get_wave(key) is not None:
        raise WaveError(f"a wave `{key}` exists already: choose another key")
    chosen = await version_for_wave(questionnaires, questionnaire, version)
    unit_ids = await _unit_ids(units, subtrees)
    version_id = await store.version_id(chosen.questionnaire, chosen.version)
    assert version_id is not None
    async with write_transaction():
        await store.insert_wave(
            key=key,
            title=title or f"{chosen.title.get('de') or next(iter(chosen.title.values()))} {opens_on:%m/%Y}",
            version_id=version_id,
            audience=chosen.audience,
            opens_on=opens_on,
            closes_on=closes_on,
            unit_ids=unit_ids,
            k=k,
            k_text=k_text,
        )
    return await _get(key)


def _status_refusal(wave: Wave, action: WaveAction, today: dt.date) -> WaveError | None:
    """Why the wave's status or dates refuse `action` now (None: they do not)."""
    key = Code(wave.key)
    if action == "close":
        return WaveError(N_("%(wave)s is closed already"), wave=key) if wave.status == "closed" else None
    if wave.status == "open":
        return WaveError(N_("%(wave)s is open already"), wave=key)
    if wave.status == "closed":
        return WaveError(
            N_("%(wave)s is closed; a closed wave is not opened again: create a new wave"), wave=key
        )
    if wave.closes_on < today:
        return WaveError(
            N_("%(wave)s closes on %(day)s, which has passed: its last day must be moved first"),
            wave=key,
            day=wave.closes_on.isoformat(),
            hint=f"`survey wave edit {wave.key} --closes DATE`",
        )
    return None


def _cannot_open(key: str, problems: list[Message]) -> ApprovalError:
    return ApprovalError(
        N_("%(wave)s cannot open (co-determination by the Personalrat)"), wave=Code(key), details=problems
    )


async def wave_action_refusal(
    key: str, action: WaveAction, today: dt.date, questionnaires: Path
) -> SurveyError | None:
    """What `open_wave` or `close_wave` would refuse with now (None: it would go ahead), for a
    page that asks before it acts. Unknown waves raise, as the actions do."""
    wave = await _get(key)
    refused = _status_refusal(wave, action, today)
    if refused is None and action == "open":
        problems = await wave_approval_problems(key, questionnaires)
        if problems:
            return _cannot_open(key, problems)
    return refused


async def open_wave(key: str, today: dt.date, questionnaires: Path, *, by: str = "cli") -> Wave:
    """Open a draft wave; a staff wave only with the Personalrat's approvals of its version and
    of the wave as they are now, and with its version's file unchanged (see approvals)."""
    wave = await _get(key)
    refused = _status_refusal(wave, "open", today)
    if refused is not None:
        raise refused
    async with write_transaction():
        # Checked inside the transaction, so no approval-voiding edit slips in before opening.
        problems = await wave_approval_problems(key, questionnaires)
        if not problems:
            await store.set_wave_status(wave.id, "open")
    if problems:
        await record(by, "wave.open_refused", key, "; ".join(p.text() for p in problems))
        raise _cannot_open(key, problems)
    return await _get(key)


async def close_wave(key: str) -> Wave:
    """Close a wave for good: no more answers; its results can be shown and exported."""
    wave = await _get(key)
    refused = _status_refusal(wave, "close", dt.date.today())
    if refused is not None:
        raise refused
    async with write_transaction():
        await store.set_wave_status(wave.id, "closed")
    return await _get(key)


async def edit_wave(
    key: str,
    *,
    title: str | None = None,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    k: int | None = None,
    k_text: int | None = None,
) -> Wave:
    """Change a wave; once open, its version, thresholds and start are locked."""
    wave = await _get(key)
    if wave.status == "closed":
        raise WaveError(f"`{key}` is closed; nothing about it changes any more")
    if wave.status == "open":
        locked = [
            name
            for name, value in (("--k", k), ("--k-text", k_text), ("--opens", opens_on))
            if value is not None
        ]
        if locked:
            raise WaveError(
                f"`{key}` is open: {', '.join(locked)} are locked once a wave opens "
                "(so results stay comparable and anonymity rules cannot shift); "
                "only --title and --closes may change"
            )
    new_opens = opens_on or wave.opens_on
    new_closes = closes_on or wave.closes_on
    if new_closes < new_opens:
        raise WaveError(f"--closes {new_closes} is before the opening day {new_opens}")
    new_k = k if k is not None else wave.k
    new_k_text = k_text if k_text is not None else wave.k_text
    check_thresholds(new_k, new_k_text)
    values: dict[str, object] = {
        "opens_on": new_opens,
        "closes_on": new_closes,
        "k": new_k,
        "k_text": new_k_text,
    }
    if title:
        values["title"] = title
    async with write_transaction():
        await store.update_wave(wave.id, **values)
    return await _get(key)


async def list_waves() -> list[WaveListing]:
    return [
        WaveListing(w, len(await store.wave_unit_ids(w.id)), await store.count_responses(w.id))
        for w in await store.list_waves()
    ]


async def wave_detail(key: str) -> WaveDetail:
    wave = await _get(key)
    ids = set(await store.wave_unit_ids(wave.id))
    units = [u.name for u in await org_store.list_units(include_retired=True) if u.id in ids]
    return WaveDetail(wave, units, await store.count_responses(wave.id))
