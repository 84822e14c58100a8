"""Property tests: whatever a person (or a broken editor) writes, the loaders answer with problems.

They never raise; every problem names an existing file, a place inside it and what to do
(file_strategies.py `answer_flaw`); a folder or file without problems really loads.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import SHIPPED, SHIPPED_ORG, read_data, write_data
from file_strategies import GARBAGE, assert_answered, mutated
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from survey.domain import check_catalog, check_org, diff_versions

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)


# --- questionnaire files -------------------------------------------------------------------------

TARGETS = ["staff-pulse/v1.yaml", "staff-pulse/v2.yaml", "citizen-contact/v1.yaml", "leitbild.yaml"]
ORIGINALS = {target: read_data(SHIPPED / target) for target in TARGETS}
SHIPPED_BYTES = {target: (SHIPPED / target).read_bytes() for target in TARGETS}


def _catalog(factory: pytest.TempPathFactory, *parts: str) -> Path:
    root = factory.mktemp("properties") / "questionnaires"
    root.mkdir()
    for part in parts:
        if (SHIPPED / part).is_dir():
            shutil.copytree(SHIPPED / part, root / part)
        else:
            shutil.copyfile(SHIPPED / part, root / part)
    return root


@pytest.fixture(scope="module")
def staff_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """leitbild.yaml and staff-pulse only: checking it is cheap enough for hundreds of examples."""
    return _catalog(tmp_path_factory, "leitbild.yaml", "staff-pulse")


@pytest.fixture(scope="module")
def citizen_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _catalog(tmp_path_factory, "leitbild.yaml", "citizen-contact")


def _check_mutated(root: Path, target: str, data: Any) -> None:
    path = root / target
    write_data(path, data)
    try:
        catalog, problems = check_catalog(root)
        assert_answered(problems)
        event("still loads" if not problems else "refused")
        if not problems:
            # Without problems the catalog is complete and consistent.
            assert catalog.leitbilder
            for version in catalog.versions.values():
                assert len(version.content_hash) == 64
                assert version.leitbild in catalog.leitbilder
                for item in version.items:
                    assert item.scale in version.scales
                    assert set(item.text) == set(version.languages)
    finally:
        path.write_bytes(SHIPPED_BYTES[target])


@SETTINGS
@given(
    target=st.sampled_from(["staff-pulse/v1.yaml", "staff-pulse/v2.yaml", "leitbild.yaml"]),
    seed=st.data(),
)
def test_mutated_staff_files_never_raise(staff_catalog: Path, target: str, seed: st.DataObject) -> None:
    _check_mutated(staff_catalog, target, seed.draw(mutated(ORIGINALS[target])))


@settings(SETTINGS, max_examples=40)
@given(seed=st.data())
def test_mutated_citizen_file_never_raises(citizen_catalog: Path, seed: st.DataObject) -> None:
    target = "citizen-contact/v1.yaml"
    _check_mutated(citizen_catalog, target, seed.draw(mutated(ORIGINALS[target])))


@pytest.fixture(scope="module")
def garbage_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Leitbild and one folder whose only version file gets random bytes."""
    root = _catalog(tmp_path_factory, "leitbild.yaml")
    (root / "staff-pulse").mkdir()
    return root


@SETTINGS
@given(content=GARBAGE, as_version=st.booleans())
def test_random_bytes_as_a_questionnaire_file_never_raise(
    garbage_catalog: Path, content: bytes, as_version: bool
) -> None:
    path = garbage_catalog / ("staff-pulse/v1.yaml" if as_version else "leitbild.yaml")
    path.write_bytes(content)
    try:
        _, problems = check_catalog(garbage_catalog)
        assert_answered(problems)
        # Random bytes never make a valid file: the file itself is named.
        assert any(p.file == str(path) for p in problems)
    finally:
        if as_version:
            path.unlink()
        else:
            path.write_bytes(SHIPPED_BYTES["leitbild.yaml"])


# --- organisation files --------------------------------------------------------------------------

ORG = read_data(SHIPPED_ORG)


@pytest.fixture(scope="module")
def org_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties") / "org.yaml"


@SETTINGS
@given(data=mutated(ORG))
def test_mutated_org_file_never_raises(org_path: Path, data: Any) -> None:
    write_data(org_path, data)
    organisation, problems = check_org(org_path)
    assert_answered(problems)
    event("still loads" if not problems else "refused")
    assert all(p.file == str(org_path) for p in problems)
    if problems:
        assert organisation is None
    else:
        # Without problems the tree really is a tree under one root.
        assert organisation is not None
        ordered = organisation.ordered()
        assert sorted(u.key for u in ordered) == sorted(u.key for u in organisation.units)
        keys = {u.key for u in organisation.units}
        assert all(p.unit in keys for p in organisation.service_points)


@SETTINGS
@given(content=GARBAGE)
def test_random_bytes_as_an_org_file_never_raise(org_path: Path, content: bytes) -> None:
    org_path.write_bytes(content)
    organisation, problems = check_org(org_path)
    assert_answered(problems)
    assert organisation is None
    assert problems and all(p.file == str(org_path) for p in problems)


# --- benign edits: retiring any items of v2 keeps the folder valid, and the diff adds up ----------


@settings(SETTINGS, max_examples=50)
@given(keep=st.lists(st.booleans(), min_size=17, max_size=17).filter(any))
def test_retiring_items_keeps_the_catalog_valid_and_the_diff_complete(
    staff_catalog: Path, keep: list[bool]
) -> None:
    target = "staff-pulse/v2.yaml"
    data = copy.deepcopy(ORIGINALS[target])
    assert len(data["items"]) == len(keep)
    data["items"] = [item for item, kept in zip(data["items"], keep, strict=True) if kept]
    write_data(staff_catalog / target, data)
    try:
        catalog, problems = check_catalog(staff_catalog)
    finally:
        (staff_catalog / target).write_bytes(SHIPPED_BYTES[target])
    assert problems == []
    v1, v2 = catalog.version("staff-pulse", 1), catalog.version("staff-pulse", 2)
    diff = diff_versions(catalog, "staff-pulse", 1, 2)
    new_side = diff.identical + diff.editorial + [new for _, new in diff.replaced] + diff.added
    old_side = diff.identical + diff.editorial + [old for old, _ in diff.replaced] + diff.retired
    assert sorted(new_side) == sorted(v2.item_ids)
    assert sorted(old_side) == sorted(v1.item_ids)
    comparable = set(diff.comparable_items)
    for trend in diff.values:
        assert set(trend.common_items) <= comparable
        assert trend.comparable == bool(trend.common_items)
        assert all(trend.value in v2.item(i).values for i in trend.common_items)
    back = diff_versions(catalog, "staff-pulse", 2, 1)
    assert (back.added, back.retired) == (diff.retired, diff.added)
