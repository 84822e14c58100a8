"""The `changes:` section of an organisation file (survey.domain.org_changes): a reorganisation
declared as it should be is read; every wrong one is refused with file, line and what to do,
and nothing of the file is taken then."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import assert_problem, line_of, show, write_data

from survey.domain import check_org, load_org
from survey.domain.org import StoredOrganisation
from survey.domain.org_changes import UnitChange
from survey.errors import OrgFileError


@dataclass(frozen=True)
class Stored:
    key: str
    name: str
    parent: str | None
    active: bool = True


#: the organisation stored before the file: a Fachbereich of 43 staff, two Bürgerbüros, a team
UNITS = [
    Stored("verwaltung", "Stadtverwaltung", None),
    Stored("d1", "Dezernat I", "verwaltung"),
    Stored("d2", "Dezernat II", "verwaltung"),
    Stored("schul-sport", "Schul- und Sportverwaltung", "d1"),
    Stored("bb-nord", "Bürgerbüro Nord", "d2"),
    Stored("bb-sued", "Bürgerbüro Süd", "d2"),
    Stored("team-x", "Team X", "bb-nord"),
    Stored("archiv", "Archiv", "d1"),
    Stored("alt", "Altes Amt", "d1", active=False),
]
STORED = StoredOrganisation(UNITS, valid_from=dt.date(2026, 1, 1), today=dt.date(2027, 1, 2))


def _unit(key: str, name: str, kind: str, parent: str | None, headcount: int) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "kind": kind,
        **({"parent": parent} if parent else {}),
        "headcount": headcount,
    }


def _file() -> dict[str, Any]:
    """After the reorganisation: the Fachbereich split 40 + 3, the Bürgerbüros merged, the team
    moved to the Schulverwaltung, the Archiv dissolved."""
    return {
        "kommune": "Teststadt",
        "valid_from": dt.date(2027, 1, 1),
        "units": [
            _unit("verwaltung", "Stadtverwaltung", "Verwaltung", None, 2),
            _unit("d1", "Dezernat I", "Dezernat", "verwaltung", 3),
            _unit("d2", "Dezernat II", "Dezernat", "verwaltung", 3),
            _unit("schule", "Schulverwaltung", "Fachbereich", "d1", 40),
            _unit("sport", "Sportamt", "Fachbereich", "d1", 3),
            _unit("bb", "Bürgerbüro", "Fachbereich", "d2", 30),
            _unit("team-x", "Team X", "Team", "schule", 6),
        ],
        "changes": [
            {
                "kind": "split",
                "from": "schul-sport",
                "to": ["schule", "sport"],
                "shares": {"schule": 93, "sport": 7},
            },
            {"kind": "merged", "from": ["bb-nord", "bb-sued"], "to": "bb"},
            {"kind": "moved", "from": "team-x", "to": "team-x"},
            {"kind": "dissolved", "from": "archiv"},
        ],
    }


def test_a_declared_reorganisation_is_read(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    write_data(path, _file())
    organisation = load_org(path, STORED)
    assert organisation.valid_from == dt.date(2027, 1, 1)
    assert organisation.changes == [
        UnitChange("split", ["schul-sport"], ["schule", "sport"], {"schule": 93, "sport": 7}),
        UnitChange("merged", ["bb-nord", "bb-sued"], ["bb"]),
        UnitChange("moved", ["team-x"], ["team-x"]),
        UnitChange("dissolved", ["archiv"], []),
    ]
    assert organisation.changes[0].ended() == ["schul-sport"]
    assert organisation.changes[2].ended() == []


def test_a_file_without_changes_or_date_is_read_as_before(tmp_path: Path) -> None:
    data = _file()
    del data["changes"], data["valid_from"]
    path = tmp_path / "org.yaml"
    write_data(path, data)
    organisation = load_org(path, STORED)
    assert organisation.changes == [] and organisation.valid_from is None


def test_a_merger_may_keep_one_of_its_units(tmp_path: Path) -> None:
    """Bürgerbüro Nord takes Süd in: Nord goes on, Süd ends."""
    data = _file()
    data["units"][5] = _unit("bb-nord", "Bürgerbüro", "Fachbereich", "d2", 30)
    data["units"][6]["parent"] = "schule"
    data["changes"][1] = {"kind": "merged", "from": ["bb-nord", "bb-sued"], "to": "bb-nord"}
    path = tmp_path / "org.yaml"
    write_data(path, data)
    assert load_org(path, STORED).changes[1].ended() == ["bb-sued"]


@dataclass(frozen=True)
class Case:
    id: str
    change: Callable[[dict[str, Any]], object]
    path: str
    fragments: tuple[str, ...]
    #: a text on the line the problem must point at (its first occurrence)
    line_at: str | None = None
    #: checked only against the organisation stored now
    stored_only: bool = False


def _changes(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data["changes"]


CASES = [
    Case(
        "unknown-unit-in-to",
        lambda d: _changes(d)[0].update(to=["schule", "sportamt"], shares={"schule": 93, "sportamt": 7}),
        "changes[0].to[1]",
        ("no unit with key `sportamt` in `units`", "fix the key or add the unit"),
        line_at="- sportamt",
    ),
    Case(
        "unknown-unit-in-from",
        lambda d: _changes(d)[1].update({"from": ["bb-nord", "bb-west"]}),
        "changes[1].from[1]",
        ("no unit `bb-west` in the organisation stored now", "fix the key"),
        line_at="- bb-west",
        stored_only=True,
    ),
    Case(
        "shares-do-not-add-up",
        lambda d: _changes(d)[0]["shares"].update(schule=90),
        "changes[0].shares",
        ("the shares add up to 97, not 100", "in percent, together 100"),
        line_at="shares:",
    ),
    Case(
        "share-missing",
        lambda d: _changes(d)[0].update(shares={"schule": 100}),
        "changes[0].shares",
        ("no share for `sport`",),
    ),
    Case(
        "share-for-another-unit",
        lambda d: _changes(d)[0].update(shares={"schule": 93, "sport": 5, "bb": 2}),
        "changes[0].shares.bb",
        ("`bb` is not in `to`",),
    ),
    Case(
        "split-without-shares",
        lambda d: _changes(d)[0].pop("shares"),
        "changes[0]",
        ("`shares` is missing", "{schule: 60, sport: 40}"),
    ),
    Case(
        "share-of-nothing",
        lambda d: _changes(d)[0].update(shares={"schule": 100, "sport": 0}),
        "changes[0].shares.sport",
        ("0 is out of range", "more than 0"),
    ),
    Case(
        "shares-on-a-merger",
        lambda d: _changes(d)[1].update(shares={"bb": 100}),
        "changes[1].shares",
        ("only a split has shares: remove them here",),
    ),
    Case(
        "merged-and-moved",
        lambda d: _changes(d).append({"kind": "moved", "from": "bb", "to": "bb"}),
        "changes[4].from[0]",
        ("`bb` is already named in changes[1]", "one change per upload"),
    ),
    Case(
        "cycle",
        lambda d: _changes(d).extend(
            [{"kind": "renamed", "from": "d1", "to": "d2"}, {"kind": "renamed", "from": "d2", "to": "d1"}]
        ),
        "changes[4]",
        ("the changes lead round in a cycle: d1 → d2 → d1", "remove one of these changes"),
    ),
    Case(
        "split-into-one",
        lambda d: _changes(d)[0].update(to=["schule"], shares={"schule": 100}),
        "changes[0].to",
        ("the two or more units it became in `to` (here: 1)",),
    ),
    Case(
        "merger-of-one",
        lambda d: _changes(d)[1].update({"from": "bb-nord"}),
        "changes[1].from",
        ("names two or more units in `from`", "(here: 1)"),
    ),
    Case(
        "moved-to-another-key",
        lambda d: _changes(d)[2].update(to="team-y"),
        "changes[2].to",
        ("a move keeps the unit's key", "declare the new key as `renamed`"),
    ),
    Case(
        "unknown-kind",
        lambda d: _changes(d)[3].update(kind="abolished"),
        "changes[3].kind",
        ("`abolished` is not allowed here", "renamed, moved, merged, split, dissolved, new"),
    ),
    Case(
        "key-is-a-number",
        lambda d: _changes(d)[3].update({"from": 17}),
        "changes[3].from",
        ("expected a text or a list, found a whole number",),
    ),
    Case(
        "dissolved-but-still-listed",
        lambda d: d["units"].append(_unit("archiv", "Archiv", "Fachbereich", "d1", 2)),
        "changes[3].from[0]",
        ("`archiv` ends with this change but is still listed in `units`", "remove it there"),
    ),
    Case(
        "new-unit-exists-already",
        lambda d: _changes(d).append({"kind": "new", "to": "d2"}),
        "changes[4].to[0]",
        ("`d2` is a unit already",),
        stored_only=True,
    ),
    Case(
        "moved-but-same-parent",
        lambda d: _changes(d).append({"kind": "moved", "from": "d2", "to": "d2"}),
        "changes[4]",
        ("`d2` stays under `verwaltung`", "give it its new `parent`"),
        stored_only=True,
    ),
    Case(
        "unknown-key-in-a-change",
        lambda d: _changes(d)[3].update(into="bb"),
        "changes[3].into",
        ("unknown key `into`", "allowed here: from, kind, shares, to"),
    ),
    Case(
        "renamed-to-a-retired-key",
        lambda d: (
            d["units"].__setitem__(1, _unit("alt", "Dezernat I", "Dezernat", "verwaltung", 3)),
            [u.update(parent="alt") for u in d["units"] if u.get("parent") == "d1"],
            _changes(d).append({"kind": "renamed", "from": "d1", "to": "alt"}),
        ),
        "changes[4].to[0]",
        ("`alt` was the key of a retired unit", "another key"),
        stored_only=True,
    ),
    Case(
        "valid-from-ahead",
        lambda d: d.update(valid_from=dt.date(2027, 2, 1)),
        "valid_from",
        ("2027-02-01 lies ahead", "apply the file on that day or later"),
        stored_only=True,
    ),
    Case(
        "valid-from-before-the-stored-one",
        lambda d: d.update(valid_from=dt.date(2025, 12, 31)),
        "valid_from",
        ("the organisation stored now is valid from 2026-01-01", "write 2026-01-01 or a later day"),
        stored_only=True,
    ),
    Case(
        "valid-from-not-a-day",
        lambda d: d.update(valid_from="next spring"),
        "valid_from",
        ("expected a day such as 2027-01-01",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_wrong_change_is_refused_with_file_line_and_fix(case: Case, tmp_path: Path) -> None:
    data = _file()
    case.change(data)
    path = tmp_path / "org.yaml"
    write_data(path, data)
    organisation, problems = check_org(path, STORED)
    assert organisation is None, show(problems)
    problem = assert_problem(problems, path, case.path, *case.fragments)
    assert problem.line is not None
    if case.line_at is not None:
        assert problem.line == line_of(path, case.line_at), show(problems)
    with pytest.raises(OrgFileError):
        load_org(path, STORED)
    # what needs the stored organisation is found only with it; the rest with the file alone
    alone, found = check_org(path)
    assert (alone is not None and not found) == case.stored_only, show(found)
