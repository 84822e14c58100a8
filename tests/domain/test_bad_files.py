"""Bad questionnaire and Leitbild files: each mistake is reported at its file and path, with what to do.

Every case copies the shipped folder, applies one mutation, and checks that `check_catalog`
reports the expected problem (file, path inside the file, distinctive part of the message
including the advice) and nothing in other files unless the mistake must spill over.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import assert_problem, edit_data, edit_text, line_of, matching, read_data, show, write_data
from every_language import in_every_language

from survey.domain import check_catalog, load_catalog
from survey.errors import QuestionnaireFileError

CITIZEN = "citizen-contact/v1.yaml"
STAFF1 = "staff-pulse/v1.yaml"
STAFF2 = "staff-pulse/v2.yaml"
LEITBILD = "leitbild.yaml"
VALUE_KEYS = "gemeinsam, kundenorientiert, vertrauen, transparenz, unbuerokratisch, nachhaltig"


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[Path], None]
    file: str  # relative to the questionnaire folder
    path: str
    fragments: tuple[str, ...]
    line_at: str | None = None  # a text on the line the problem must name
    only_file: bool = True  # every problem is in `file`


def text(file: str, old: str, new: str) -> Callable[[Path], None]:
    return lambda root: edit_text(root / file, old, new)


def data(file: str, change: Callable[[Any], object]) -> Callable[[Path], None]:
    return lambda root: edit_data(root / file, change)


def rename(old: str, new: str) -> Callable[[Path], None]:
    return lambda root: (root / old).rename(root / new)


def write(file: str, content: str) -> Callable[[Path], None]:
    return lambda root: (root / file).write_text(content, encoding="utf-8")


def _gap(root: Path) -> None:
    (root / STAFF2).rename(root / "staff-pulse/v3.yaml")
    edit_text(root / "staff-pulse/v3.yaml", "version: 2", "version: 3")


def _alias(root: Path) -> None:
    path = root / STAFF2
    text = path.read_text(encoding="utf-8")
    start = text.index("    no_answer:\n")
    na = text[start : text.index("\n\n", start)]  # agree5's, and recommend10's is the same
    edit_text(path, na, na.replace("no_answer:", "no_answer: &keine"))
    edit_text(path, na, "    no_answer: *keine")


def _option_scale(d: dict[str, Any]) -> None:
    d["scales"]["kontaktweg"] = {
        "type": "single-choice",
        "options": [
            {"code": 1, "label": {"de": "Telefon", "en": "phone"}},
            {"code": 2, "label": {"de": "E-Mail", "en": "e-mail"}},
            {"code": 1, "label": {"de": "vor Ort", "en": "in person"}},
        ],
        "no_answer": {"de": "keine Angabe", "en": "no answer"},
    }


def _second_replacement(d: dict[str, Any]) -> None:
    d["items"].append({**d["items"][11], "id": "vereinfachungen-gelebt"})


def _copy_leitbild(root: Path) -> None:
    shutil.copyfile(root / LEITBILD, root / "stadt.yaml")


CASES = [
    # --- the file itself: encoding, YAML syntax, YAML features we refuse ------------------------
    Case(
        "not-yaml-colon",
        text(CITIZEN, "leitbild: lindenau\n", "leitbild: lindenau: demo\n"),
        CITIZEN,
        "",
        ("not valid YAML: mapping values are not allowed here", "quote texts that contain ':' or '#'"),
        line_at="leitbild: lindenau: demo",
    ),
    Case(
        "not-yaml-tab",
        text(CITIZEN, '  en: "How was your contact with us?"', '\ten: "How was your contact with us?"'),
        CITIZEN,
        "",
        ("not valid YAML", "check indentation"),
        line_at="\ten:",
    ),
    Case(
        "duplicate-key",
        text(CITIZEN, "audience: citizen\n", "audience: citizen\naudience: staff\n"),
        CITIZEN,
        "audience",
        ("the key `audience` appears twice here: keep one",),
        line_at="audience: staff",
    ),
    Case(
        "alias",
        _alias,
        STAFF2,
        "scales.recommend10.no_answer",
        ("YAML anchors and aliases (&, *) are not supported here: write the content out",),
        line_at="no_answer: *keine",
    ),
    Case(
        "merge-key",
        text(STAFF2, "  comment:\n    type: text\n", "  comment:\n    <<: {type: text}\n"),
        STAFF2,
        "scales.comment",
        ("YAML merge keys (<<) are not supported here: write the content out",),
        line_at="<<:",
    ),
    Case(
        "empty-file",
        write(CITIZEN, ""),
        CITIZEN,
        "",
        ("the file is empty: write the content described in the README",),
    ),
    Case(
        "only-comments",
        write(CITIZEN, "# nothing here yet\n\n"),
        CITIZEN,
        "",
        ("the file is empty: write the content",),
    ),
    Case(
        "non-utf8",
        lambda root: (root / STAFF2).write_bytes(
            (root / STAFF2).read_text(encoding="utf-8").encode("latin-1", errors="replace")
        ),
        STAFF2,
        "",
        ("not UTF-8 text (byte ", "): save the file as UTF-8"),
    ),
    Case(
        "impossible-date",
        text(CITIZEN, "version: 1", "version: 2026-13-01"),
        CITIZEN,
        "",
        ("not valid YAML: cannot read the value `2026-13-01`", "quote it to keep it as text"),
        line_at="version: 2026-13-01",
    ),
    # --- structure (schema) -------------------------------------------------------------------
    Case(
        "unknown-key-typo",
        text(
            CITIZEN, "  - id: freundlich-respektvoll\n    text:", "  - id: freundlich-respektvoll\n    txt:"
        ),
        CITIZEN,
        "items[0].txt",
        (
            "unknown key `txt`: remove it or fix the spelling",
            "(allowed here: change, help, id, replaces, required, reverse, scale, section, text, values)",
        ),
        line_at="    txt:",
    ),
    Case(
        "missing-scale",
        data(CITIZEN, lambda d: d["items"][3].pop("scale")),
        CITIZEN,
        "items[3].scale",
        ("`scale` is missing: add it",),
        line_at="id: eine-anlaufstelle",
    ),
    Case(
        "missing-top-level-key",
        text(CITIZEN, "audience: citizen\n", ""),
        CITIZEN,
        "audience",
        ("`audience` is missing: add it",),
    ),
    Case(
        "wrong-type-boolean",
        text(CITIZEN, "    required: false", "    required: nein"),
        CITIZEN,
        "items[6].required",
        ("expected true or false, found a text: write true or false",),
        line_at="required: nein",
    ),
    Case(
        "wrong-type-list",
        text(CITIZEN, "languages: [de, de-x-ls, en, tr, ar, uk, ru]", "languages: de"),
        CITIZEN,
        "languages",
        ("expected a list, found a text: list the languages of the texts, e.g. [de, en]",),
    ),
    Case(
        "float-version",
        text(CITIZEN, "version: 1", "version: 1.0"),
        CITIZEN,
        "version",
        ("expected a whole number, found a number: use 1, 2, 3, ...",),
    ),
    Case(
        "bad-id-pattern",
        text(CITIZEN, "  - id: gesamturteil", "  - id: Gesamt_Urteil"),
        CITIZEN,
        "items[5].id",
        ("`Gesamt_Urteil` is not valid here: use lower-case letters, digits and single hyphens",),
        line_at="id: Gesamt_Urteil",
    ),
    Case(
        "unknown-scale-type",
        text(CITIZEN, "type: scale-0-10", "type: scale-1-10"),
        CITIZEN,
        "scales.rating10.type",
        ("`scale-1-10` is not allowed here: use one of likert-5, scale-0-10, yes-no, single-choice, text",),
    ),
    Case(
        "likert-4-labels",
        data(CITIZEN, lambda d: d["scales"]["agree5"]["labels"]["tr"].pop()),
        CITIZEN,
        "scales.agree5.labels.tr",
        ("has 4 entries: give exactly 5 labels from the lowest to the highest per language",),
    ),
    Case(
        "field-of-another-scale-type",
        data(CITIZEN, lambda d: d["scales"]["agree5"].update(anchors={"de": ["a", "b"]})),
        CITIZEN,
        "scales.agree5.anchors",
        ("unknown key `anchors`: remove it or fix the spelling (allowed here: labels, no_answer, type)",),
    ),
    Case(
        "max-length-out-of-range",
        text(CITIZEN, "max_length: 1000", "max_length: 100000"),
        CITIZEN,
        "scales.comment.max_length",
        ("100000 is out of range: use a whole number from 1 to 10000",),
    ),
    Case(
        "language-listed-twice",
        text(CITIZEN, "languages: [de, de-x-ls,", "languages: [de, de, de-x-ls,"),
        CITIZEN,
        "languages",
        ("lists `de` more than once: remove the duplicate",),
    ),
    # --- languages ------------------------------------------------------------------------------
    Case(
        "missing-language-text",
        data(CITIZEN, lambda d: d["items"][0]["text"].pop("uk")),
        CITIZEN,
        "items[0].text",
        (
            "no text for `uk`: add `uk: ...` "
            "(the file declares the languages de, de-x-ls, en, tr, ar, uk, ru)",
        ),
    ),
    Case(
        "undeclared-language-text",
        data(CITIZEN, lambda d: d["items"][1]["text"].update(fr="Les décisions ont été expliquées.")),
        CITIZEN,
        "items[1].text.fr",
        ("text in `fr`, which the file does not declare: add it to `languages` or remove it",),
    ),
    Case(
        "unknown-language-tag",
        text(CITIZEN, "uk, ru]", "uk, ru, dk]"),
        CITIZEN,
        "languages[7]",
        ("`dk` is not a known language: use tags such as de, en, tr, ar, uk, ru or de-x-ls",),
    ),
    Case(
        "language-key-not-a-tag",
        text(CITIZEN, '  en: "How was your contact with us?"', '  English: "How was your contact with us?"'),
        CITIZEN,
        "title.English",
        ("`English` is not a valid key here: use a language tag such as de, en, tr, ar, uk, ru or de-x-ls",),
        line_at="English:",
    ),
    # --- references inside a version -------------------------------------------------------------
    Case(
        "unknown-leitbild",
        text(CITIZEN, "leitbild: lindenau", "leitbild: lindenow"),
        CITIZEN,
        "leitbild",
        ("no Leitbild with key `lindenow` (known: lindenau): fix the key or add the Leitbild file",),
    ),
    Case(
        "unknown-value-key",
        text(CITIZEN, "values: [nachhaltig]", "values: [nachhaltigkeit]"),
        CITIZEN,
        "items[4].values[0]",
        (f"`nachhaltigkeit` is not a value of the Leitbild `lindenau`: use one of {VALUE_KEYS}",),
    ),
    Case(
        "unknown-scale-name",
        text(CITIZEN, "    scale: rating10", "    scale: rating-10"),
        CITIZEN,
        "items[5].scale",
        ("no scale named `rating-10` (defined: agree5, rating10, comment): fix the name or define it",),
        line_at="scale: rating-10",
    ),
    Case(
        "values-missing",
        text(CITIZEN, "    values: [transparenz]\n", ""),
        CITIZEN,
        "items[1].values",
        ("`values` is missing: list the Leitbild values this item measures, e.g. values: [vertrauen]",),
    ),
    Case(
        "free-text-reversed",
        text(CITIZEN, "    scale: comment\n", "    scale: comment\n    reverse: true\n"),
        CITIZEN,
        "items[6].reverse",
        ("a free-text item cannot be reversed: remove `reverse`",),
    ),
    Case(
        "duplicate-item-id",
        text(CITIZEN, "  - id: anliegen-geloest", "  - id: eine-anlaufstelle"),
        CITIZEN,
        "items[4].id",
        ("the item id `eine-anlaufstelle` appears twice in this version: give each item its own id",),
    ),
    Case(
        "duplicate-option-code",
        data(STAFF2, _option_scale),
        STAFF2,
        "scales.kontaktweg.options[2].code",
        ("the code 1 is used twice: give each option its own code",),
    ),
    # --- file names and numbering -------------------------------------------------------------
    Case(
        "questionnaire-not-folder",
        text(CITIZEN, "questionnaire: citizen-contact", "questionnaire: buerger-kontakt"),
        CITIZEN,
        "questionnaire",
        ("is `buerger-kontakt` but the folder is `citizen-contact`: they must be equal",),
    ),
    Case(
        "version-not-file-name",
        text(CITIZEN, "version: 1", "version: 2"),
        CITIZEN,
        "version",
        ("is 2 but the file is v1.yaml: they must be equal",),
        line_at="version: 2",
    ),
    Case(
        "file-named-version1",
        rename(CITIZEN, "citizen-contact/version1.yaml"),
        "citizen-contact/version1.yaml",
        "",
        ("a version file is named v1.yaml, v2.yaml, ...: rename it",),
    ),
    Case(
        "file-named-yml",
        rename(CITIZEN, "citizen-contact/v1.yml"),
        "citizen-contact/v1.yml",
        "",
        ("a version file is named v1.yaml, v2.yaml, ...: rename it",),
    ),
    Case(
        "gap-v3-without-v2",
        _gap,
        "staff-pulse/v3.yaml",
        "",
        ("there is no v2.yaml in", "staff-pulse: number versions without gaps"),
    ),
    Case(
        "v1-missing",
        lambda root: (root / STAFF1).unlink(),
        STAFF2,
        "",
        ("there is no v1.yaml in", "number versions without gaps"),
    ),
    # --- changes between versions ---------------------------------------------------------------
    Case(
        "rewording-without-editorial",
        text(STAFF2, "    change: editorial\n", ""),
        STAFF2,
        "items[2].text",
        (
            "the wording differs from v1 but the id stays: add `change: editorial` if it still measures "
            "the same thing, or give it a new id with `replaces: wissen-geteilt` if it does not",
        ),
    ),
    Case(
        "editorial-with-identical-text",
        data(STAFF2, lambda d: d["items"][15].update(change="editorial")),
        STAFF2,
        "items[15].change",
        ("the text is the same as in v1: remove `change: editorial`",),
    ),
    Case(
        "editorial-on-a-new-id",
        data(STAFF2, lambda d: d["items"][14].update(change="editorial")),
        STAFF2,
        "items[14].change",
        (
            "there is no item `wissen-gesichert` in v1 to reword: "
            "remove `change` (a new item) or use the old id",
        ),
    ),
    Case(
        "replaces-item-still-present",
        text(STAFF2, "replaces: ablaeufe-vereinfachen", "replaces: spielraum-nutzen"),
        STAFF2,
        "items[11].replaces",
        ("`spielraum-nutzen` is still in this version: remove it from the items or remove `replaces`",),
        line_at="replaces: spielraum-nutzen",
    ),
    Case(
        "replaces-unknown-id",
        text(STAFF2, "replaces: ablaeufe-vereinfachen", "replaces: ablaeufe-vereinfacht"),
        STAFF2,
        "items[11].replaces",
        ("there is no item `ablaeufe-vereinfacht` in v1: name an item id of v1",),
    ),
    Case(
        "replaced-twice",
        data(STAFF2, _second_replacement),
        STAFF2,
        "items[17].replaces",
        ("`ablaeufe-vereinfachen` is already replaced by items[11]: one item replaces one item",),
    ),
    Case(
        "replaces-while-keeping-the-id",
        data(STAFF2, lambda d: d["items"][0].update(replaces="eine-anlaufstelle")),
        STAFF2,
        "items[0].replaces",
        (
            "the item keeps the id `fachbereiche-ziehen-mit` of v1, so it replaces nothing: "
            "remove `replaces` or give the item a new id",
        ),
    ),
    Case(
        "scale-changed-same-id",
        text(STAFF2, "    scale: recommend10", "    scale: agree5"),
        STAFF2,
        "items[15].scale",
        (
            "the answer scale differs from v1: that is a substantive change, so give the item a new id "
            "and `replaces: arbeitgeber-weiterempfehlen`",
        ),
    ),
    Case(
        "values-changed-same-id",
        data(STAFF2, lambda d: d["items"][12].update(values=["nachhaltig", "vertrauen"])),
        STAFF2,
        "items[12].values",
        (
            "the values differ from v1: that changes what the item measures, so give the item a new id "
            "and `replaces: langfristig-denken`",
        ),
    ),
    Case(
        "reverse-changed-same-id",
        data(STAFF2, lambda d: d["items"][0].update(reverse=True)),
        STAFF2,
        "items[0].reverse",
        ("`reverse` differs from v1: give the item a new id and `replaces: fachbereiche-ziehen-mit`",),
    ),
    Case(
        "audience-changed",
        text(STAFF2, "audience: staff", "audience: citizen"),
        STAFF2,
        "audience",
        (
            "differs from v1 (staff): a questionnaire keeps its audience and Leitbild; "
            "start a new questionnaire instead",
        ),
    ),
    Case(
        "change-in-v1",
        data(CITIZEN, lambda d: d["items"][0].update(change="editorial")),
        CITIZEN,
        "items[0].change",
        ("`change` needs a previous version to refer to: remove it",),
    ),
    Case(
        "replaces-in-v1",
        data(CITIZEN, lambda d: d["items"][1].update(replaces="alte-frage")),
        CITIZEN,
        "items[1].replaces",
        ("`replaces` needs a previous version to refer to: remove it",),
    ),
    # --- Leitbild files -----------------------------------------------------------------------
    Case(
        "leitbild-duplicate-value-key",
        text(LEITBILD, "  - key: nachhaltig", "  - key: vertrauen"),
        LEITBILD,
        "values[5].key",
        ("the value key `vertrauen` appears twice: give each value its own key",),
        only_file=False,
    ),
    Case(
        "leitbild-missing-language",
        data(LEITBILD, lambda d: d["values"][2]["name"].pop("en")),
        LEITBILD,
        "values[2].name",
        (
            "no text for `en`: add `en: ...`",
            "(the file declares the languages de, de-x-ls, en, tr, ar, uk, ru)",
        ),
        only_file=False,
    ),
    Case(
        "leitbild-key-used-twice",
        _copy_leitbild,
        "stadt.yaml",
        "leitbild",
        ("the Leitbild key `lindenau` is used by another file too: give each Leitbild its own key",),
    ),
    Case(
        "leitbild-yml",
        rename(LEITBILD, "leitbild.yml"),
        "leitbild.yml",
        "",
        ("the file ends in .yml: rename it to end in .yaml",),
        only_file=False,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_file(case: Case, catalog_copy: Path) -> None:
    case.mutate(catalog_copy)
    catalog, problems = check_catalog(catalog_copy)
    file = catalog_copy / case.file
    problem = assert_problem(problems, file, case.path, *case.fragments)
    assert ": " in problem.message, "a message says what is wrong, then what to do"
    if case.path:
        assert problem.line is not None and problem.line >= 1
    if case.line_at is not None:
        assert problem.line == line_of(file, case.line_at), show(problems)
    if case.only_file:
        assert {p.file for p in problems} == {str(file)}, show(problems)
    # Nothing of the broken file reaches the catalog (load_catalog would refuse the folder: see
    # test_several_mistakes_in_several_files_are_all_reported).
    if version := re.fullmatch(r"([a-z-]+)/v([0-9]+)\.yaml", case.file):
        assert (version[1], int(version[2])) not in catalog.versions
    assert str(file) not in catalog.files.values()


def test_there_are_enough_distinct_cases() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 20
    assert len({(case.file, case.path, case.fragments) for case in CASES}) == len(CASES)


# --- single scenarios that need more than one assertion ------------------------------------------


def test_non_utf8_names_the_first_bad_byte(catalog_copy: Path) -> None:
    path = catalog_copy / STAFF2
    raw = path.read_text(encoding="utf-8").encode("latin-1", errors="replace")  # "?" for Cyrillic, Arabic …
    path.write_bytes(raw)
    first_bad = next(i for i, byte in enumerate(raw) if byte >= 0x80)
    _, problems = check_catalog(catalog_copy)
    assert [p.message for p in problems] == [f"not UTF-8 text (byte {first_bad}): save the file as UTF-8"]


def test_yaml_booleans_stay_text(catalog_copy: Path) -> None:
    """YAML 1.1 reads No/Yes/on/off/y/n as booleans; here they are labels and must stay text."""
    path = catalog_copy / STAFF2
    edit_text(
        path,
        "  comment:\n",
        "  yesno:\n"
        "    type: yes-no\n"
        "    labels:\n"
        "      de: [Nein, Ja]\n"
        "      de-x-ls: [Nein, Ja]\n"
        "      en: [No, Yes]\n"
        "      tr: [Hayır, Evet]\n"
        "      ar: [لا, نعم]\n"
        "      uk: [Ні, Так]\n"
        "      ru: [Нет, Да]\n"
        "    no_answer: {de: keine Angabe, de-x-ls: Keine Antwort, en: off, tr: Yanıt yok, ar: لا إجابة,"
        " uk: Без відповіді, ru: Без ответа}\n"
        "\n"
        "  comment:\n",
    )
    edit_text(
        path,
        "  # --- Freitext",
        "  - id: wieder-bewerben\n"
        "    text: {de: Ich würde mich wieder bewerben., de-x-ls: Ich würde mich wieder hier bewerben.,"
        " en: y, tr: Yine başvururdum., ar: كنت سأتقدّم بطلب مرة أخرى., uk: Я подався б знову.,"
        " ru: Я бы подался снова.}\n"
        "    scale: yesno\n"
        "    values: [vertrauen]\n"
        "    required: true\n"
        "\n"
        "  # --- Freitext",
    )
    catalog, problems = check_catalog(catalog_copy)
    assert problems == [], show(problems)
    version = catalog.version("staff-pulse", 2)
    scale = version.scales["yesno"]
    assert scale.labels["en"] == ["No", "Yes"]
    assert scale.no_answer["en"] == "off"
    assert scale.codes == (0, 1)
    item = version.item("wieder-bewerben")
    assert item.text["en"] == "y"
    assert item.required is True
    assert version.item("kommentar").required is False


def test_several_mistakes_in_several_files_are_all_reported(catalog_copy: Path) -> None:
    citizen, staff1, staff2 = catalog_copy / CITIZEN, catalog_copy / STAFF1, catalog_copy / STAFF2
    # citizen-contact v1: a typo in a key, an unknown scale, a missing translation
    edit_text(
        citizen, "  - id: freundlich-respektvoll\n    text:", "  - id: freundlich-respektvoll\n    txt:"
    )
    edit_text(citizen, "    scale: rating10", "    scale: rating-10")
    edit_data(citizen, lambda d: d["items"][2]["text"].pop("ar"))
    # staff-pulse v1: an unknown top-level key (v2 is still compared with v1's content)
    edit_text(staff1, "title:\n", "titel: Puls\ntitle:\n")
    # staff-pulse v2: undeclared rewording and a replaces of an unknown id
    edit_text(staff2, "    change: editorial\n", "")
    edit_text(staff2, "replaces: ablaeufe-vereinfachen", "replaces: ablaeufe")
    # a stray file and an empty version
    (catalog_copy / "staff-pulse" / "entwurf.yaml").write_text(
        "questionnaire: staff-pulse\n", encoding="utf-8"
    )
    (catalog_copy / "staff-pulse" / "v3.yaml").write_text("", encoding="utf-8")

    catalog, problems = check_catalog(catalog_copy)
    expected = [
        (citizen, "items[0].txt", "unknown key `txt`"),
        (citizen, "items[0].text", "`text` is missing: add it"),
        (citizen, "items[5].scale", "no scale named `rating-10`"),
        (citizen, "items[2].text", "no text for `ar`"),
        (staff1, "titel", "unknown key `titel`"),
        (staff2, "items[2].text", "add `change: editorial`"),
        (staff2, "items[11].replaces", "there is no item `ablaeufe` in v1"),
        (catalog_copy / "staff-pulse" / "entwurf.yaml", "", "a version file is named v1.yaml"),
        (catalog_copy / "staff-pulse" / "v3.yaml", "", "the file is empty"),
    ]
    for file, path, fragment in expected:
        assert matching(problems, file, path, fragment), (
            f"missing {file} {path} {fragment}:\n{show(problems)}"
        )
    assert len(problems) == len(expected), show(problems)
    assert catalog.versions == {}
    with pytest.raises(QuestionnaireFileError) as raised:
        load_catalog(catalog_copy)
    assert raised.value.problems == problems


def test_unreadable_previous_version_is_not_called_missing(catalog_copy: Path) -> None:
    edit_text(catalog_copy / STAFF1, "leitbild: lindenau\n", "leitbild: lindenau: demo\n")
    _, problems = check_catalog(catalog_copy)
    assert len(problems) == 1, show(problems)
    assert problems[0].file == str(catalog_copy / STAFF1)
    assert problems[0].message.startswith("not valid YAML")
    # v2 can not be compared with v1, but it is not blamed for v1's mistake either.
    assert not [p for p in problems if "there is no v1.yaml" in p.message or "needs a previous" in p.message]


def test_broken_leitbild_is_named_by_the_versions_that_use_it(catalog_copy: Path) -> None:
    edit_text(catalog_copy / LEITBILD, "  - key: nachhaltig", "  - key: vertrauen")
    catalog, problems = check_catalog(catalog_copy)
    leitbild = str(catalog_copy / LEITBILD)
    assert_problem(problems, leitbild, "values[5].key", "appears twice")
    for file in (CITIZEN, STAFF1, STAFF2):
        assert_problem(
            problems,
            catalog_copy / file,
            "leitbild",
            f"the Leitbild `lindenau` cannot be loaded because {leitbild} has problems: fix those first",
        )
    assert not [p for p in problems if "add the Leitbild file" in p.message]
    assert catalog.leitbilder == {}


def test_reordered_values_are_not_a_change(catalog_copy: Path) -> None:
    edit_text(catalog_copy / STAFF2, "values: [transparenz, vertrauen]", "values: [vertrauen, transparenz]")
    catalog, problems = check_catalog(catalog_copy)
    assert problems == [], show(problems)
    assert catalog.version("staff-pulse", 2).item("entscheidungen-nachvollziehbar").values == [
        "vertrauen",
        "transparenz",
    ]


def test_renamed_scale_of_the_same_shape_is_not_a_change(catalog_copy: Path) -> None:
    path = catalog_copy / STAFF2
    edit_text(path, "  recommend10:", "  empfehlung:")
    edit_text(path, "    scale: recommend10", "    scale: empfehlung")
    catalog, problems = check_catalog(catalog_copy)
    assert problems == [], show(problems)
    assert catalog.version("staff-pulse", 2).item("arbeitgeber-weiterempfehlen").scale == "empfehlung"


def test_option_codes_are_part_of_the_scale_shape(catalog_copy: Path) -> None:
    """A single-choice item keeps its id only while the option codes stay the same."""

    def add(codes: list[int]) -> Callable[[dict[str, Any]], None]:
        def change(d: dict[str, Any]) -> None:
            d["scales"]["kontaktweg"] = {
                "type": "single-choice",
                "options": [
                    {"code": c, "label": in_every_language(f"Weg {c}", f"way {c}", d["languages"])}
                    for c in codes
                ],
                "no_answer": in_every_language("keine Angabe", "no answer", d["languages"]),
            }
            d["items"].insert(
                0,
                {
                    "id": "kontaktweg",
                    "text": in_every_language("Wie?", "How?", d["languages"]),
                    "scale": "kontaktweg",
                },
            )
            d["items"][0]["values"] = ["kundenorientiert"]

        return change

    edit_data(catalog_copy / STAFF1, add([1, 2, 3]))
    edit_data(catalog_copy / STAFF2, add([3, 2, 1]))
    assert check_catalog(catalog_copy)[1] == []
    edit_data(catalog_copy / STAFF2, add([1, 2, 4]))
    _, problems = check_catalog(catalog_copy)
    assert_problem(problems, catalog_copy / STAFF2, "items[0].scale", "the answer scale differs from v1")


def test_mutations_do_not_touch_the_shipped_folder(shipped_root: Path) -> None:
    """The cases above work on copies: the shipped folder must still be clean afterwards."""
    assert check_catalog(shipped_root)[1] == []


def test_data_round_trip_of_the_helpers_is_lossless(catalog_copy: Path) -> None:
    # The data-editing cases rely on decode → encode → decode giving the same content.
    before = load_catalog(catalog_copy).versions
    for file in (CITIZEN, STAFF1, STAFF2):
        write_data(catalog_copy / file, read_data(catalog_copy / file))
    assert load_catalog(catalog_copy).versions == before


@pytest.mark.parametrize(
    "number",
    ["0x" + "f" * 5000, "0b" + "1" * 20000, "1:" * 3000 + "1", "9" * 5000],
    ids=["hex", "bin", "60", "dec"],
)
def test_huge_numbers_in_any_notation_are_refused_at_their_line(catalog_copy: Path, number: str) -> None:
    # hex, binary and base-60 numbers escape Python's digit limit when read, and used to fail
    # later, as a traceback, in the first message quoting them (found by tests/domain/test_broken_files.py)
    path = catalog_copy / "leitbild.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "leitbild: lindenau", f"leitbild: lindenau\nextra: {number}"
        ),
        encoding="utf-8",
    )
    _, problems = check_catalog(catalog_copy)
    assert [p.line for p in problems if p.file == str(path)] == [line_of(path, "extra: ")]
    assert "a number of" in str(problems[0]) and "quote it" in str(problems[0])
