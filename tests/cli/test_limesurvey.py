"""`survey import limesurvey FILE.lss`: LimeSurvey's own multilingual sample survey (every question
type, five languages) becomes a questionnaire version that passes `survey questionnaires check`,
with a report of what could not be mapped; broken and hostile files are refused with the place
and the fix, and nothing is written. No database is needed."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from cli_runner import run_cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "limesurvey" / "ls6_sample_survey_multilingual_fr_de_en_it_ru.lss"
LANGUAGES = ["en", "fr", "de", "it", "ru"]

MAPPING = """\
values:
  F: [gemeinsam]
  A: [vertrauen]
  dual: [transparenz]
  q5: [nachhaltig]
  Y: [unbuerokratisch]
  L: [kundenorientiert]
  M[SQ01]: [gemeinsam]
  B: []
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "questionnaires"
    shutil.copytree(ROOT / "questionnaires", target)
    return target


def _mapping(tmp_path: Path, text: str = MAPPING) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _import(folder: Path, source: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "import", "limesurvey", str(source), "--questionnaire", "ls-beispiel", "--dir", str(folder), *extra
    )


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _texts(node: object) -> list[dict]:
    """Every text map (a mapping of language → text) in a version file."""
    found: list[dict] = []
    if isinstance(node, dict):
        if node and set(node) <= set(LANGUAGES) and all(isinstance(v, (str, list)) for v in node.values()):
            return [node]
        for value in node.values():
            found += _texts(value)
    elif isinstance(node, list):
        for value in node:
            found += _texts(value)
    return found


def test_the_multilingual_sample_imports_and_passes_the_check(folder: Path, tmp_path: Path) -> None:
    result = _import(folder, SAMPLE, "--mapping", str(_mapping(tmp_path)))
    assert result.exit_code == 0, result.output
    version_file = folder / "ls-beispiel" / "v1.yaml"
    assert f"wrote {version_file}" in result.stdout
    assert "in 5 languages (en, fr, de, it, ru)" in result.stdout
    check = run_cli("questionnaires", "check", "--dir", str(folder))
    assert check.exit_code == 0, check.output
    assert "ls-beispiel v1" in check.stdout

    data = yaml.safe_load(version_file.read_text(encoding="utf-8"))
    assert data["languages"] == LANGUAGES  # de-informal is German here
    texts = _texts(data)
    assert len(texts) > 60 and all(set(t) == set(LANGUAGES) for t in texts)
    assert data["title"]["de"] == "Beispielfragebogen für Limesurvey EN/FR/DE/RU"
    items = {item["id"]: item for item in data["items"]}
    # Arrays: one item per row (F, A), per row and scale (dual), per ticked option mapped (M).
    assert [i for i in items if i.startswith("f-")] == ["f-sq01", "f-sq02", "f-sq03", "f-sq04"]
    assert [i for i in items if i.startswith("dual-")] == [
        f"dual-sq0{row}-{scale}" for row in range(1, 5) for scale in (1, 2)
    ]
    assert [i for i in items if i.startswith("m-")] == ["m-sq01"]
    assert items["a-sq01"]["values"] == ["vertrauen"] and items["q5"]["values"] == ["nachhaltig"]
    # Free texts come along without values; multiple short text is one item per row.
    assert {"s", "t", "h", "q-sq01", "q-sq04"} <= set(items)
    assert data["scales"][items["s"]["scale"]]["type"] == "text"
    # Scales: the five-point array is likert-5, a list is single choice with its labels, yes/no.
    assert data["scales"][items["a-sq01"]["scale"]]["type"] == "likert-5"
    single = data["scales"][items["l"]["scale"]]
    assert single["type"] == "single-choice" and len(single["options"]) == 5
    assert single["no_answer"] == {
        "en": "no answer", "fr": "sans réponse", "de": "keine Angabe",
        "it": "nessuna risposta", "ru": "нет ответа",
    }  # fmt: skip
    assert data["scales"][items["y"]["scale"]]["labels"]["de"] == ["Nein", "Ja"]
    # Help texts and group headings.
    assert items["s"]["help"]["ru"] == "Это текст справки"
    sections = {s["id"]: s for s in data["sections"]}
    assert sections[items["s"]["section"]]["title"]["fr"] == "Question de type texte"

    # The report: every question that did not come over, with the reason.
    report = json.loads((folder / "ls-beispiel" / "v1.limesurvey.json").read_text(encoding="utf-8"))["report"]
    by_question = {(n["question"], n["kind"]) for n in report}
    for code in ("N", "MN", "D", "R", "AT", "ANT", "X", "I"):
        assert (code, "left out") in by_question, code
    for code in ("G", "ldd", "C", "E", "abc"):
        assert (code, "not mapped") in by_question, code
    assert ("B", "left out") in by_question  # `B: []` in the mapping
    assert ("M[SQ02]", "not mapped") in by_question
    assert ("", "changed") in by_question  # de-informal → de
    for line in ("numerical input: numbers have no scale here", "no Leitbild value named for it"):
        assert line in result.stdout


