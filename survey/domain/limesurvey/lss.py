"""Read a LimeSurvey survey structure (`.lss`, LimeSurvey 2.05 to 6.x) into plain values.

An `.lss` file is XML: one section per database table (`<questions><rows><row>…`). Up to
LimeSurvey 3 every text sits in its table's rows, one row per language; from LimeSurvey 4 on,
texts live in `*_l10ns` tables beside language-free rows. Both layouts are read here.

The XML is parsed by defusedxml with DTDs forbidden: an entity bomb ("billion laughs"), an
external entity (`file:///etc/passwd`) or any DOCTYPE is refused before a single entity is
expanded. Texts are HTML in LimeSurvey; they become plain text here (scripts, styles and
embedded objects are dropped, never carried into our files).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from survey.errors import ImportFileError, Problem

__all__ = [
    "MAX_LSS_BYTES",
    "LsAnswer",
    "LsGroup",
    "LsQuestion",
    "LsSub",
    "LsSurvey",
    "parse_lss",
    "parse_xml",
    "plain_text",
    "read_lss",
    "table",
]

#: LimeSurvey's own sample with every question type in five languages is under 1 MB
MAX_LSS_BYTES = 50 * 1024 * 1024

_DROPPED_ELEMENTS = ("script", "style", "iframe", "object", "embed", "noscript", "template")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_LINES = re.compile(r"\s*\n\s*")


@dataclass
class TextCleaning:
    """What `plain_text` removed, for the import report."""

    scripts: int = 0


def plain_text(html: str | None, cleaning: TextCleaning | None = None) -> str:
    """LimeSurvey's HTML as plain text: tags gone, entities decoded, scripts and styles dropped,
    paragraphs and line breaks kept as single line breaks, spaces collapsed."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        text = html
    else:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            soup = BeautifulSoup(html, "html.parser")
        for element in soup.find_all(_DROPPED_ELEMENTS):
            if cleaning is not None:
                cleaning.scripts += 1
            element.decompose()
        for br in soup.find_all("br"):
            br.replace_with("\n")
        for block in soup.find_all(["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"]):
            block.insert_after("\n")
        text = soup.get_text()
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _SPACES.sub(" ", text)
    return _LINES.sub("\n", text).strip()


@dataclass
class LsAnswer:
    code: str
    order: int
    scale: int
    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class LsSub:
    """A subquestion: a row (scale 0) or, in arrays of numbers or texts, a column (scale 1)."""

    qid: str
    code: str
    order: int
    scale: int
    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class LsQuestion:
    qid: str
    gid: str
    type: str
    code: str
    order: int
    other: bool
    mandatory: bool
    texts: dict[str, str] = field(default_factory=dict)
    help: dict[str, str] = field(default_factory=dict)
    rows: list[LsSub] = field(default_factory=list)
    columns: list[LsSub] = field(default_factory=list)
    answers: list[LsAnswer] = field(default_factory=list)

    def answers_of(self, scale: int) -> list[LsAnswer]:
        return sorted((a for a in self.answers if a.scale == scale), key=lambda a: (a.order, a.code))


@dataclass
class LsGroup:
    gid: str
    order: int
    names: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)


@dataclass
class LsSurvey:
    file: str
    sid: str
    db_version: int
    languages: list[str]  # LimeSurvey's codes, the base language first
    anonymized: bool
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    groups: list[LsGroup] = field(default_factory=list)
    questions: list[LsQuestion] = field(default_factory=list)
    scripts_removed: int = 0


