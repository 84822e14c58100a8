"""LimeSurvey responses (a CSV export with answer codes, or a `.lsa` archive) as responses to a
version imported from LimeSurvey: every row checked, every problem named by line and column.

Columns are found under every heading LimeSurvey writes: question codes (`F[SQ01]`, dual scale
`dual[SQ01][1]`, LimeSurvey 2 style `F_SQ01`) and SGQA names (`282267X2471X22813SQ01`, dual
scale `…#0`), the latter also with the underscore `.lsr` files put in front. Nothing that could
point to a person is kept: no response id, token, IP address, referrer, seed or time — only
the unit (through the mapping), the language, the answer codes and free texts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from survey.domain.limesurvey.lss import LsSurvey, parse_lss, parse_xml, table
from survey.domain.limesurvey.mapping import ImportMapping
from survey.domain.questionnaire import QuestionnaireVersion, Scale
from survey.errors import ImportFileError, Problem

__all__ = [
    "MAX_RESPONSE_BYTES",
    "ImportedResponse",
    "ResponseTable",
    "parse_responses",
    "read_archive",
    "read_csv",
]

#: a Kommune's whole staff survey over years is a few megabytes
MAX_RESPONSE_BYTES = 200 * 1024 * 1024
#: an archive holds four files; more, or far larger unpacked than packed, is no LimeSurvey export
MAX_ARCHIVE_MEMBERS = 50
MAX_RATIO = 200
#: problems listed one by one; the rest are counted
MAX_LISTED = 50
_PLACEHOLDER_DAY = dt.date(1980, 1, 1)  # LimeSurvey's submitdate in anonymous surveys without dates


@dataclass
class ResponseTable:
    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (line in the file, column → text)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)  # token → its attributes


@dataclass
class ImportedResponse:
    line: int
    unit: str
    language: str
    answers: dict[str, int | None]
    comments: dict[str, str]
    submitted: dt.date | None


@dataclass
class ParsedResponses:
    responses: list[ImportedResponse]
    skipped_incomplete: int = 0
    other_answers: int = 0
    absent_texts: list[str] = field(default_factory=list)  # free-text items without a column


def _refuse(name: str, message: str, line: int | None = None) -> ImportFileError:
    return ImportFileError([Problem(name, "", message, line)])


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _refuse(
            name, f"not UTF-8 text (byte {exc.start}): export it from LimeSurvey as UTF-8", line
        ) from None


def read_csv(path: Path, display: str | None = None) -> ResponseTable:
    name = display or str(path)
    data = _read_limited(path, name)
    return parse_csv(_decode(data, name), name)


def _read_limited(path: Path, name: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_RESPONSE_BYTES:
            raise _refuse(
                name,
                f"the file is {size:,} bytes; response files over {MAX_RESPONSE_BYTES:,} bytes are "
                "refused: export the responses in parts (by date or by response id)",
            )
        return path.read_bytes()
    except OSError as exc:
        raise _refuse(name, f"cannot be read ({exc.strerror}): check the path") from None


def parse_csv(text: str, name: str) -> ResponseTable:
    if not text.strip():
        raise _refuse(name, "the file is empty: export the responses from LimeSurvey again")
    first = text.split("\n", 1)[0]
    try:
        # Only the separator is guessed (LimeSurvey offers comma, semicolon and tab); quoting is
        # LimeSurvey's always: double quotes, doubled inside.
        delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [h.strip() for h in next(reader)]
        if len(set(header)) != len(header):
            twice = sorted({h for h in header if header.count(h) > 1})
            raise _refuse(
                name, f"the column(s) {', '.join(twice)} appear twice: export the responses again", 1
            )
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise _refuse(
                    name,
                    f"has {len(values)} fields where the header has {len(header)}: the file is damaged "
                    "or was edited (a separator inside a text without quotes?); export it again",
                    line,
                )
            rows.append((line, dict(zip(header, values, strict=True))))
    except csv.Error as exc:
        raise _refuse(
            name, f"is not a readable CSV file ({exc}): export it from LimeSurvey again", reader.line_num
        ) from None
    return ResponseTable(name, header, rows)


def read_archive(path: Path, display: str | None = None) -> tuple[LsSurvey, ResponseTable]:
    """The structure and the responses (with tokens, where there are any) of a `.lsa` archive."""
    name = display or str(path)
    _read_limited(path, name)  # the size check
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(
            name, f"is not a readable .lsa archive ({exc}): export it from LimeSurvey again"
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise _refuse(name, f"holds {len(members)} files; a LimeSurvey archive holds four: refused")
        total = 0
        for member in members:
            total += member.file_size
            if (
                member.file_size > MAX_RESPONSE_BYTES
                or total > MAX_RESPONSE_BYTES
                or (member.compress_size and member.file_size / member.compress_size > MAX_RATIO)
            ):
                raise _refuse(
                    name,
                    f"{member.filename} would unpack to {member.file_size:,} bytes: refused as a zip bomb; "
                    "export the archive from LimeSurvey again",
                )

        def member(suffix: str, required: bool) -> tuple[str, bytes] | None:
            found = [m for m in members if m.filename.lower().endswith(suffix) and not m.is_dir()]
            if not found:
                if required:
                    raise _refuse(
                        name, f"holds no {suffix} file: it is no complete LimeSurvey survey archive"
                    )
                return None
            try:
                with archive.open(found[0]) as stream:
                    data = stream.read(MAX_RESPONSE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                raise _refuse(
                    f"{name}:{found[0].filename}", f"cannot be unpacked ({exc}): export it again"
                ) from None
            return f"{name}:{found[0].filename}", data

        lss_name, lss_data = member(".lss", True)  # type: ignore[misc]
        lsr_name, lsr_data = member(".lsr", True)  # type: ignore[misc]
        tokens = member(".lst", False)
    survey = parse_lss(lss_data, lss_name)
    responses = _xml_rows(lsr_data, lsr_name, "Responses", "responses")
    header = sorted({key for _, row in responses for key in row})
    result = ResponseTable(lsr_name, header, responses)
    if tokens is not None:
        for _, row in _xml_rows(tokens[1], tokens[0], "Tokens", "tokens"):
            if row.get("token"):
                result.tokens[row["token"]] = row
    return survey, result


def _xml_rows(data: bytes, name: str, kind: str, section: str) -> list[tuple[int, dict[str, str]]]:
    root = parse_xml(data, name, f"{kind.lower()} file")
    if (root.findtext("LimeSurveyDocType") or "").strip() != kind:
        raise _refuse(name, f"is not a LimeSurvey {kind.lower()} file: export the archive again")
    rows = []
    for index, row in enumerate(table(root, section), start=1):
        # XML names cannot start with a digit: LimeSurvey writes SGQA columns as `_282267X…`
        rows.append((index, {re.sub(r"^_(?=\d)", "", key): value for key, value in row.items()}))
    return rows


# --- columns ---------------------------------------------------------------------------------


def _candidates(link: dict[str, Any], sid: str, item: dict[str, Any]) -> Iterator[str]:
    code, row, scale = item["question"], item.get("row"), item.get("scale")
    question = link["questions"].get(code, {})
    sgq = f"{sid}X{question.get('gid')}X{question.get('qid')}"
    if row is None:
        yield from (code, sgq)
        return
    if scale is None:
        yield from (f"{code}[{row}]", f"{code}_{row}", f"{sgq}{row}")
        if item.get("row_qid"):
            yield f"Q{question.get('qid')}_S{item['row_qid']}"
        return
    yield from (
        f"{code}[{row}][{scale + 1}]",
        f"{code}[{row}#{scale}]",
        f"{code}_{row}#{scale}",
        f"{sgq}{row}#{scale}",
        f"{sgq}{row}_{scale}",
    )


def unit_column(link: dict[str, Any], sid: str, header: list[str], name: str) -> str | None:
    if name in header:
        return name
    question = link["questions"].get(name)
    if question is not None:
        sgq = f"{sid}X{question['gid']}X{question['qid']}"
        if sgq in header:
            return sgq
    return None


# --- rows ------------------------------------------------------------------------------------


def parse_responses(
    responses: ResponseTable,
    *,
    link: dict[str, Any],
    version: QuestionnaireVersion,
    mapping: ImportMapping,
    skip_incomplete: bool,
    anonymized: bool,
) -> ParsedResponses:
    """Every row as a response, or ImportFileError listing every row that does not fit."""
    name = responses.file
    sid = str(link.get("survey_id", ""))
    problems: list[Problem] = []
    columns, absent_texts = _item_columns(responses, link, version, sid, problems)
    unit_source, column = _unit_source(responses, link, mapping, sid, anonymized, problems)
    if problems:
        raise ImportFileError(problems)

    tags: dict[str, str] = link.get("languages", {})
    scales = {item.id: version.scale_of(item) for item in version.items}
    parsed = ParsedResponses([], absent_texts=absent_texts)
    bad_rows = 0
    for line, row in responses.rows:
        reasons: list[str] = []
        if "submitdate" in row and not row["submitdate"].strip():
            if skip_incomplete:
                parsed.skipped_incomplete += 1
                continue
            reasons.append(
                "incomplete response (no submitdate): export completed responses only, "
                "or pass --skip-incomplete"
            )
        if column is not None:
            raw_unit = row.get(column, "").strip()
        else:
            raw_unit = responses.tokens.get(row.get("token", ""), {}).get(unit_source, "").strip()
        unit = _unit(raw_unit, unit_source, mapping, reasons)
        language = _language(row, tags, version, reasons)
        answers, comments = _answers(row, columns, scales, link, parsed, reasons)
        if reasons:
            bad_rows += 1
            if bad_rows <= MAX_LISTED:
                problems.extend(Problem(name, f"row {line}", reason, line) for reason in reasons)
            continue
        parsed.responses.append(
            ImportedResponse(line, unit or "", language or "", answers, comments, _day(row.get("submitdate")))
        )
    if bad_rows > MAX_LISTED:
        problems.append(Problem(name, "", f"and {bad_rows - MAX_LISTED} more rows that do not fit"))
    if problems:
        problems.append(
            Problem(name, "", f"{bad_rows} of {len(responses.rows)} rows do not fit: nothing imported")
        )
        raise ImportFileError(problems)
    if not parsed.responses:
        raise _refuse(name, "holds no complete response: nothing to import")
    return parsed


def _item_columns(
    responses: ResponseTable,
    link: dict[str, Any],
    version: QuestionnaireVersion,
    sid: str,
    problems: list[Problem],
) -> tuple[dict[str, str], list[str]]:
    """The column of each item of the version, and the free-text items exported without one;
    a rated item without a column is a problem (added to `problems`)."""
    header = responses.header
    columns: dict[str, str] = {}
    missing: list[str] = []
    absent_texts: list[str] = []
    for item_id, item in link["items"].items():
        if item_id not in version.item_ids:
            continue
        column = next((c for c in _candidates(link, sid, item) if c in header), None)
        if column is None and version.scale_of(version.item(item_id)).is_text:
            # Exported without the free texts (a data-protection choice of the office): fine.
            absent_texts.append(item_id)
        elif column is None:
            missing.append(item_id)
        else:
            columns[item_id] = column
    if missing:
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        problems.append(
            Problem(
                responses.file,
                "",
                f"no column for the item(s) {shown}: export the responses of survey {sid} with "
                "answer codes and question codes (or SGQA) as headings",
                1,
            )
        )
    return columns, absent_texts


def _unit_source(
    responses: ResponseTable,
    link: dict[str, Any],
    mapping: ImportMapping,
    sid: str,
    anonymized: bool,
    problems: list[Problem],
) -> tuple[str, str | None]:
    """Where each row's unit comes from: the mapping's question or token attribute, and its
    column (None: from the participant list). What does not work is added to `problems`."""
    if mapping.unit_from is None:
        problems.append(
            mapping.problem(
                [], "`units:` is missing: name the LimeSurvey question or token attribute that gives the unit"
            )
        )
        raise ImportFileError(problems)
    unit_source = mapping.unit_from
    by_token = unit_source.startswith("attribute_") or unit_source in ("firstname", "lastname", "email")
    column = unit_column(link, sid, responses.header, unit_source)
    if by_token and anonymized:
        # Even where an export still carries tokens: the survey promised not to link answers
        # to the participant list, and the import keeps that promise.
        problems.append(
            mapping.problem(
                ["units", "from"],
                f"the survey is anonymous, so its responses carry no token and no `{unit_source}`: "
                "map the units through a question instead",
            )
        )
    elif column is None and by_token and not responses.tokens:
        problems.append(
            mapping.problem(
                ["units", "from"],
                f"there is no column `{unit_source}` and no participant list: export the responses "
                "with the participant attributes, or as a .lsa archive",
            )
        )
    elif column is None and not by_token:
        problems.append(
            mapping.problem(
                ["units", "from"],
                f"there is no column for the question `{unit_source}` in {responses.file}: "
                "name a question code that the export holds",
            )
        )
    return unit_source, column


def _unit(raw_unit: str, unit_source: str, mapping: ImportMapping, reasons: list[str]) -> str | None:
    """The unit key of a row's unit code, through the mapping's `units.codes`."""
    unit = mapping.unit_codes.get(raw_unit)
    if not raw_unit:
        reasons.append(f"no unit: `{unit_source}` is empty")
    elif unit is None:
        reasons.append(f"`{unit_source}` is `{_show(raw_unit)}`, which `units.codes` does not map: add it")
    return unit


def _language(
    row: dict[str, str], tags: dict[str, str], version: QuestionnaireVersion, reasons: list[str]
) -> str | None:
    """The row's language as our tag; a row without one was answered in the base language."""
    language_code = row.get("startlanguage", "").strip()
    language = tags.get(language_code) or (version.languages[0] if not language_code else None)
    if language is None:
        reasons.append(f"the language `{_show(language_code)}` is not one of the questionnaire")
    return language


