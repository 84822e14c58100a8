"""What changed between versions, and which value trends stay comparable across them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from conftest import read_data, show, write_data
from every_language import in_every_language

from survey.domain import ValueTrend, VersionDiff, check_catalog, diff_versions, load_catalog
from survey.errors import UnknownVersion

VALUES = ["gemeinsam", "kundenorientiert", "vertrauen", "transparenz", "unbuerokratisch", "nachhaltig"]

IDENTICAL_1_2 = [
    "fachbereiche-ziehen-mit",
    "eine-anlaufstelle",
    "freundlich-respektvoll",
    "anliegen-verstehen",
    "zutrauen-fuehrung",
    "fehler-offen-ansprechen",
    "verstaendlich-erklaert",
    "entscheidungen-nachvollziehbar",
    "schnell-unbuerokratisch",
    "spielraum-nutzen",
    "langfristig-denken",
    "loesungen-tragen",
    "arbeitgeber-weiterempfehlen",
    "kommentar",
]

TRENDS_1_2 = {
    "gemeinsam": ("fachbereiche-ziehen-mit", "eine-anlaufstelle", "wissen-geteilt"),
    "kundenorientiert": ("freundlich-respektvoll", "anliegen-verstehen"),
    "vertrauen": (
        "zutrauen-fuehrung",
        "fehler-offen-ansprechen",
        "entscheidungen-nachvollziehbar",
        "arbeitgeber-weiterempfehlen",
    ),
    "transparenz": ("verstaendlich-erklaert", "entscheidungen-nachvollziehbar"),
    "unbuerokratisch": ("schnell-unbuerokratisch", "spielraum-nutzen"),
    "nachhaltig": ("langfristig-denken", "loesungen-tragen"),
}


@pytest.fixture(scope="module")
def shipped_diff() -> VersionDiff:
    catalog = load_catalog(Path(__file__).resolve().parents[2] / "questionnaires")
    return diff_versions(catalog, "staff-pulse", 1, 2)


def test_staff_pulse_1_to_2_reports_exactly_the_shipped_changes(shipped_diff: VersionDiff) -> None:
    assert (shipped_diff.questionnaire, shipped_diff.a, shipped_diff.b) == ("staff-pulse", 1, 2)
    assert shipped_diff.editorial == ["wissen-geteilt"]
    assert shipped_diff.replaced == [("ablaeufe-vereinfachen", "vereinfachungen-umgesetzt")]
    assert shipped_diff.added == ["wissen-gesichert"]
    assert shipped_diff.retired == ["rueckmeldungen-genutzt"]
    assert shipped_diff.identical == IDENTICAL_1_2
    assert sorted(shipped_diff.comparable_items) == sorted([*IDENTICAL_1_2, "wissen-geteilt"])


def test_staff_pulse_1_to_2_value_trends(shipped_diff: VersionDiff) -> None:
    assert [t.value for t in shipped_diff.values] == VALUES
    for trend in shipped_diff.values:
        assert trend == ValueTrend(trend.value, True, TRENDS_1_2[trend.value])
    # The replaced and the added item never count as common ground.
    common = {i for t in shipped_diff.values for i in t.common_items}
    assert not common & {"vereinfachungen-umgesetzt", "ablaeufe-vereinfachen", "wissen-gesichert"}


def test_every_item_of_both_versions_is_accounted_for_once(shipped_root: Path) -> None:
    catalog = load_catalog(shipped_root)
    diff = diff_versions(catalog, "staff-pulse", 1, 2)
    v1, v2 = catalog.version("staff-pulse", 1), catalog.version("staff-pulse", 2)
    new_side = diff.identical + diff.editorial + [new for _, new in diff.replaced] + diff.added
    old_side = diff.identical + diff.editorial + [old for old, _ in diff.replaced] + diff.retired
    assert sorted(new_side) == sorted(v2.item_ids)
    assert sorted(old_side) == sorted(v1.item_ids)


def test_diff_2_to_1_mirrors_1_to_2(shipped_root: Path, shipped_diff: VersionDiff) -> None:
    back = diff_versions(load_catalog(shipped_root), "staff-pulse", 2, 1)
    assert (back.a, back.b) == (2, 1)
    assert back.identical == shipped_diff.identical
    assert back.editorial == shipped_diff.editorial
    assert back.replaced == [("vereinfachungen-umgesetzt", "ablaeufe-vereinfachen")]
    assert back.added == shipped_diff.retired == ["rueckmeldungen-genutzt"]
    assert back.retired == shipped_diff.added == ["wissen-gesichert"]
    assert back.values == shipped_diff.values


def test_diff_needs_two_different_existing_versions(shipped_root: Path) -> None:
    catalog = load_catalog(shipped_root)
    with pytest.raises(UnknownVersion, match="compare two different versions"):
        diff_versions(catalog, "staff-pulse", 2, 2)
    with pytest.raises(UnknownVersion, match=r"staff-pulse has no version 3"):
        diff_versions(catalog, "staff-pulse", 1, 3)
    with pytest.raises(UnknownVersion, match=r"no questionnaire `nope`"):
        diff_versions(catalog, "nope", 1, 2)


# --- a third version, written into a copy of the shipped folder ---------------------------------


def _item(v2: dict[str, Any], old_id: str, new_id: str, de: str, en: str) -> dict[str, Any]:
    item = copy.deepcopy(next(i for i in v2["items"] if i["id"] == old_id))
    item.update(id=new_id, text=in_every_language(de, en, v2["languages"]), replaces=old_id)
    item.pop("change", None)
    return item


def _write_v3(root: Path) -> None:
    """v3: replaces the v2 replacement again, and replaces every `nachhaltig` item."""
    v2 = read_data(root / "staff-pulse" / "v2.yaml")
    v3 = copy.deepcopy(v2)
    v3["version"] = 3
    swaps = {
        "vereinfachungen-umgesetzt": _item(
            v2,
            "vereinfachungen-umgesetzt",
            "vereinfachungen-wirken",
            "Vereinfachte Abläufe entlasten uns spürbar.",
            "Simplified procedures noticeably ease our workload.",
        ),
        "langfristig-denken": _item(
            v2,
            "langfristig-denken",
            "folgen-bedacht",
            "Wir wägen die Folgen für kommende Generationen ab.",
            "We weigh the consequences for future generations.",
        ),
        "loesungen-tragen": _item(
            v2,
            "loesungen-tragen",
            "verbesserungen-halten",
            "Verbesserungen halten auch nach einem Jahr noch.",
            "Improvements still hold after a year.",
        ),
        "wissen-gesichert": _item(
            v2,
            "wissen-gesichert",
            "wissen-dokumentiert",
            "Wichtiges Wissen ist bei uns aufgeschrieben.",
            "Important knowledge is written down in my unit.",
        ),
    }
    items = []
    for item in v3["items"]:
        item.pop("change", None)
        item.pop("replaces", None)
        items.append(swaps.get(item["id"], item))
    v3["items"] = items
    write_data(root / "staff-pulse" / "v3.yaml", v3)


@pytest.fixture
def catalog_with_v3(catalog_copy: Path):
    _write_v3(catalog_copy)
    catalog, problems = check_catalog(catalog_copy)
    assert problems == [], show(problems)
    assert [v.version for v in catalog.versions_of("staff-pulse")] == [1, 2, 3]
    return catalog


def test_v3_chain_maps_the_v1_item_to_the_v3_item(catalog_with_v3) -> None:
    diff = diff_versions(catalog_with_v3, "staff-pulse", 1, 3)
    assert ("ablaeufe-vereinfachen", "vereinfachungen-wirken") in diff.replaced
    assert sorted(diff.replaced) == [
        ("ablaeufe-vereinfachen", "vereinfachungen-wirken"),
        ("langfristig-denken", "folgen-bedacht"),
        ("loesungen-tragen", "verbesserungen-halten"),
    ]
    # wissen-gesichert came with v2: seen from v1 its successor is simply new.
    assert diff.added == ["wissen-dokumentiert"]
    assert diff.retired == ["rueckmeldungen-genutzt"]
    # v3 drops every `change`, so the wording of wissen-geteilt is still v2's: editorial since v1.
    assert diff.editorial == ["wissen-geteilt"]
    assert "vereinfachungen-umgesetzt" not in diff.added + diff.retired + diff.identical


def test_v3_chain_backwards(catalog_with_v3) -> None:
    diff = diff_versions(catalog_with_v3, "staff-pulse", 3, 1)
    assert ("vereinfachungen-wirken", "ablaeufe-vereinfachen") in diff.replaced
    assert diff.retired == ["wissen-dokumentiert"]
    assert diff.added == ["rueckmeldungen-genutzt"]


def test_v2_to_v3_replacements_are_direct(catalog_with_v3) -> None:
    diff = diff_versions(catalog_with_v3, "staff-pulse", 2, 3)
    assert sorted(diff.replaced) == [
        ("langfristig-denken", "folgen-bedacht"),
        ("loesungen-tragen", "verbesserungen-halten"),
        ("vereinfachungen-umgesetzt", "vereinfachungen-wirken"),
        ("wissen-gesichert", "wissen-dokumentiert"),
    ]
    assert diff.added == diff.retired == diff.editorial == []


def test_value_whose_items_are_all_replaced_is_not_comparable(catalog_with_v3) -> None:
    for a, b in ((2, 3), (1, 3), (3, 1)):
        trends = {t.value: t for t in diff_versions(catalog_with_v3, "staff-pulse", a, b).values}
        assert trends["nachhaltig"] == ValueTrend("nachhaltig", False, ()), (a, b)
        # Its neighbours keep their common items.
        assert trends["unbuerokratisch"] == ValueTrend(
            "unbuerokratisch", True, ("schnell-unbuerokratisch", "spielraum-nutzen")
        )
        assert trends["gemeinsam"].comparable


def test_value_measured_only_by_a_retired_item_is_not_comparable(catalog_copy: Path) -> None:
    """rueckmeldungen-genutzt is retired in v2: were it the only kundenorientiert item, the trend breaks."""
    for name in ("v1.yaml", "v2.yaml"):
        path = catalog_copy / "staff-pulse" / name
        data = read_data(path)
        for item in data["items"]:
            if item["id"] in {"freundlich-respektvoll", "anliegen-verstehen"}:
                item["values"] = ["vertrauen"]
        write_data(path, data)
    catalog, problems = check_catalog(catalog_copy)
    assert problems == [], show(problems)
    trends = {t.value: t for t in diff_versions(catalog, "staff-pulse", 1, 2).values}
    assert trends["kundenorientiert"] == ValueTrend("kundenorientiert", False, ())
    assert "freundlich-respektvoll" in trends["vertrauen"].common_items


def test_item_dropped_and_asked_again_is_not_joined(catalog_copy: Path) -> None:
    """v3 asks the retired rueckmeldungen-genutzt again, now on a 0–10 scale: v2→v3 never compared
    it with v1, so v1→v3 must not call it identical."""
    v1 = read_data(catalog_copy / "staff-pulse" / "v1.yaml")
    v3 = read_data(catalog_copy / "staff-pulse" / "v2.yaml")
    v3["version"] = 3
    for item in v3["items"]:
        item.pop("change", None)
        item.pop("replaces", None)
    again = copy.deepcopy(next(i for i in v1["items"] if i["id"] == "rueckmeldungen-genutzt"))
    again["scale"] = "recommend10"
    v3["items"].insert(5, again)
    write_data(catalog_copy / "staff-pulse" / "v3.yaml", v3)
    catalog, problems = check_catalog(catalog_copy)
    assert problems == [], show(problems)

    diff = diff_versions(catalog, "staff-pulse", 1, 3)
    assert "rueckmeldungen-genutzt" not in diff.comparable_items
    assert "rueckmeldungen-genutzt" in diff.added
    assert "rueckmeldungen-genutzt" in diff.retired
    trends = {t.value: t for t in diff.values}
    assert trends["kundenorientiert"].common_items == ("freundlich-respektvoll", "anliegen-verstehen")
    # Between neighbours the item is simply new.
    assert "rueckmeldungen-genutzt" in diff_versions(catalog, "staff-pulse", 2, 3).added