def test_values_asked_question_by_question(folder: Path) -> None:
    """Without a mapping file, each rated question is asked for (here with answers piped in)."""
    from survey.domain.limesurvey.convert import LEFT_OUT, TEXT_TYPES
    from survey.domain.limesurvey.lss import read_lss

    rated = [q for q in read_lss(SAMPLE).questions if q.type not in LEFT_OUT and q.type not in TEXT_TYPES]
    rated = [q for q in rated if q.type != "Q"]
    answers = {"F": "1", "A": "3,9", "q5": "6,6"}  # 9 is out of range: asked again
    typed = []
    for question in rated:
        typed.append(answers.get(question.code, ""))
        if question.code == "A":
            typed.append("3")
    result = run_cli(
        "import", "limesurvey", str(SAMPLE), "--questionnaire", "gefragt", "--ask", "--dir", str(folder),
        stdin="\n".join(typed) + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "type numbers from 1 to 6" in result.output
    data = yaml.safe_load((folder / "gefragt" / "v1.yaml").read_text(encoding="utf-8"))
    values = {i["id"]: i.get("values") for i in data["items"]}
    assert values["f-sq01"] == ["gemeinsam"] and values["a-sq04"] == ["vertrauen"]
    assert values["q5"] == ["nachhaltig"] and "l" not in values
    assert run_cli("questionnaires", "check", "--dir", str(folder)).exit_code == 0


def test_a_mapping_template_lists_every_rated_question(folder: Path, tmp_path: Path) -> None:
    template = tmp_path / "vorlage.yaml"
    written = _import(folder, SAMPLE, "--mapping-template", str(template))
    assert written.exit_code == 0, written.output
    text = template.read_text(encoding="utf-8")
    assert "  F: []" in text and "  dual: []" in text and "#   [SQ01]" in text
    assert "  N: []" not in text and "  S: []" not in text  # left out anyway, or free text
    assert not (folder / "ls-beispiel").exists()
    filled = text.replace("  F: []", "  F: [gemeinsam]").replace("  q5: []", "  q5: [nachhaltig]")
    template.write_text(filled, encoding="utf-8")
    imported = _import(folder, SAMPLE, "--mapping", str(template))
    assert imported.exit_code == 0, imported.output
    assert "f-sq01" in (folder / "ls-beispiel" / "v1.yaml").read_text(encoding="utf-8")
    refused = _import(folder, SAMPLE, "--mapping-template", str(template))
    assert refused.exit_code == 1 and "exists already" in refused.stderr


@pytest.mark.parametrize(
    ("mapping", "fragments"),
    [
        ("values:\n  Z9: [gemeinsam]\n", ["mapping.yaml:2: values.Z9:", "the survey has no question `Z9`"]),
        ("values:\n  F[SQ99]: [gemeinsam]\n", ["mapping.yaml:2:", "`F` has no row `SQ99` (rows: SQ01, SQ02"]),
        ("values:\n  F: [teamgeist]\n", ["mapping.yaml:2: values.F[0]:", "`teamgeist` is not a value"]),
        ("values:\n  F: gemeinsam\n", ["mapping.yaml:2: values.F:", "expected a list"]),
        ("wertes:\n  F: [gemeinsam]\n", ["mapping.yaml:1: wertes:", "unknown key `wertes`"]),
        ("values: [\n", ["mapping.yaml:", "YAML"]),
    ],
)
def test_a_wrong_mapping_names_its_line_and_writes_nothing(
    folder: Path, tmp_path: Path, mapping: str, fragments: list[str]
) -> None:
    before = _files(folder)
    result = _import(folder, SAMPLE, "--mapping", str(_mapping(tmp_path, mapping)))
    assert result.exit_code == 1
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert _files(folder) == before


def test_a_version_that_would_break_the_folder_is_not_written(folder: Path, tmp_path: Path) -> None:
    """v2 from the same survey with other values for the same items: the rules between versions
    refuse it (a substantive change keeps no id), and nothing is written."""
    assert _import(folder, SAMPLE, "--mapping", str(_mapping(tmp_path))).exit_code == 0
    before = _files(folder)
    other = _mapping(tmp_path, MAPPING.replace("F: [gemeinsam]", "F: [vertrauen]"))
    result = _import(folder, SAMPLE, "--mapping", str(other))
    assert result.exit_code == 1
    assert "ls-beispiel/v2.yaml" in result.stderr and "the values differ from v1" in result.stderr
    assert "nothing written" in result.stderr
    assert _files(folder) == before
    # An existing file is never overwritten.
    again = _import(folder, SAMPLE, "--mapping", str(_mapping(tmp_path)), "--version", "1")
    assert again.exit_code == 1 and "exists already" in again.stderr


# --- hostile and broken files ---------------------------------------------------------------

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<document><LimeSurveyDocType>Survey</LimeSurveyDocType><x>&lol9;</x></document>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<document><LimeSurveyDocType>Survey</LimeSurveyDocType><x>&secret;</x></document>
"""


def _sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


HOSTILE = {
    "cut off": (lambda: _sample_text()[:300_000], ["is not well-formed XML", "cut off", "export the survey"]),
    "billion laughs": (lambda: LAUGHS, ["declares a DTD or entities", "refused"]),
    "external entity": (lambda: EXTERNAL, ["declares a DTD or entities"]),
    "empty": (lambda: "", ["the file is empty"]),
    "not xml": (lambda: "id,submitdate\n1,2024-01-01\n", ["is not well-formed XML"]),
    "tokens export": (
        lambda: "<?xml version='1.0'?><document><LimeSurveyDocType>Tokens</LimeSurveyDocType></document>",
        ["is a LimeSurvey `Tokens` export, not a survey structure", "Survey structure (.lss)"],
    ),
    "other xml": (lambda: "<?xml version='1.0'?><html><body/></html>", ["XML with the root element <html>"]),
    "no survey row": (
        lambda: "<?xml version='1.0'?><document><LimeSurveyDocType>Survey</LimeSurveyDocType></document>",
        ["has no <surveys> section"],
    ),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_broken_and_hostile_files_are_refused_and_nothing_is_written(
    folder: Path, tmp_path: Path, kind: str
) -> None:
    make, fragments = HOSTILE[kind]
    source = tmp_path / "survey.lss"
    source.write_text(make(), encoding="utf-8")
    before = _files(folder)
    result = _import(folder, source, "--mapping", str(_mapping(tmp_path)))
    assert result.exit_code == 1, result.output
    assert f"{source}" in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.output and "root:x:0" not in result.output
    assert _files(folder) == before


def test_a_huge_file_is_refused_before_it_is_read(folder: Path, tmp_path: Path) -> None:
    from survey.domain.limesurvey.lss import MAX_LSS_BYTES

    source = tmp_path / "huge.lss"
    with source.open("wb") as out:
        out.truncate(MAX_LSS_BYTES + 1)  # sparse: no disk used
    result = _import(folder, source, "--mapping", str(_mapping(tmp_path)))
    assert result.exit_code == 1 and "bytes are refused" in result.stderr
    assert not (folder / "ls-beispiel").exists()


def test_script_and_markup_in_texts_are_neutralised(folder: Path, tmp_path: Path) -> None:
    text = _sample_text().replace(
        "<![CDATA[Array]]>",
        "<![CDATA[Array<script>alert('x')</script><img src=x onerror=alert(1)> &amp; <b>mehr</b>]]>",
    )
    source = tmp_path / "scripted.lss"
    source.write_text(text, encoding="utf-8")
    result = _import(folder, source, "--mapping", str(_mapping(tmp_path)))
    assert result.exit_code == 0, result.output
    written = (folder / "ls-beispiel" / "v1.yaml").read_text(encoding="utf-8")
    assert "alert" not in written and "<" not in written and "onerror" not in written
    data = yaml.safe_load(written)
    assert any(i["text"]["en"].startswith("Array & mehr") for i in data["items"] if i["id"] == "f-sq01")
    assert "script, style or embedded object element(s) removed" in result.stdout
    assert run_cli("questionnaires", "check", "--dir", str(folder)).exit_code == 0


def test_an_archive_bomb_is_refused(folder: Path, tmp_path: Path) -> None:
    """A .lsa whose member unpacks to far more than it packs (the response import reads archives)."""
    from survey.domain.limesurvey.responses import read_archive
    from survey.errors import ImportFileError

    bomb = tmp_path / "survey_1.lsa"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("survey_1.lss", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(ImportFileError, match="refused as a zip bomb"):
        read_archive(bomb)


def test_sections_are_checked_like_every_other_reference(folder: Path, tmp_path: Path) -> None:
    """The groups became sections; an item naming no defined section, or a section without a
    text in a declared language, is a problem of the file with its line."""
    assert _import(folder, SAMPLE, "--mapping", str(_mapping(tmp_path))).exit_code == 0
    version_file = folder / "ls-beispiel" / "v1.yaml"
    text = version_file.read_text(encoding="utf-8")
    broken = text.replace("section: group-4", "section: group-99", 1).replace(
        "  title:\n    en: Text question\n", "  title:\n", 1
    )
    version_file.write_text(broken, encoding="utf-8")
    check = run_cli("questionnaires", "check", "--dir", str(folder))
    assert check.exit_code == 1
    assert "no section with id `group-99` (defined: group-1, group-3, group-4)" in check.output
    assert "sections[0].title: no text for `en`" in check.output


def _row(**fields: str) -> str:
    return "<row>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</row>"


def _ls3_structure() -> str:
    """A LimeSurvey 3 structure: every text in its table's rows, one row per language."""
    answers, subquestions, questions, groups, settings = [], [], [], [], []
    for lang, (title, group, question, labels, rows) in {
        "de": ("Puls", "Zusammenarbeit", "Wie erleben Sie …",
               ["schlecht", "mäßig", "mittel", "gut", "sehr gut"], ["Absprachen", "Hilfe"]),
        "en": ("Pulse", "Working together", "How do you find …",
               ["poor", "fair", "average", "good", "very good"], ["Agreements", "Help"]),
    }.items():  # fmt: skip
        settings.append(_row(surveyls_survey_id="111", surveyls_language=lang, surveyls_title=title))
        groups.append(
            _row(gid="1", sid="111", group_name=group, group_order="0", description="", language=lang)
        )
        questions.append(
            _row(qid="2", parent_qid="0", sid="111", gid="1", type="F", title="ZA", question=question,
                 help="", other="N", mandatory="N", question_order="1", language=lang, scale_id="0")
        )  # fmt: skip
        for order, text in enumerate(rows):
            subquestions.append(
                _row(qid=str(10 + order), parent_qid="2", sid="111", gid="1", type="T",
                     title=f"SQ00{order + 1}", question=text, question_order=str(order), language=lang,
                     scale_id="0")
            )  # fmt: skip
        for order, label in enumerate(labels):
            answers.append(
                _row(
                    qid="2",
                    code=f"A{order + 1}",
                    answer=label,
                    sortorder=str(order),
                    language=lang,
                    scale_id="0",
                )
            )
    survey = _row(sid="111", language="de", additional_languages="en", anonymized="Y")

    def section(name: str, rows: list[str]) -> str:
        return f"<{name}><rows>{''.join(rows)}</rows></{name}>"

    return (
        "<?xml version='1.0' encoding='UTF-8'?><document><LimeSurveyDocType>Survey</LimeSurveyDocType>"
        "<DBVersion>359</DBVersion><languages><language>de</language><language>en</language></languages>"
        + section("answers", answers) + section("groups", groups) + section("questions", questions)
        + section("subquestions", subquestions) + section("surveys", [survey])
        + section("surveys_languagesettings", settings) + "</document>"
    )  # fmt: skip


def test_a_limesurvey_3_structure_with_texts_in_the_rows(folder: Path, tmp_path: Path) -> None:
    source = tmp_path / "limesurvey_survey_111.lss"
    source.write_text(_ls3_structure(), encoding="utf-8")
    result = _import(folder, source, "--mapping", str(_mapping(tmp_path, "values:\n  ZA: [gemeinsam]\n")))
    assert result.exit_code == 0, result.output
    assert "2 items in 2 languages (de, en)" in result.stdout
    data = yaml.safe_load((folder / "ls-beispiel" / "v1.yaml").read_text(encoding="utf-8"))
    assert data["title"] == {"de": "Puls", "en": "Pulse"}
    assert [i["id"] for i in data["items"]] == ["za-sq001", "za-sq002"]
    assert data["items"][1]["text"] == {"de": "Wie erleben Sie … – Hilfe", "en": "How do you find … – Help"}
    scale = data["scales"][data["items"][0]["scale"]]
    assert scale["type"] == "likert-5" and scale["labels"]["en"] == [
        "poor",
        "fair",
        "average",
        "good",
        "very good",
    ]
    assert data["sections"][0]["title"] == {"de": "Zusammenarbeit", "en": "Working together"}
    assert run_cli("questionnaires", "check", "--dir", str(folder)).exit_code == 0
