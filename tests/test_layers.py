"""The layering of DESIGN §3, checked on the real import graph (grimp)."""

from __future__ import annotations

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
