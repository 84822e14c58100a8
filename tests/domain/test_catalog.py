"""The shipped questionnaire folder loads cleanly, and content hashes mean what they say."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHIPPED, edit_text, show

from survey.domain import Catalog, check_catalog, content_hash, load_catalog, valid_language
from survey.errors import QuestionnaireFileError, UnknownVersion

LANGUAGES = ["de", "de-x-ls", "en", "tr", "ar", "uk", "ru"]  # of every shipped file


def test_shipped_folder_has_no_problems(shipped_root: Path) -> None:
    catalog, problems = check_catalog(shipped_root)
    assert problems == [], show(problems)
    assert sorted(catalog.versions) == [("citizen-contact", 1), ("staff-pulse", 1), ("staff-pulse", 2)]
    assert catalog.questionnaires() == ["citizen-contact", "staff-pulse"]
    assert [v.version for v in catalog.versions_of("staff-pulse")] == [1, 2]
    assert list(catalog.leitbilder) == ["lindenau"]


def test_load_catalog_returns_the_checked_catalog(shipped_root: Path) -> None:
    catalog = load_catalog(shipped_root)
    assert isinstance(catalog, Catalog)
    assert catalog.files[("staff-pulse", 2)] == str(shipped_root / "staff-pulse" / "v2.yaml")
    assert catalog.version("staff-pulse", 2).label == "staff-pulse v2"


def test_shipped_leitbild_values(shipped_root: Path) -> None:
    leitbild = load_catalog(shipped_root).leitbilder["lindenau"]
    assert leitbild.value_keys == [
        "gemeinsam",
        "kundenorientiert",
        "vertrauen",
        "transparenz",
        "unbuerokratisch",
        "nachhaltig",
    ]
    assert leitbild.languages == LANGUAGES
    assert all(set(value.name) == set(LANGUAGES) for value in leitbild.values)
    assert leitbild.value("vertrauen").name["de"] == "Vertrauen schenken und verdienen"


@pytest.mark.parametrize(("key", "number"), [("citizen-contact", 1), ("staff-pulse", 1), ("staff-pulse", 2)])
def test_shipped_versions_declare_seven_languages_and_are_complete(
    shipped_root: Path, key: str, number: int
) -> None:
    version = load_catalog(shipped_root).version(key, number)
    assert version.languages == LANGUAGES
    assert set(version.title) == set(LANGUAGES)
    for item in version.items:
        assert set(item.text) == set(LANGUAGES), item.id
    assert version.scales["agree5"].labels["de-x-ls"][-1] == "Stimmt genau"
    assert all(valid_language(tag) for tag in version.languages)


def test_staff_versions_share_ids_with_the_citizen_version(shipped_root: Path) -> None:
    catalog = load_catalog(shipped_root)
    # Self-image vs external image, plus the free-text comment.
    shared = {
        "freundlich-respektvoll",
        "verstaendlich-erklaert",
        "schnell-unbuerokratisch",
        "eine-anlaufstelle",
        "kommentar",
    }
    citizen = set(catalog.version("citizen-contact", 1).item_ids)
    for number in (1, 2):
        staff = set(catalog.version("staff-pulse", number).item_ids)
        assert staff & citizen == shared


def test_item_scales_and_codes(shipped_root: Path) -> None:
    version = load_catalog(shipped_root).version("staff-pulse", 1)
    assert version.scale_of(version.item("fachbereiche-ziehen-mit")).codes == (1, 2, 3, 4, 5)
    assert version.scale_of(version.item("arbeitgeber-weiterempfehlen")).codes == tuple(range(11))
    comment = version.scale_of(version.item("kommentar"))
    assert comment.is_text and comment.codes == () and comment.max_length == 1000
    assert version.item("entscheidungen-nachvollziehbar").values == ["transparenz", "vertrauen"]
    assert version.item("kommentar").values == []


def test_unknown_versions_are_refused_with_what_exists(shipped_root: Path) -> None:
    catalog = load_catalog(shipped_root)
    with pytest.raises(UnknownVersion, match=r"staff-pulse has no version 7 .*\(versions: v1, v2\)"):
        catalog.version("staff-pulse", 7)
    with pytest.raises(UnknownVersion, match=r"no questionnaire `kita`.*citizen-contact, staff-pulse"):
        catalog.version("kita", 1)


def test_missing_folder_is_one_problem(tmp_path: Path) -> None:
    catalog, problems = check_catalog(tmp_path / "nowhere")
    assert len(problems) == 1
    assert "no such folder: set SURVEY_QUESTIONNAIRES" in problems[0].message
    assert catalog.versions == {}


def test_folder_without_leitbild_is_a_problem(tmp_path: Path) -> None:
    _, problems = check_catalog(tmp_path)
    assert [p.message for p in problems] == [
        f"no Leitbild file found: add one, e.g. {tmp_path}/leitbild.yaml (see the README)"
    ]


def test_load_catalog_raises_with_every_problem(catalog_copy: Path) -> None:
    edit_text(catalog_copy / "citizen-contact" / "v1.yaml", "version: 1", "version: 3")
    edit_text(catalog_copy / "staff-pulse" / "v2.yaml", "    change: editorial\n", "")
    with pytest.raises(QuestionnaireFileError) as raised:
        load_catalog(catalog_copy)
    files = {p.file for p in raised.value.problems}
    assert files == {
        str(catalog_copy / "citizen-contact" / "v1.yaml"),
        str(catalog_copy / "staff-pulse" / "v2.yaml"),
    }
    # The exception text is every problem, one a line, as `file:line: path: message`.
    assert str(raised.value).splitlines() == [str(p) for p in raised.value.problems]


def test_problem_str_names_file_line_and_path(catalog_copy: Path) -> None:
    path = catalog_copy / "citizen-contact" / "v1.yaml"
    edit_text(path, "version: 1", "version: 3")
    _, problems = check_catalog(catalog_copy)
    assert [str(p) for p in problems] == [
        f"{path}:11: version: is 3 but the file is v1.yaml: they must be equal"
    ]


# --- content hash ------------------------------------------------------------------------------


def _hashes(root: Path) -> dict[tuple[str, int], str]:
    catalog, problems = check_catalog(root)
    assert problems == [], show(problems)
    return {key: version.content_hash for key, version in catalog.versions.items()}


def test_content_hash_is_stable_across_loads(shipped_root: Path, catalog_copy: Path) -> None:
    first = _hashes(shipped_root)
    assert first == _hashes(shipped_root) == _hashes(catalog_copy)
    assert len(set(first.values())) == 3
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in first.values())
    version = load_catalog(shipped_root).version("staff-pulse", 1)
    assert version.content_hash == content_hash(version)


def test_content_hash_changes_when_a_text_changes(catalog_copy: Path) -> None:
    before = _hashes(catalog_copy)
    edit_text(
        catalog_copy / "citizen-contact" / "v1.yaml",
        'de: "Ich wurde freundlich und respektvoll behandelt."',
        'de: "Ich wurde freundlich und sehr respektvoll behandelt."',
    )
    after = _hashes(catalog_copy)
    assert after[("citizen-contact", 1)] != before[("citizen-contact", 1)]
    assert after[("staff-pulse", 1)] == before[("staff-pulse", 1)]
    assert after[("staff-pulse", 2)] == before[("staff-pulse", 2)]


def test_content_hash_changes_with_a_label_and_a_single_character(catalog_copy: Path) -> None:
    before = _hashes(catalog_copy)
    path = catalog_copy / "staff-pulse" / "v2.yaml"
    edit_text(path, '- "Trifft voll zu"', '- "Trifft völlig zu"')
    after_label = _hashes(catalog_copy)
    assert after_label[("staff-pulse", 2)] != before[("staff-pulse", 2)]
    edit_text(path, "max_length: 1000", "max_length: 1001")
    assert _hashes(catalog_copy)[("staff-pulse", 2)] not in {
        before[("staff-pulse", 2)],
        after_label[("staff-pulse", 2)],
    }


def test_content_hash_ignores_comments_and_layout(catalog_copy: Path) -> None:
    before = _hashes(catalog_copy)
    path = catalog_copy / "staff-pulse" / "v1.yaml"
    text = path.read_text(encoding="utf-8")
    # Comments added and removed, blank lines, trailing spaces, flow style instead of block style.
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    text = text.replace("\n\n", "\n\n\n")
    text = text.replace("audience: staff\n", "audience: staff   # Mitarbeitende\n")
    text = text.replace(
        'no_answer: {de: "keine Angabe", en: "no answer"}',
        'no_answer:\n      de: keine Angabe\n      en: "no answer"',
    )
    text = text.replace("values: [gemeinsam]", "values:\n      - gemeinsam")
    text = "# re-formatted copy\n" + text + "\n\n# end\n"
    path.write_text(text, encoding="utf-8")
    assert text != (SHIPPED / "staff-pulse" / "v1.yaml").read_text(encoding="utf-8")
    assert _hashes(catalog_copy) == before


def test_content_hash_ignores_key_order(catalog_copy: Path) -> None:
    before = _hashes(catalog_copy)
    path = catalog_copy / "citizen-contact" / "v1.yaml"
    text = path.read_text(encoding="utf-8")
    # Move `audience` below `languages`.
    text = text.replace("audience: citizen\n", "", 1).replace(
        "languages: [de, de-x-ls, en, tr, ar, uk, ru]\n",
        "languages: [de, de-x-ls, en, tr, ar, uk, ru]\naudience: citizen\n",
    )
    path.write_text(text, encoding="utf-8")
    assert _hashes(catalog_copy) == before
