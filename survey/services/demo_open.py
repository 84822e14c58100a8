"""The demo's running waves: something to answer right after `survey demo`.

A citizen wave for the current quarter at every service point, and a staff wave for one
Fachbereich (the Jugendamt), approved by the demo Personalrat, with invitation codes for its
teams; its comments wait for the Personalrat's release. `open_demo_waves` returns the addresses
to try: a service point's form, one unused invitation link, and the sign-in page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from survey.domain import load_catalog
from survey.services.approvals import record_demo_approvals
from survey.services.demo import (
    CITIZEN_QUESTIONNAIRE,
    DEMO_PERSONALRAT,
    STAFF_QUESTIONNAIRE,
    citizen_titles,
    quarter_end,
    quarter_start,
    staff_titles,
)
from survey.services.invitations import issue_invitations, service_point_url
from survey.services.waves import WavePlan, create_planned_wave, open_wave
from survey.settings import Settings
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.waves import Wave

__all__ = ["STAFF_OPEN_UNIT", "TryIt", "open_demo_waves"]

#: the Fachbereich whose staff wave is open in the demo
STAFF_OPEN_UNIT = "jugendamt"
#: how long the open staff wave runs: from a week before the demo's day to three weeks after it
_STAFF_BEFORE, _STAFF_AFTER = dt.timedelta(days=7), dt.timedelta(days=21)


@dataclass(frozen=True)
class TryIt:
    """What the demo has running, and where to try it (None where the organisation lacks it)."""

    citizen_wave: str | None = None
    staff_wave: str | None = None
    #: a service point's form
    service_point: str | None = None
    #: one unused staff invitation link
    invitation: str | None = None
    #: invitation codes issued for the staff wave by this run
    codes: int = 0
    sign_in: str = ""


async def _open(key: str, today: dt.date, questionnaires: Path) -> Wave:
    wave = await wave_store.get_wave(key)
    assert wave is not None
    if wave.status == "draft":
        wave = await open_wave(key, today, questionnaires, by=DEMO_PERSONALRAT)
    return wave


async def _citizen_wave(today: dt.date, questionnaires: Path, tag: str) -> str | None:
    points = await org_store.list_service_points()
    if not points:
        return None
    key = f"demo-buerger-{tag}"
    year, quarter = today.year, (today.month - 1) // 3 + 1
    if await wave_store.get_wave(key) is None:
        plan = WavePlan(
            CITIZEN_QUESTIONNAIRE,
            None,
            sorted({p.unit for p in points}),
            quarter_start(year, quarter),
            quarter_end(year, quarter),
            key,
            citizen_titles(year, quarter),
            subtrees=False,
        )
        await create_planned_wave(plan, questionnaires)
    await _open(key, today, questionnaires)
    return key


async def _staff_wave(today: dt.date, questionnaires: Path, tag: str) -> str | None:
    units = {u.key: u for u in await org_store.list_units()}
    if STAFF_OPEN_UNIT not in units:
        return None
    key = f"demo-puls-{tag}"
    if await wave_store.get_wave(key) is None:
        year, quarter = today.year, (today.month - 1) // 3 + 1
        name = units[STAFF_OPEN_UNIT].name
        titles = {lang: f"{title} ({name})" for lang, title in staff_titles(year, quarter).items()}
        plan = WavePlan(
            STAFF_QUESTIONNAIRE,
            None,
            [STAFF_OPEN_UNIT],
            today - _STAFF_BEFORE,
            today + _STAFF_AFTER,
            key,
            titles,
            comment_review="personalrat",  # its comments wait until the Personalrat releases them
        )
        await create_planned_wave(plan, questionnaires)
    version = load_catalog(questionnaires).versions_of(STAFF_QUESTIONNAIRE)[-1]
    approved_at = dt.datetime.combine(today - _STAFF_BEFORE - dt.timedelta(days=14), dt.time(9), dt.UTC)
    await record_demo_approvals(DEMO_PERSONALRAT, versions=[version], waves=[key], at=approved_at)
    await _open(key, today, questionnaires)
    return key


async def _invitations(settings: Settings, key: str, fresh: bool) -> tuple[str, int]:
    """Codes for the wave's teams (as many as their headcount) when the wave is new, else one
    code for the link to try; (an unused invitation link, codes issued)."""
    wave = await wave_store.get_wave(key)
    assert wave is not None
    covered = set(await wave_store.wave_unit_ids(wave.id))
    teams = [u for u in await org_store.list_units() if u.id in covered and u.headcount > 0]
    issued = 0
    link = ""
    for unit in teams if fresh else teams[:1]:
        result = await issue_invitations(settings, key, unit.key, unit.headcount if fresh else 1)
        issued += len(result.codes)
        link = link or f"{result.entry_url}/{result.codes[0]}"
    return link, issued


async def open_demo_waves(settings: Settings, questionnaires: Path, today: dt.date) -> TryIt:
    """Open the current quarter's demo waves (kept if already open) and issue invitation codes."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    tag = f"{year}-q{quarter}"
    citizen = await _citizen_wave(today, questionnaires, tag)
    fresh = await wave_store.get_wave(f"demo-puls-{tag}") is None
    staff = await _staff_wave(today, questionnaires, tag)
    link, codes = await _invitations(settings, staff, fresh) if staff else ("", 0)
    points = sorted(p.key for p in await org_store.list_service_points())
    # a Bürgerbüro's form if there is one: where most citizens answer
    points.sort(key=lambda k: "buergerbuero" not in k)
    return TryIt(
        citizen_wave=citizen,
        staff_wave=staff,
        service_point=service_point_url(settings, points[0]) if citizen else None,
        invitation=link or None,
        codes=codes,
        sign_in=f"{settings.base_url}/anmelden",
    )
