"""Organisation versions (issue 24), on SQLite and PostgreSQL: every applied organisation is a
version with the lineage its `changes:` declare; a closed wave keeps the organisation it ran
with, whatever is applied later; a wrong reorganisation is refused whole."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from survey.errors import OrgFileError
from survey.services.demo import demo_org_file
from survey.services.demo_reorganisation import reorganised
from survey.services.org import import_org
from survey.services.waves import close_wave
from survey.store import org_versions
from survey.store.org import list_units
from survey.store.tables import OrgUnitRow, OrgVersion, WaveRow


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "org.yaml"
    shutil.copy(demo_org_file(), target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _unit(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(u for u in data["units"] if u["key"] == key)


def _reorganise(data: dict[str, Any]) -> None:
    """The demo's reorganisation (survey.services.demo_reorganisation), and besides: the Bauhof gets a new
    key, the Kita-Verwaltung is dissolved and a digital team is new."""
    data.update(reorganised(data, dt.date.today()))
    data["units"] = [u for u in data["units"] if u["key"] != "kita-verwaltung"]
    data["units"].append(
        {
            "key": "team-digital",
            "name": "Team Digitale Verwaltung",
            "kind": "Team",
            "parent": "it",
            "headcount": 7,
        }
    )
    _unit(data, "bauhof").update(key="betriebshof", name="Städtischer Betriebshof")
    data["valid_from"] = dt.date.today()
    data["changes"] += [
        {"kind": "renamed", "from": "bauhof", "to": "betriebshof"},
        {"kind": "dissolved", "from": "kita-verwaltung"},
        {"kind": "new", "to": "team-digital"},
    ]


async def test_a_reorganisation_becomes_a_version_with_its_lineage(db: str, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    await import_org(path)
    before = {u.key: u for u in await list_units(include_retired=True)}
    _edit(path, _reorganise)
    await import_org(path, by="amt10")

    versions = await OrgVersion.select().order_by(OrgVersion.id).run()
    assert len(versions) == 2
    assert versions[1]["applied_by"] == "amt10" and len(versions[1]["content_hash"]) == 64
    after = {u.key: u for u in await list_units(include_retired=True)}
    edges = {
        (e.kind, e.predecessor, e.successor, e.share, e.name_before) for e in await org_versions.lineage()
    }
    school, teams = (
        "Fachbereich Schul- und Sportverwaltung",
        ("Team Bürgerbüro Mitte", "Team Bürgerbüro Nord"),
    )
    assert edges == {
        ("split", before["schule-sport"].id, after["schulverwaltung"].id, 0.74, school),
        ("split", before["schule-sport"].id, after["sportamt"].id, 0.26, school),
        ("merged", before["team-buergerbuero-mitte"].id, after["team-buergerbuero"].id, None, teams[0]),
        ("merged", before["team-buergerbuero-nord"].id, after["team-buergerbuero"].id, None, teams[1]),
        ("moved", before["team-eingangszone"].id, before["team-eingangszone"].id, None, "Team Eingangszone"),
        # the name it had before: its row has only the new one
        ("renamed", before["bauhof"].id, before["bauhof"].id, None, "Fachbereich Bauhof"),
        ("dissolved", before["kita-verwaltung"].id, None, None, "Abteilung Kita-Verwaltung"),
        ("new", None, after["team-digital"].id, None, ""),
    }
    # the new key is the same unit: its row (and so its answers) stays; the old key is gone
    assert after["betriebshof"].id == before["bauhof"].id and "bauhof" not in after
    assert after["betriebshof"].active and after["betriebshof"].name == "Städtischer Betriebshof"
    assert after["team-eingangszone"].path == "/verwaltung/buerger-bauen/buergerdienste/team-eingangszone/"
    for ended in ("schule-sport", "team-buergerbuero-mitte", "team-buergerbuero-nord", "kita-verwaltung"):
        assert not after[ended].active


async def test_a_closed_wave_keeps_the_organisation_it_ran_with(field, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await close_wave("puls")
    wave = await WaveRow.select(WaveRow.id, WaveRow.org_version).where(WaveRow.key == "puls").first().run()
    kept = await org_versions.wave_organisation(wave["id"])
    units = {u.id: u for u in await list_units(include_retired=True)}
    assert {w.unit: (w.path, w.headcount) for w in kept} == {
        u.id: (u.path, u.headcount) for u in units.values()
    }
    assert wave["org_version"] == (await org_versions.latest_version()).id  # type: ignore[union-attr]

    path = _copy(tmp_path)
    _edit(path, _reorganise)
    _edit(path, lambda d: _unit(d, "jugendamt").update(headcount=999))
    await import_org(path)
    assert await org_versions.wave_organisation(wave["id"]) == kept  # not a figure of it changes
    moved = next(u for u in await list_units() if u.key == "team-eingangszone")
    assert next(w for w in kept if w.unit == moved.id).path == "/verwaltung/kjfs/jobcenter/team-eingangszone/"
    open_wave = await WaveRow.select(WaveRow.id).where(WaveRow.key == "buerger").first().run()
    assert (
        await org_versions.wave_organisation(open_wave["id"]) == []
    )  # a running wave follows the organisation


@pytest.mark.parametrize(
    ("change", "where", "fragment"),
    [
        (
            lambda d: d["changes"][1].update({"from": ["team-buergerbuero-mitte", "team-buergerbuero-west"]}),
            "changes[1].from[1]",
            "no unit `team-buergerbuero-west` in the organisation stored now",
        ),
        (
            lambda d: d["changes"][0]["shares"].update(sportamt=20),
            "changes[0].shares",
            "the shares add up to 94, not 100",
        ),
        (
            lambda d: d.update(valid_from=dt.date.today() + dt.timedelta(days=30)),
            "valid_from",
            "lies ahead",
        ),
    ],
    ids=["unknown-unit", "shares", "day-ahead"],
)
async def test_a_wrong_reorganisation_is_refused_whole(
    db: str, tmp_path: Path, change, where: str, fragment: str
) -> None:  # type: ignore[no-untyped-def]
    path = _copy(tmp_path)
    await import_org(path)
    units = await OrgUnitRow.select().order_by(OrgUnitRow.id).run()
    _edit(path, _reorganise)
    _edit(path, change)
    with pytest.raises(OrgFileError) as refused:
        await import_org(path)
    problem = next(p for p in refused.value.problems if p.path == where)
    assert fragment in problem.message and problem.file == str(path) and problem.line
    assert await OrgVersion.count().run() == 1
    assert await OrgUnitRow.select().order_by(OrgUnitRow.id).run() == units


async def test_each_unit_carries_its_series_across_the_reorganisation(field, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The staff wave closes under the old organisation, then the demo's reorganisation is
    applied: the new Schulverwaltung's value in that wave is the old Fachbereich's (shared), the
    merged Bürgerbüro team's is both old teams', and the Dezernat keeps the Team
    Eingangszone it had."""
    from survey.services.figures import visibility
    from survey.store.waves import list_waves

    await close_wave("puls")
    before = {u.key: u.id for u in await list_units(include_retired=True)}
    path = _copy(tmp_path)
    _edit(path, _reorganise)
    await import_org(path)
    units = await list_units()
    after = {u.key: u.id for u in units}
    waves = {w.key: w for w in await list_waves()}
    puls, buerger = waves["puls"].id, waves["buerger"].id
    parents = {u.key: u.parent for u in units}
    series = (await visibility([waves["puls"], waves["buerger"]], units, parents)).series

    school = series["schulverwaltung"]
    assert school.of(puls) == {before["schule-sport"]} and school.relation[puls] == "shared"
    assert school.of(buerger) == {after["schulverwaltung"]}  # the running wave: the tree as it is now
    team = series["team-buergerbuero"]
    assert team.of(puls) == {before["team-buergerbuero-mitte"], before["team-buergerbuero-nord"]}
    assert team.relation[puls] == "merged"
    assert [m.kind for m in team.markers] == ["merged"]
    assert before["team-eingangszone"] in series["kjfs"].of(puls)  # its place then
    assert before["team-eingangszone"] not in series["kjfs"].of(buerger)
    assert before["team-eingangszone"] in series["buerger-bauen"].of(buerger)
    assert series["betriebshof"].of(puls) == {before["bauhof"]}  # a new key, the same unit
    assert [(m.kind, m.names) for m in series["betriebshof"].markers] == [
        ("renamed", ("Fachbereich Bauhof",))
    ]
    assert series["team-digital"].of(puls) == frozenset()  # new: no series before it
    # dissolved since: its answers of then still count for the units it was part of
    assert before["kita-verwaltung"] in series["jugendamt"].of(puls)
    assert "kita-verwaltung" not in series  # and it has no series of its own any more
