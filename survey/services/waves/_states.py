"""Open and close a wave, ask first what would refuse it, and list the waves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from survey.errors import N_, Code, Message, SurveyError
from survey.services.approvals import ApprovalError, wave_approval_problems
from survey.services.audit import record
from survey.services.waves._model import WaveAction, WaveDetail, WaveError, WaveListing, get_wave
from survey.services.waves._plans import title_in
from survey.store import catalog as catalog_store
from survey.store import mail as mail_store
from survey.store import org as org_store
from survey.store import waves as store
from survey.store.engine import write_transaction
from survey.store.waves import Wave

__all__ = ["close_wave", "list_waves", "open_wave", "wave_action_refusal", "wave_detail"]


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
    wave = await get_wave(key)
    refused = _status_refusal(wave, action, today)
    if refused is None and action == "open":
        problems = await wave_approval_problems(key, questionnaires)
        if problems:
            return _cannot_open(key, problems)
    return refused


async def open_wave(key: str, today: dt.date, questionnaires: Path, *, by: str = "cli") -> Wave:
    """Open a draft wave; a staff wave only with the Personalrat's approvals of its version and
    of the wave as they are now, and with its version's file unchanged (see approvals)."""
    wave = await get_wave(key)
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
    return await get_wave(key)


async def close_wave(key: str) -> Wave:
    """Close a wave for good: no more answers; its results can be shown and exported. Its e-mail
    addresses, with their links to codes, are deleted in the same transaction."""
    wave = await get_wave(key)
    refused = _status_refusal(wave, "close", dt.date.today())
    if refused is not None:
        raise refused
    async with write_transaction():
        await store.set_wave_status(wave.id, "closed")
        await mail_store.delete_recipients(wave.id)
    return await get_wave(key)


async def list_waves() -> list[WaveListing]:
    return [
        WaveListing(w, len(await store.wave_unit_ids(w.id)), await store.count_responses(w.id))
        for w in await store.list_waves()
    ]


async def wave_detail(key: str) -> WaveDetail:
    wave = await get_wave(key)
    ids = set(await store.wave_unit_ids(wave.id))
    units = [u for u in await org_store.list_units(include_retired=True) if u.id in ids]
    version = await catalog_store.load_published_version(wave.questionnaire, wave.version)
    languages = version.languages if version else ["de"]
    stored = await store.wave_titles(wave.id)
    return WaveDetail(
        wave,
        [u.name for u in units],
        await store.count_responses(wave.id),
        [u.key for u in units],
        {lang: title_in(wave, stored, lang) for lang in languages},
        languages,
    )
