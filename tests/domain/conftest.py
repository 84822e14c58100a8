"""Shared helpers for the domain tests: copies of the shipped files and problem matchers.

Every test that changes a file works on a copy under `tmp_path`; the shipped folder is only read.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from survey.domain.yamlfile import read_yaml
from survey.errors import Problem

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "questionnaires"
SHIPPED_ORG = REPO / "survey" / "demo" / "org.yaml"


@pytest.fixture
def shipped_root() -> Path:
    return SHIPPED


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped questionnaire folder."""
    root = tmp_path / "questionnaires"
    shutil.copytree(SHIPPED, root)
    return root


@pytest.fixture
def org_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped organisation file."""
    path = tmp_path / "org.yaml"
    shutil.copyfile(SHIPPED_ORG, path)
    return path


def edit_text(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace `old` by `new` in the file; `old` must occur (so a stale mutation fails loudly)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}: the mutation is out of date"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def read_data(path: Path) -> Any:
    doc = read_yaml(path)
    assert not doc.problems, doc.problems
    return doc.data


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes shared objects out in full: the loaders refuse YAML aliases. (libyaml where available.)"""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_data(path: Path, data: Any) -> None:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(text, encoding="utf-8")


def edit_data(path: Path, change: Callable[[Any], object]) -> None:
    """Decode the file, let `change` mutate the data in place (its result is ignored), write it back."""
    data = read_data(path)
    change(data)
    write_data(path, data)


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """1-based number of the line holding the `nth` occurrence of `needle`."""
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == nth:
                return number
    raise AssertionError(f"{needle!r} (occurrence {nth}) is not in {path}")


def show(problems: Iterable[Problem]) -> str:
    return "\n".join(str(p) for p in problems) or "(no problems)"


def matching(problems: Iterable[Problem], file: Path | str, path: str, *fragments: str) -> list[Problem]:
    return [
        p
        for p in problems
        if p.file == str(file) and p.path == path and all(fragment in p.message for fragment in fragments)
    ]


def assert_problem(problems: list[Problem], file: Path | str, path: str, *fragments: str) -> Problem:
    """Exactly one problem at `file` / `path` whose message holds every fragment; returns it."""
    found = matching(problems, file, path, *fragments)
    assert len(found) == 1, (
        f"expected one problem at {file} {path!r} containing {fragments}, found {len(found)}; "
        f"all problems:\n{show(problems)}"
    )
    return found[0]