def _answers(
    row: dict[str, str],
    columns: dict[str, str],
    scales: dict[str, Scale],
    link: dict[str, Any],
    parsed: ParsedResponses,
    reasons: list[str],
) -> tuple[dict[str, int | None], dict[str, str]]:
    """The row's answer codes translated to ours, and its free texts."""
    answers: dict[str, int | None] = {}
    comments: dict[str, str] = {}
    for item_id, item_column in columns.items():
        raw = row.get(item_column, "")
        scale = scales[item_id]
        if scale.is_text:
            text = raw.strip()
            if len(text) > scale.max_length:
                reasons.append(
                    f"`{item_column}` holds {len(text):,} characters, more than {scale.max_length:,}"
                )
            elif text:
                comments[item_id] = text
            continue
        value = raw.strip()
        codes: dict[str, int] = link["items"][item_id]["codes"] or {}
        if not value or value == "N/A":
            answers[item_id] = None
        elif value == "-oth-":
            answers[item_id] = None
            parsed.other_answers += 1
        elif value in codes:
            answers[item_id] = codes[value]
        else:
            known = ", ".join(list(codes)[:12])
            reasons.append(f"`{item_column}` is `{_show(value)}`, which is no answer code of it ({known})")
    return answers, comments


def _show(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "..."


def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
    return None if day == _PLACEHOLDER_DAY else day
