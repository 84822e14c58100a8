"""Importing the organisation: all or nothing, idempotent, units kept for history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from survey.errors import OrgFileError
from survey.services.demo import demo_org_file
from survey.services.org import import_org
from survey.store.org import kommune_name, list_service_points, list_units


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "org.yaml"
    shutil.copy(demo_org_file(), target)
    return target


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


async def test_import_builds_the_tree(db: str, tmp_path: Path) -> None:
    organisation, change = await import_org(_copy(tmp_path))
    units = {u.key: u for u in await list_units()}
    assert change.added == len(organisation.units) == len(units)
    assert units["verwaltung"].parent is None and units["verwaltung"].depth == 0
    assert units["jugendamt"].parent == "kjfs"
    assert units["jugendamt"].path == "/verwaltung/kjfs/jugendamt/"
    assert units["asd"].path.startswith(units["kjfs"].path)
    assert len(await list_service_points()) == len(organisation.service_points) == 10
    assert await kommune_name() == "Stadt Lindenau"


async def test_import_twice_changes_nothing(db: str, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    await import_org(path)
    before = await list_units()
    _, change = await import_org(path)
    assert (change.added, change.updated, change.retired) == (0, 0, 0)
    assert await list_units() == before


async def test_changed_file_updates_and_retires(db: str, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    await import_org(path)

    def change(data: dict) -> None:
        for unit in data["units"]:
            if unit["key"] == "musikschule":
                unit["headcount"] = 99
        data["units"] = [u for u in data["units"] if u["key"] != "bauhof"]

    _edit(path, change)
    _, result = await import_org(path)
    assert (result.added, result.updated, result.retired) == (0, 1, 1)
    units = {u.key: u for u in await list_units()}
    assert units["musikschule"].headcount == 99
    assert "bauhof" not in units
    assert "bauhof" in {u.key for u in await list_units(include_retired=True)}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["units"][3].update(parent="nirgendwo"), "no unit with key `nirgendwo`"),
        (lambda d: d["units"].append(dict(d["units"][2])), "is already used by"),
        (lambda d: d["units"][2].update(headcount=-3), "out of range"),
    ],
)
async def test_bad_file_imports_nothing(db: str, tmp_path: Path, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    path = _copy(tmp_path)
    _edit(path, change)
    with pytest.raises(OrgFileError) as caught:
        await import_org(path)
    assert expected in str(caught.value)
    assert str(path) in str(caught.value)
    assert await list_units(include_retired=True) == []


async def test_bad_reimport_leaves_the_stored_tree(db: str, tmp_path: Path) -> None:
    path = _copy(tmp_path)
    await import_org(path)
    before = json.dumps([u.__dict__ for u in await list_units(include_retired=True)])
    _edit(path, lambda d: d["units"][5].update(parent=d["units"][5]["key"]))
    with pytest.raises(OrgFileError, match="names itself as parent"):
        await import_org(path)
    assert json.dumps([u.__dict__ for u in await list_units(include_retired=True)]) == before