def read_lss(path: Path, display: str | None = None) -> LsSurvey:
    """The survey in the `.lss` file at `path`, or ImportFileError naming what is wrong."""
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_LSS_BYTES:
            raise ImportFileError(
                [
                    Problem(
                        name,
                        "",
                        f"the file is {size:,} bytes; survey structure files over {MAX_LSS_BYTES:,} bytes "
                        "are refused: check that it is a LimeSurvey .lss export",
                    )
                ]
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(
            [Problem(name, "", f"cannot be read ({exc.strerror}): check the path")]
        ) from None
    return parse_lss(data, name)


def _refuse(name: str, message: str, line: int | None = None) -> ImportFileError:
    return ImportFileError([Problem(name, "", message, line)])


def parse_xml(data: bytes, name: str, what: str) -> Element:
    if not data.strip():
        raise _refuse(name, f"the file is empty: export the {what} from LimeSurvey again")
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refuse(
            name,
            "the file declares a DTD or entities (a LimeSurvey export never does; such files can "
            "expand into gigabytes or read other files): refused; export it from LimeSurvey again",
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        reason = str(exc).split(":")[0]
        raise _refuse(
            name,
            f"is not well-formed XML ({reason}, column {column}): the file is damaged or cut off; "
            f"export the {what} from LimeSurvey again",
            line,
        ) from None


def table(root: Element, name: str) -> list[dict[str, str]]:
    """The rows of one table section as field → text (missing fields absent)."""
    rows = root.find(f"{name}/rows")
    if rows is None:
        return []
    return [{child.tag: child.text or "" for child in row} for row in rows.findall("row")]


#: a LimeSurvey text as plain text (counting what was removed)
_Text = Callable[[str | None], str]


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def parse_lss(data: bytes, name: str) -> LsSurvey:
    root = parse_xml(data, name, "survey structure (.lss)")
    if root.tag != "document" or (root.findtext("LimeSurveyDocType") or "").strip() != "Survey":
        kind = (root.findtext("LimeSurveyDocType") or "").strip()
        found = f"a LimeSurvey `{kind}` export" if kind else f"XML with the root element <{root.tag}>"
        raise _refuse(
            name,
            f"is {found}, not a survey structure: in LimeSurvey choose "
            "Display/Export → Survey structure (.lss)",
        )
    surveys = table(root, "surveys")
    if not surveys:
        raise _refuse(name, "has no <surveys> section: the export is incomplete; export it again")
    survey = surveys[0]
    languages = _languages(root, survey, name)
    cleaning = TextCleaning()

    def text(value: str | None) -> str:
        return plain_text(value, cleaning)

    result = LsSurvey(
        file=name,
        sid=survey.get("sid", ""),
        db_version=_int(root.findtext("DBVersion")),
        languages=languages,
        anonymized=survey.get("anonymized", "N") == "Y",
    )
    for row in table(root, "surveys_languagesettings"):
        language = row.get("surveyls_language", "")
        result.titles[language] = text(row.get("surveyls_title"))
        result.descriptions[language] = text(row.get("surveyls_description"))
    result.groups = _groups(root, text)
    questions = _questions(root, text)
    _answers(root, questions, text)
    order = {g.gid: index for index, g in enumerate(result.groups)}
    result.questions = sorted(
        questions.values(), key=lambda q: (order.get(q.gid, len(order)), q.order, _int(q.qid))
    )
    for question in result.questions:
        question.rows.sort(key=lambda s: (s.order, _int(s.qid)))
        question.columns.sort(key=lambda s: (s.order, _int(s.qid)))
    result.scripts_removed = cleaning.scripts
    return result


def _languages(root: Element, survey: dict[str, str], name: str) -> list[str]:
    """The survey's languages, the base language first."""
    base = survey.get("language", "").strip()
    languages = [base] if base else []
    for extra in (survey.get("additional_languages") or "").split():
        if extra not in languages:
            languages.append(extra)
    declared = [t.text.strip() for t in root.findall("languages/language") if t.text and t.text.strip()]
    for code in declared:
        if code.strip() not in languages:
            languages.append(code.strip())
    if not languages:
        raise _refuse(name, "declares no language: the export is incomplete; export it again")
    return languages


def _groups(root: Element, text: _Text) -> list[LsGroup]:
    """The question groups in their order, with their texts from either layout."""
    groups: dict[str, LsGroup] = {}
    for row in table(root, "groups"):
        group = groups.setdefault(
            row.get("gid", ""), LsGroup(row.get("gid", ""), _int(row.get("group_order")))
        )
        if "language" in row:  # LimeSurvey ≤ 3: one row per language
            group.names[row["language"]] = text(row.get("group_name"))
            group.descriptions[row["language"]] = text(row.get("description"))
    for row in table(root, "group_l10ns"):
        group = groups.get(row.get("gid", ""))
        if group is not None:
            group.names[row.get("language", "")] = text(row.get("group_name"))
            group.descriptions[row.get("language", "")] = text(row.get("description"))
    return sorted(groups.values(), key=lambda g: (g.order, _int(g.gid)))


def _questions(root: Element, text: _Text) -> dict[str, LsQuestion]:
    """The questions by qid, with their subquestions (rows, columns) and texts from either layout."""
    questions: dict[str, LsQuestion] = {}
    for row in table(root, "questions"):
        qid = row.get("qid", "")
        question = questions.get(qid)
        if question is None:
            question = questions[qid] = LsQuestion(
                qid=qid,
                gid=row.get("gid", ""),
                type=row.get("type", ""),
                code=row.get("title", "").strip(),
                order=_int(row.get("question_order")),
                other=row.get("other") == "Y",
                mandatory=row.get("mandatory") == "Y",
            )
        if "language" in row:
            question.texts[row["language"]] = text(row.get("question"))
            question.help[row["language"]] = text(row.get("help"))
    subs: dict[str, LsSub] = {}
    for row in table(root, "subquestions"):
        parent = questions.get(row.get("parent_qid", ""))
        if parent is None:
            continue
        qid = row.get("qid", "")
        sub = subs.get(qid)
        if sub is None:
            sub = subs[qid] = LsSub(
                qid, row.get("title", "").strip(), _int(row.get("question_order")), _int(row.get("scale_id"))
            )
            (parent.columns if sub.scale == 1 else parent.rows).append(sub)
        if "language" in row:
            sub.texts[row["language"]] = text(row.get("question"))
    for row in table(root, "question_l10ns"):
        qid = row.get("qid", "")
        language = row.get("language", "")
        if qid in questions:
            questions[qid].texts[language] = text(row.get("question"))
            questions[qid].help[language] = text(row.get("help"))
        elif qid in subs:
            subs[qid].texts[language] = text(row.get("question"))
    return questions


def _answers(root: Element, questions: dict[str, LsQuestion], text: _Text) -> None:
    """Each question's answer options (per scale), with their texts from either layout."""
    answers: dict[str, LsAnswer] = {}
    by_key: dict[tuple[str, str, int], LsAnswer] = {}
    for row in table(root, "answers"):
        question = questions.get(row.get("qid", ""))
        if question is None:
            continue
        key = (question.qid, row.get("code", "").strip(), _int(row.get("scale_id")))
        answer = by_key.get(key)
        if answer is None:
            answer = by_key[key] = LsAnswer(key[1], _int(row.get("sortorder")), key[2])
            question.answers.append(answer)
        if row.get("aid"):
            answers[row["aid"]] = answer
        if "language" in row:
            answer.texts[row["language"]] = text(row.get("answer"))
    for row in table(root, "answer_l10ns"):
        answer = answers.get(row.get("aid", ""))
        if answer is not None:
            answer.texts[row.get("language", "")] = text(row.get("answer"))
