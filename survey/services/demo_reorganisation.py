"""The demo Kommune's reorganisation midway through its waves (issue 24).

From the quarter of the wave `reorganised_at(waves)` on, Stadt Lindenau runs with a new
organisation, applied like any organisation file the office uploads (a `changes:` section, a
`valid_from` day, checked against the stored organisation):
- the Fachbereich Schul- und Sportverwaltung (135 staff) splits into a Fachbereich Schulverwaltung
  (74 %) and a Sportamt (26 %);
- the two Bürgerbüro teams merge into one Team Bürgerbüro, their service points go with it;
- the Jobcenter's Team Eingangszone moves to the Fachbereich Bürgerdienste (Dezernat II), a
  reception shared with the Bürgerbüro; the Jobcenter's service point goes to its Team Leistung.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import yaml

from survey.domain import Organisation, load_org
from survey.services.org import stored_organisation
from survey.store import org as org_store
from survey.store import org_versions as version_store
from survey.store.engine import write_transaction

__all__ = [
    "SUCCESSOR",
    "Stage",
    "applied_stage",
    "apply_stage",
    "demo_stages",
    "reorganised",
    "reorganised_at",
    "scaled",
]

#: the demo's units that end in the reorganisation → the unit that carries on their work (for a
#: split, the larger part): the demo's measures and planted comments name them by it afterwards
SUCCESSOR = {
    "schule-sport": "schulverwaltung",
    "team-buergerbuero-mitte": "team-buergerbuero",
    "team-buergerbuero-nord": "team-buergerbuero",
}
#: fewer waves than this leave no series on both sides of a change: the demo does not reorganise
FEWEST_WAVES = 4


def reorganised_at(waves: int) -> int | None:
    """The index of the demo's first wave in the new organisation (the quarter before the
    questionnaire's new version), or None for fewer than FEWEST_WAVES waves."""
    return max(1, waves // 2 - 1) if waves >= FEWEST_WAVES else None


def reorganised(data: dict[str, Any], valid_from: dt.date) -> dict[str, Any]:
    """The organisation file's data (as read from YAML) after the reorganisation, `changes:` and
    `valid_from` included; `data` itself stays as it is."""
    data = copy.deepcopy(data)
    data["valid_from"] = valid_from
    data["units"] = [u for u in data["units"] if u["key"] not in SUCCESSOR]
    data["units"] += [
        {
            "key": "schulverwaltung",
            "name": "Fachbereich Schulverwaltung",
            "kind": "Fachbereich",
            "parent": "kjfs",
            "headcount": 100,
        },
        {"key": "sportamt", "name": "Sportamt", "kind": "Fachbereich", "parent": "kjfs", "headcount": 35},
        {
            "key": "team-buergerbuero",
            "name": "Team Bürgerbüro",
            "kind": "Team",
            "parent": "buergerdienste",
            "headcount": 70,
        },
    ]
    next(u for u in data["units"] if u["key"] == "team-eingangszone")["parent"] = "buergerdienste"
    for point in data["service_points"]:
        point["unit"] = SUCCESSOR.get(point["unit"], point["unit"])
        if point["unit"] == "team-eingangszone":
            point["unit"] = "team-leistung"
    data["changes"] = [
        {
            "kind": "split",
            "from": "schule-sport",
            "to": ["schulverwaltung", "sportamt"],
            "shares": {"schulverwaltung": 74, "sportamt": 26},
        },
        {
            "kind": "merged",
            "from": ["team-buergerbuero-mitte", "team-buergerbuero-nord"],
            "to": "team-buergerbuero",
        },
        {"kind": "moved", "from": "team-eingangszone", "to": "team-eingangszone"},
    ]
    return data


def scaled(organisation: Organisation, staff: int | None) -> Organisation:
    """The organisation with its headcounts scaled to `staff` in all (None: as it is)."""
    if staff is None:
        return organisation
    total = sum(u.headcount for u in organisation.units)
    factor = staff / total
    units = [msgspec.structs.replace(u, headcount=round(u.headcount * factor)) for u in organisation.units]
    return msgspec.structs.replace(organisation, units=units)


@dataclass(frozen=True)
class Stage:
    """One organisation of the demo: from which wave on it holds, as the simulation reads it (the
    headcounts scaled), and the file and hash it is applied from."""

    first_wave: int
    valid_from: dt.date
    organisation: Organisation
    path: Path
    content_hash: str


def demo_stages(
    path: Path,
    staff: int | None,
    first_day: dt.date,
    reorganisation: tuple[int | None, dt.date | None],
    folder: Path,
) -> list[Stage]:
    """The organisation the demo starts with (`path`, valid from `first_day`), and where
    `reorganisation` gives the first wave and day, the reorganised one, written into `folder`."""
    original = scaled(load_org(path), staff)
    stages = [
        Stage(
            0,
            first_day,
            msgspec.structs.replace(original, valid_from=first_day),
            path,
            _content_hash(path, staff),
        )
    ]
    at, day = reorganisation
    if at is not None and day is not None:
        data = reorganised(yaml.safe_load(path.read_text(encoding="utf-8")), day)
        changed = folder / "organisation-neuordnung.yaml"
        changed.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        stages.append(
            Stage(at, day, scaled(load_org(changed), staff), changed, _content_hash(changed, staff))
        )
    return stages


def _content_hash(path: Path, staff: int | None) -> str:
    """The same for the same file and staff, so a second demo run sees what it applied before."""
    text = path.read_text(encoding="utf-8")
    return hashlib.sha256(json.dumps(["demo", text, staff]).encode()).hexdigest()


async def applied_stage(stages: list[Stage]) -> int:
    """Which of the demo's organisations is stored now (-1: none of them)."""
    latest = await version_store.latest_version()
    hashes = [s.content_hash for s in stages]
    return hashes.index(latest.content_hash) if latest and latest.content_hash in hashes else -1


async def apply_stage(stages: list[Stage], index: int) -> int:
    """Store one of the demo's organisations and return its index; a reorganisation's file is
    checked against the organisation stored now first, as an upload of the office is."""
    stage = stages[index]
    if index > 0:
        load_org(stage.path, await stored_organisation())
    async with write_transaction():
        await org_store.save_organisation(stage.organisation, "demo", stage.content_hash)
    return index
