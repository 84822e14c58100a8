"""The organisation file: the shipped demo loads, the tree helpers work, mistakes are all reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    SHIPPED_ORG,
    assert_problem,
    edit_data,
    edit_text,
    line_of,
    matching,
    read_data,
    show,
    write_data,
)

from survey.domain import Organisation, check_org, load_org
from survey.errors import OrgFileError

KINDS = "Verwaltung > Dezernat > Fachbereich > Abteilung > Team"


@pytest.fixture(scope="module")
def org() -> Organisation:
    return load_org(SHIPPED_ORG)


def test_shipped_org_loads_without_problems() -> None:
    organisation, problems = check_org(SHIPPED_ORG)
    assert problems == [], show(problems)
    assert organisation is not None
    assert organisation.kommune == "Stadt Lindenau"


def test_shipped_org_shape(org: Organisation) -> None:
    assert len(org.units) >= 25
    assert len({u.key for u in org.units}) == len(org.units)
    assert len(org.service_points) == 10
    assert org.root.key == "verwaltung"
    assert org.root.kind == "Verwaltung"
    assert [u.key for u in org.units if u.parent is None] == ["verwaltung"]
    assert all(u.headcount >= 0 for u in org.units)
    keys = {u.key for u in org.units}
    assert all(p.unit in keys for p in org.service_points)


def test_kjfs_holds_the_social_departments(org: Organisation) -> None:
    names = {u.name for u in org.children("kjfs")}
    assert names == {
        "Fachbereich Jugendamt",
        "Fachbereich Jobcenter",
        "Fachbereich Sozialamt",
        "Fachbereich Schul- und Sportverwaltung",
        "Fachbereich Musikschule",
    }
    assert org.unit("kjfs").kind == "Dezernat"
    assert org.unit("kjfs").parent == "verwaltung"


def test_children_of_none_is_the_root(org: Organisation) -> None:
    assert [u.key for u in org.children(None)] == ["verwaltung"]
    assert [u.key for u in org.children("verwaltung")] == ["zentral", "buerger-bauen", "kjfs"]


def test_path_runs_from_the_root_down(org: Organisation) -> None:
    assert org.path("asd") == ["verwaltung", "kjfs", "jugendamt", "asd"]
    assert org.path("team-eingangszone") == ["verwaltung", "kjfs", "jobcenter", "team-eingangszone"]
    assert org.path("verwaltung") == ["verwaltung"]


def test_subtree_lists_parents_before_children(org: Organisation) -> None:
    subtree = [u.key for u in org.subtree("kjfs")]
    assert subtree[0] == "kjfs"
    assert set(subtree) == {
        "kjfs",
        "jugendamt",
        "asd",
        "kita-verwaltung",
        "jobcenter",
        "team-markt-integration",
        "team-leistung",
        "team-eingangszone",
        "sozialamt",
        "grundsicherung",
        "schule-sport",
        "musikschule",
    }
    assert len(subtree) == len(set(subtree))
    for key in subtree[1:]:
        assert subtree.index(org.unit(key).parent) < subtree.index(key)
    assert [u.key for u in org.subtree("musikschule")] == ["musikschule"]


def test_ordered_covers_every_unit_once_top_down(org: Organisation) -> None:
    ordered = org.ordered()
    assert sorted(u.key for u in ordered) == sorted(u.key for u in org.units)
    seen: set[str] = set()
    for unit in ordered:
        assert unit.parent is None or unit.parent in seen
        seen.add(unit.key)


def test_every_path_is_consistent_with_subtrees(org: Organisation) -> None:
    for unit in org.units:
        path = org.path(unit.key)
        assert path[0] == "verwaltung" and path[-1] == unit.key
        for ancestor in path:
            assert unit.key in {u.key for u in org.subtree(ancestor)}


# --- bad organisation files ----------------------------------------------------------------------


def _unit(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(u for u in data["units"] if u["key"] == key)


def _index(key: str) -> int:
    """Position of a unit in the shipped file (mutations keep positions)."""
    return next(i for i, u in enumerate(read_data(SHIPPED_ORG)["units"]) if u["key"] == key)


def set_unit(unit: str, **fields: Any) -> Callable[[Path], None]:
    return lambda path: edit_data(path, lambda d: _unit(d, unit).update(fields))


def drop_parent(key: str) -> Callable[[Path], None]:
    return lambda path: edit_data(path, lambda d: _unit(d, key).pop("parent"))


@dataclass(frozen=True)
class OrgCase:
    id: str
    mutate: Callable[[Path], None]
    path: str
    fragments: tuple[str, ...]
    line_at: str | None = None
    line_nth: int = 1  # which occurrence of `line_at`


ORG_CASES = [
    OrgCase(
        "self-parent",
        set_unit("jugendamt", parent="jugendamt"),
        f"units[{_index('jugendamt')}].parent",
        ("`jugendamt` names itself as parent: name the unit above it",),
    ),
    OrgCase(
        "unknown-parent",
        set_unit("jugendamt", parent="kjf"),
        f"units[{_index('jugendamt')}].parent",
        ("no unit with key `kjf`: fix the key or add that unit",),
    ),
    OrgCase(
        "duplicate-unit-key",
        set_unit("kita-verwaltung", key="asd"),
        f"units[{_index('kita-verwaltung')}].key",
        (f"the key `asd` is already used by units[{_index('asd')}]: give each unit its own key",),
    ),
    OrgCase(
        "two-roots",
        drop_parent("zentral"),
        "units",
        ("exactly one unit needs no `parent` (the whole administration); found 2: verwaltung, zentral",),
    ),
    OrgCase(
        "no-root",
        set_unit("verwaltung", parent="land"),
        "units",
        ("exactly one unit needs no `parent` (the whole administration); found 0: none",),
    ),
    OrgCase(
        "negative-headcount",
        set_unit("standesamt", headcount=-3),
        f"units[{_index('standesamt')}].headcount",
        ("-3 is out of range: give the number of staff as a whole number, 0 or more",),
    ),
    OrgCase(
        "fractional-headcount",
        lambda path: edit_text(path, "    headcount: 24\n", "    headcount: 12.5\n"),
        f"units[{_index('standesamt')}].headcount",
        ("expected a whole number, found a number: give the number of staff as a whole number",),
        line_at="headcount: 12.5",
    ),
    OrgCase(
        "whole-float-headcount",
        lambda path: edit_text(path, "    headcount: 24\n", "    headcount: 24.0\n"),
        f"units[{_index('standesamt')}].headcount",
        ("expected a whole number, found a number: give the number of staff as a whole number",),
    ),
    OrgCase(
        "headcount-in-words",
        lambda path: edit_text(path, "    headcount: 24\n", "    headcount: zwölf\n"),
        f"units[{_index('standesamt')}].headcount",
        ("expected a whole number, found a text: give the number of staff as a whole number, 0 or more",),
        line_at="headcount: zwölf",
    ),
    OrgCase(
        "dezernat-under-fachbereich",
        set_unit("asd", kind="Dezernat"),
        f"units[{_index('asd')}].kind",
        (f"a Dezernat cannot sit under the Fachbereich `jugendamt`: the order is {KINDS}",),
    ),
    OrgCase(
        "team-under-team",
        set_unit("team-leistung", parent="team-eingangszone"),
        f"units[{_index('team-leistung')}].kind",
        (f"a Team cannot sit under the Team `team-eingangszone`: the order is {KINDS}",),
    ),
    OrgCase(
        "unknown-kind",
        set_unit("musikschule", kind="Amt"),
        f"units[{_index('musikschule')}].kind",
        ("`Amt` is not allowed here: use one of Verwaltung, Dezernat, Fachbereich, Abteilung, Team",),
    ),
    OrgCase(
        "service-point-unknown-unit",
        lambda path: edit_text(path, "    unit: musikschule\n", "    unit: musik-schule\n"),
        "service_points[8].unit",
        ("no unit with key `musik-schule`: fix the key or add that unit",),
        line_at="unit: musik-schule",
    ),
    OrgCase(
        "duplicate-service-point-key",
        lambda path: edit_text(path, "  - key: buergerbuero-nord\n", "  - key: buergerbuero-mitte\n"),
        "service_points[1].key",
        ("the key `buergerbuero-mitte` is used twice: give each service point its own key",),
        line_at="key: buergerbuero-mitte",
        line_nth=2,
    ),
    OrgCase(
        "unknown-key-in-unit",
        lambda path: edit_text(path, "    headcount: 82\n", "    headcont: 82\n"),
        f"units[{_index('musikschule')}].headcont",
        (
            "unknown key `headcont`: remove it or fix the spelling "
            "(allowed here: headcount, key, kind, name, parent)",
        ),
        line_at="headcont: 82",
    ),
    OrgCase(
        "missing-headcount",
        lambda path: edit_text(path, "    headcount: 82\n", ""),
        f"units[{_index('musikschule')}].headcount",
        ("`headcount` is missing: add it",),
    ),
    OrgCase(
        "missing-kommune",
        lambda path: edit_text(path, "kommune: Stadt Lindenau\n", ""),
        "kommune",
        ("`kommune` is missing: add it",),
    ),
    OrgCase(
        "bad-unit-key",
        set_unit("musikschule", key="Musikschule"),
        f"units[{_index('musikschule')}].key",
        ("`Musikschule` is not valid here: use lower-case letters, digits and single hyphens",),
    ),
    OrgCase(
        "duplicate-yaml-key",
        lambda path: edit_text(
            path, "kommune: Stadt Lindenau\n", "kommune: Stadt Lindenau\nkommune: Lindenau\n"
        ),
        "kommune",
        ("the key `kommune` appears twice here: keep one",),
        line_at="kommune: Lindenau",
    ),
    OrgCase(
        "not-yaml",
        lambda path: edit_text(path, "kommune: Stadt Lindenau\n", "kommune: Stadt: Lindenau\n"),
        "",
        ("not valid YAML: mapping values are not allowed here", "quote texts that contain ':'"),
        line_at="kommune: Stadt: Lindenau",
    ),
    OrgCase(
        "empty",
        lambda path: path.write_text("", encoding="utf-8"),
        "",
        ("the file is empty: write the content described in the README",),
    ),
    OrgCase(
        "non-utf8",
        lambda path: path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252")),
        "",
        ("not UTF-8 text (byte ", "): save the file as UTF-8"),
    ),
]


@pytest.mark.parametrize("case", ORG_CASES, ids=[case.id for case in ORG_CASES])
def test_bad_org_file(case: OrgCase, org_copy: Path) -> None:
    case.mutate(org_copy)
    organisation, problems = check_org(org_copy)
    assert organisation is None
    problem = assert_problem(problems, org_copy, case.path, *case.fragments)
    assert {p.file for p in problems} == {str(org_copy)}
    if case.path:
        assert problem.line is not None
    if case.line_at is not None:
        assert problem.line == line_of(org_copy, case.line_at, case.line_nth), show(problems)
    with pytest.raises(OrgFileError) as raised:
        load_org(org_copy)
    assert problem in raised.value.problems


def test_cycle_is_reported_once(org_copy: Path) -> None:
    edit_data(org_copy, lambda d: _unit(d, "jugendamt").update(parent="asd"))
    _, problems = check_org(org_copy)
    cycles = [p for p in problems if "cycle" in p.message]
    assert len(cycles) == 1, show(problems)
    assert cycles[0].path == f"units[{_index('jugendamt')}].parent"
    assert cycles[0].message == (
        "the parents form a cycle: jugendamt → asd → jugendamt; one of them must point further up"
    )
    # A cycle always breaks the kind order somewhere; that is reported as well, at the unit.
    assert matching(
        problems, org_copy, f"units[{_index('jugendamt')}].kind", "cannot sit under the Abteilung"
    )


def test_cycle_is_reported_at_a_unit_in_the_cycle(tmp_path: Path) -> None:
    """A unit that merely hangs below a cycle is not where the mistake is."""
    path = tmp_path / "org.yaml"
    write_data(
        path,
        {
            "kommune": "Testhausen",
            "units": [
                {"key": "rathaus", "name": "Rathaus", "kind": "Verwaltung", "headcount": 1},
                {"key": "team-x", "name": "Team X", "kind": "Team", "parent": "fb-a", "headcount": 3},
                {"key": "fb-a", "name": "A", "kind": "Fachbereich", "parent": "fb-b", "headcount": 4},
                {"key": "fb-b", "name": "B", "kind": "Fachbereich", "parent": "fb-a", "headcount": 5},
            ],
        },
    )
    _, problems = check_org(path)
    cycles = [p for p in problems if "cycle" in p.message]
    assert [(p.path, p.message) for p in cycles] == [
        ("units[2].parent", "the parents form a cycle: fb-a → fb-b → fb-a; one of them must point further up")
    ], show(problems)


def test_longer_cycle_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    units = [{"key": "rathaus", "name": "Rathaus", "kind": "Verwaltung", "headcount": 1}]
    units += [
        {"key": f"t{i}", "name": f"T{i}", "kind": "Team", "parent": f"t{(i + 1) % 4}", "headcount": 1}
        for i in range(4)
    ]
    write_data(path, {"kommune": "Testhausen", "units": units})
    _, problems = check_org(path)
    cycles = [p for p in problems if "cycle" in p.message]
    assert len(cycles) == 1, show(problems)
    assert "t0 → t1 → t2 → t3 → t0" in cycles[0].message


def test_several_mistakes_are_all_reported(org_copy: Path) -> None:
    def break_it(d: dict[str, Any]) -> None:
        _unit(d, "jugendamt").update(parent="asd")  # cycle
        _unit(d, "standesamt").update(headcount=-1)
        _unit(d, "musikschule").update(kind="Amt")
        _unit(d, "bauhof").update(parent="bauamt")
        _unit(d, "kita-verwaltung").update(key="asd")
        d["service_points"][3]["unit"] = "kfz"
        d["service_points"][5]["key"] = "buergerbuero-mitte"

    edit_data(org_copy, break_it)
    organisation, problems = check_org(org_copy)
    assert organisation is None
    expected = [
        (f"units[{_index('jugendamt')}].parent", "cycle: jugendamt → asd → jugendamt"),
        (f"units[{_index('jugendamt')}].kind", "a Fachbereich cannot sit under the Abteilung `asd`"),
        (f"units[{_index('standesamt')}].headcount", "-1 is out of range"),
        (f"units[{_index('musikschule')}].kind", "`Amt` is not allowed here"),
        (f"units[{_index('bauhof')}].parent", "no unit with key `bauamt`"),
        (f"units[{_index('kita-verwaltung')}].key", "the key `asd` is already used"),
        ("service_points[3].unit", "no unit with key `kfz`"),
        ("service_points[5].key", "the key `buergerbuero-mitte` is used twice"),
    ]
    for path, fragment in expected:
        assert matching(problems, org_copy, path, fragment), f"missing {path} {fragment}:\n{show(problems)}"
    assert len(problems) == len(expected), show(problems)
    # Problems come in file order.
    assert [p.line for p in problems] == sorted(p.line or 0 for p in problems)
    with pytest.raises(OrgFileError) as raised:
        load_org(org_copy)
    assert raised.value.problems == problems


def test_missing_org_file_is_a_problem(tmp_path: Path) -> None:
    organisation, problems = check_org(tmp_path / "nope.yaml")
    assert organisation is None
    assert len(problems) == 1
    assert problems[0].message.startswith("cannot be read (")
    assert problems[0].message.endswith("): check the path")


def test_org_without_service_points_is_fine(org_copy: Path) -> None:
    edit_data(org_copy, lambda d: d.pop("service_points"))
    organisation = load_org(org_copy)
    assert organisation.service_points == []
    assert len(organisation.units) == len(load_org(SHIPPED_ORG).units)
