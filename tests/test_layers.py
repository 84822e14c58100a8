"""The layering of DESIGN §3, checked on the real import graph (grimp) and the sources (ast), and
the size of the rooms: no module over 500 lines, no function over 80 (migrations aside)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import grimp
import pytest

#: layer → packages it must never import (directly or through other modules)
FORBIDDEN = {
    "survey.domain": [
        "piccolo",
        "litestar",
        "survey.store",
        "survey.services",
        "survey.web",
        "survey.report",
    ],
    "survey.stats": ["piccolo", "litestar", "survey.store", "survey.services", "survey.web"],
    "survey.store": ["litestar", "survey.services", "survey.web", "survey.cli", "survey.report"],
    "survey.services": ["litestar", "survey.web", "survey.cli"],
    "survey.report": ["piccolo", "litestar", "survey.store", "survey.services", "survey.web"],
    "survey.text": ["piccolo", "litestar", "survey.store", "survey.services", "survey.web", "survey.report"],
}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("survey", include_external_packages=True, cache_dir=None)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_keeps_its_imports(graph: grimp.ImportGraph, layer: str) -> None:
    for forbidden in FORBIDDEN[layer]:
        if forbidden not in graph.modules and not any(m.startswith(forbidden + ".") for m in graph.modules):
            continue
        chain = graph.find_shortest_chain(importer=layer, imported=forbidden, as_packages=True)
        assert chain is None, f"{layer} imports {forbidden}: {' → '.join(chain or ())}"


def test_web_reaches_tables_only_through_services(graph: grimp.ImportGraph) -> None:
    direct = {
        m
        for m in graph.find_modules_directly_imported_by("survey.web.app")
        if m.startswith(("survey.store", "piccolo"))
    }
    assert direct == set()


def test_the_check_would_catch_a_violation(graph: grimp.ImportGraph) -> None:
    """Guard against a check that cannot fail: services do reach piccolo, through the store."""
    assert graph.find_shortest_chain(importer="survey.services", imported="piccolo", as_packages=True)


# --- the outer layers reach the tables only through services --------------------------------------

#: packages whose modules must not import the store (or piccolo) themselves
OUTER = ("survey.web", "survey.cli")


def direct_store_imports(graph: grimp.ImportGraph, package: str) -> list[str]:
    """`importer → imported` for every module of `package` that imports the store or piccolo itself."""
    found = []
    for module in sorted(m for m in graph.modules if m == package or m.startswith(package + ".")):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if (
                imported.split(".")[0] == "piccolo"
                or imported == "survey.store"
                or imported.startswith("survey.store.")
            ):
                found.append(f"{module} → {imported}")
    return found


@pytest.mark.parametrize("package", OUTER)
def test_web_and_cli_reach_the_store_only_through_services(graph: grimp.ImportGraph, package: str) -> None:
    found = direct_store_imports(graph, package)
    assert not found, f"{package} imports the store past the services:\n  " + "\n  ".join(found)


def test_the_store_check_would_catch_a_web_module_importing_the_store() -> None:
    made_up = grimp.ImportGraph()
    for module in ("survey.web", "survey.web.pages", "survey.store", "survey.store.tables"):
        made_up.add_module(module)
    made_up.add_import(importer="survey.web.pages", imported="survey.store.tables")
    assert direct_store_imports(made_up, "survey.web") == ["survey.web.pages → survey.store.tables"]


# --- the CLI uses the domain for its types, the services for its use cases ------------------------

SURVEY = Path(__file__).resolve().parent.parent / "survey"


def _modules(package: str) -> list[Path]:
    return sorted((SURVEY.parent / package.replace(".", "/")).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(SURVEY.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_names(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every `from survey… import name` in the file, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path).split(".")
    if path.name != "__init__.py":
        here = here[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            if module.startswith("survey"):
                found.extend((module, alias.name) for alias in node.names)
    return found


def test_the_cli_takes_only_types_from_the_domain() -> None:
    """Use cases (checking a catalog, comparing versions, reading a file) run through the services;
    the CLI may name the domain's data: its types (a version, a problem) and constants (a size limit)."""
    wrong = []
    for path in _modules("survey.cli"):
        for module, name in _imported_names(path):
            if module == "survey.domain" or module.startswith("survey.domain."):
                value = getattr(importlib.import_module(module), name)
                if callable(value) and not isinstance(value, type):
                    wrong.append(f"{_module_name(path)}: {module}.{name}")
    assert not wrong, "the CLI calls the domain past the services:\n  " + "\n  ".join(wrong)


def test_no_module_imports_a_private_name_of_another() -> None:
    """`from survey.web.respond import _gettext` ties two rooms together by a detail: what both need
    is public."""
    wrong = []
    for path in _modules("survey"):
        importer = _module_name(path)
        if "piccolo_migrations" in importer:
            continue
        for module, name in _imported_names(path):
            if name.startswith("_") and not name.startswith("__") and module != importer:
                wrong.append(f"{importer}: {module}.{name}")
    assert not wrong, "private names imported across modules:\n  " + "\n  ".join(wrong)


# --- rooms stay small ---------------------------------------------------------------------------

MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def oversized(paths: list[Path], root: Path = SURVEY.parent) -> list[str]:
    """Modules over 500 lines and functions over 80 (ast: first to last line), each named."""
    found = []
    for path in paths:
        if "piccolo_migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(root).as_posix()
        lines = source.count("\n")
        if lines > MAX_MODULE_LINES:
            found.append(f"{where}: {lines} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{where}:{node.lineno} {node.name}(): {length} lines")
    return found


def test_no_module_over_500_lines_and_no_function_over_80() -> None:
    found = oversized(_modules("survey"))
    assert not found, (
        "a room has grown too big; a concept wants its own name (module or function):\n  "
        + "\n  ".join(found)
    )


def test_the_size_check_would_catch_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    made_up = tmp_path / "survey" / "made_up.py"
    made_up.parent.mkdir()
    made_up.write_text(f"def long():\n{body}\n" + "\n" * MAX_MODULE_LINES, encoding="utf-8")
    assert oversized([made_up], root=tmp_path) == [
        f"survey/made_up.py: {MAX_MODULE_LINES + MAX_FUNCTION_LINES + 1} lines",
        f"survey/made_up.py:1 long(): {MAX_FUNCTION_LINES + 1} lines",
    ]
