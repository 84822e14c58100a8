"""Coming from LimeSurvey: a survey structure becomes a questionnaire version file, and earlier
responses become a closed past wave of that version.

The structure import writes two files into the questionnaire folder, and only after the whole
folder with the new version in it passes the same check as `survey questionnaires check`:
`<questionnaire>/v<N>.yaml` (ours, edited like any other version) and
`<questionnaire>/v<N>.limesurvey.json` (which LimeSurvey field became which item, with which
answer codes, and the import report), which the response import reads.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from survey.domain import Catalog, QuestionnaireVersion, check_catalog, load_catalog
from survey.domain.limesurvey.convert import Conversion, Note, convert_survey, mapping_template
from survey.domain.limesurvey.lss import LsSurvey, read_lss
from survey.domain.limesurvey.mapping import ImportMapping, read_mapping
from survey.domain.questionnaire import Leitbild
from survey.domain.schemas import ID_PATTERN
from survey.errors import ImportFileError, Problem, QuestionnaireFileError, SurveyError

if TYPE_CHECKING:
    from survey.domain.limesurvey.responses import ParsedResponses
    from survey.store.bulk import BulkCounts
    from survey.store.org import StoredUnit
    from survey.text.redaction import Redactor

__all__ = [
    "ResponseImport",
    "StructureImport",
    "choose_leitbild",
    "import_responses",
    "import_structure",
    "link_file",
    "mapping_template_text",
    "read_link",
    "read_mapping_file",
    "read_structure",
]


@dataclass(frozen=True)
class StructureImport:
    version_file: Path
    link_file: Path
    conversion: Conversion

    @property
    def notes(self) -> list[Note]:
        return self.conversion.notes


def link_file(version_file: Path) -> Path:
    return version_file.with_suffix(".limesurvey.json")


def choose_leitbild(questionnaires: Path, key: str | None) -> Leitbild:
    catalog = load_catalog(questionnaires)
    if key is not None:
        if key not in catalog.leitbilder:
            known = ", ".join(catalog.leitbilder) or "none"
            raise SurveyError(
                f"--leitbild {key}: there is no such Leitbild in {questionnaires} (known: {known})"
            )
        return catalog.leitbilder[key]
    if len(catalog.leitbilder) > 1:
        known = ", ".join(catalog.leitbilder)
        raise SurveyError(f"{questionnaires} holds several Leitbilder ({known}): choose one with --leitbild")
    return next(iter(catalog.leitbilder.values()))


def import_structure(
    survey: LsSurvey,
    *,
    questionnaires: Path,
    questionnaire: str,
    audience: str,
    leitbild: Leitbild,
    mapping: ImportMapping,
    version: int | None = None,
) -> StructureImport:
    """Write the version file and its link file, or raise and write nothing."""
    if not re.match(ID_PATTERN, questionnaire) or len(questionnaire) > 64:
        raise SurveyError(
            f"--questionnaire {questionnaire}: use lower-case letters, digits and hyphens, "
            "e.g. mitarbeiterbefragung"
        )
    catalog = load_catalog(questionnaires)
    existing = [v.version for v in catalog.versions_of(questionnaire)]
    number = version or (max(existing) + 1 if existing else 1)
    target = questionnaires / questionnaire / f"v{number}.yaml"
    if target.exists():
        raise SurveyError(f"{target} exists already: choose another --version, or remove the file first")
    if number > 1 and number - 1 not in existing:
        raise SurveyError(
            f"--version {number}: {questionnaire} has no v{number - 1}; number versions without gaps"
        )
    conversion = convert_survey(
        survey,
        questionnaire=questionnaire,
        version=number,
        audience=audience,
        leitbild=leitbild,
        mapping=mapping,
    )
    text = _version_text(survey, conversion)
    _check_with(questionnaires, questionnaire, number, text)
    link = {**conversion.link, "report": [n.__dict__ for n in conversion.notes]}
    target.parent.mkdir(parents=True, exist_ok=True)
    links = link_file(target)
    _write_atomically(links, json.dumps(link, indent=2, ensure_ascii=False) + "\n")
    try:
        _write_atomically(target, text)
    except BaseException:
        links.unlink(missing_ok=True)
        raise
    return StructureImport(target, links, conversion)


def _version_text(survey: LsSurvey, conversion: Conversion) -> str:
    counts = {kind: sum(1 for n in conversion.notes if n.kind == kind) for kind in ("left out", "not mapped")}
    header = (
        f"# Imported from LimeSurvey on {dt.date.today().isoformat()}: {Path(survey.file).name} "
        f"(survey {survey.sid}, database version {survey.db_version}).\n"
        f"# {conversion.items} items; {counts['left out']} question(s) left out and "
        f"{counts['not mapped']} without a Leitbild value (see the report in the .limesurvey.json file).\n"
        "# Edit freely before the first wave; check with `survey questionnaires check`.\n"
    )
    body = yaml.safe_dump(conversion.data, allow_unicode=True, sort_keys=False, width=100)
    return header + body


def _check_with(questionnaires: Path, questionnaire: str, number: int, text: str) -> None:
    """The folder's check as it will be with the new file; its problems name the real path."""
    with tempfile.TemporaryDirectory(prefix="limesurvey-") as scratch:
        copy = Path(scratch) / "questionnaires"
        shutil.copytree(questionnaires, copy, symlinks=False, ignore=shutil.ignore_patterns(".*"))
        (copy / questionnaire).mkdir(exist_ok=True)
        (copy / questionnaire / f"v{number}.yaml").write_text(text, encoding="utf-8")
        _, problems = check_catalog(copy)
    if problems:
        raise QuestionnaireFileError(
            [
                Problem(p.file.replace(str(copy), str(questionnaires)), p.path, p.message, p.line)
                for p in problems
            ]
            + [
                Problem(
                    str(questionnaires), "", "the imported version would not pass the check: nothing written"
                )
            ]
        )


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_link(version_file: Path) -> dict[str, Any]:
    """The link file beside a version file imported from LimeSurvey."""
    path = link_file(version_file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SurveyError(
            f"{path} is missing: the version was not imported from LimeSurvey "
            "(`survey import limesurvey FILE.lss` writes it)"
        ) from None
    except (OSError, ValueError) as exc:
        raise ImportFileError(
            [Problem(str(path), "", f"cannot be read ({exc}): import the structure again")]
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
        raise ImportFileError(
            [Problem(str(path), "", "is not a LimeSurvey link file: import the structure again")]
        )
    return data


# --- responses ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseImport:
    wave: str
    questionnaire: str
    version: int
    responses: int
    answers: int
    comments: int
    per_unit: dict[str, int]
    skipped_incomplete: int
    other_answers: int
    absent_texts: list[str]
    opens_on: dt.date
    closes_on: dt.date


async def import_responses(
    source: Path,
    *,
    questionnaires: Path,
    questionnaire: str,
    version: int | None,
    mapping: ImportMapping,
    wave_key: str,
    opens_on: dt.date | None = None,
    closes_on: dt.date | None = None,
    title: str | None = None,
    k: int = 5,
    k_text: int = 10,
    skip_incomplete: bool = False,
    by: str = "cli",
) -> ResponseImport:
    """Load LimeSurvey responses as the closed past wave `wave_key`: all rows or, on any row
    that does not fit, nothing (every such row is named with its line and reason)."""
    from survey.services.audit import record
    from survey.services.catalog import publish_catalog
    from survey.services.redaction import current_redactor
    from survey.services.waves import check_thresholds, check_wave_key

    check_wave_key(wave_key)
    check_thresholds(k, k_text)
    catalog = load_catalog(questionnaires)
    chosen = _imported_version(catalog, questionnaire, version)
    link = read_link(Path(catalog.files[(chosen.questionnaire, chosen.version)]))
    parsed = _read_responses(source, link, chosen, mapping, skip_incomplete)
    units = await _mapped_units(mapping)
    first, last = await _past_wave_days(parsed, opens_on, closes_on, wave_key)
    await publish_catalog(catalog, only={(chosen.questionnaire, chosen.version)})
    used = sorted({r.unit for r in parsed.responses})
    wave_id = await _open_past_wave(
        chosen,
        wave_key,
        title=title,
        opens_on=first,
        closes_on=last,
        unit_ids=[units[key].id for key in used],
        k=k,
        k_text=k_text,
    )
    redactor = await current_redactor(questionnaires)
    counts = await _load_responses(
        wave_id, parsed, {key: unit.id for key, unit in units.items()}, last, redactor
    )
    per_unit = {key: sum(1 for r in parsed.responses if r.unit == key) for key in used}
    await record(
        by,
        "wave.imported",
        wave_key,
        f"LimeSurvey survey {link.get('survey_id')} ({source.name}) as {chosen.label}: "
        f"{counts.responses} responses, {len(used)} units",
    )
    return ResponseImport(
        wave=wave_key,
        questionnaire=chosen.questionnaire,
        version=chosen.version,
        responses=counts.responses,
        answers=counts.answers,
        comments=counts.comments,
        per_unit=per_unit,
        skipped_incomplete=parsed.skipped_incomplete,
        other_answers=parsed.other_answers,
        absent_texts=parsed.absent_texts,
        opens_on=first,
        closes_on=last,
    )


def _imported_version(catalog: Catalog, questionnaire: str, version: int | None) -> QuestionnaireVersion:
    """The version asked for, or else the newest one imported from LimeSurvey (with a link file)."""
    versions = [
        v
        for v in catalog.versions_of(questionnaire)
        if link_file(catalog.root / questionnaire / f"v{v.version}.yaml").exists()
    ]
    if version is None and not versions:
        raise SurveyError(
            f"--questionnaire {questionnaire}: no version of it was imported from LimeSurvey; "
            "run `survey import limesurvey FILE.lss` first"
        )
    return catalog.version(questionnaire, version) if version else versions[-1]


def _read_responses(
    source: Path,
    link: dict[str, Any],
    chosen: QuestionnaireVersion,
    mapping: ImportMapping,
    skip_incomplete: bool,
) -> ParsedResponses:
    """Every row of the CSV export or `.lsa` archive as a response to `chosen`, or ImportFileError."""
    from survey.domain.limesurvey.responses import parse_responses, read_archive, read_csv

    if source.suffix.lower() == ".lsa":
        survey, table = read_archive(source)
        if survey.sid != str(link.get("survey_id")):
            raise ImportFileError(
                [
                    Problem(
                        str(source),
                        "",
                        f"holds survey {survey.sid}, but {chosen.label} was imported from survey "
                        f"{link.get('survey_id')}: choose the matching --questionnaire/--version",
                    )
                ]
            )
        anonymized = survey.anonymized
    else:
        table = read_csv(source)
        anonymized = bool(link.get("anonymized"))
    return parse_responses(
        table,
        link=link,
        version=chosen,
        mapping=mapping,
        skip_incomplete=skip_incomplete,
        anonymized=anonymized,
    )


async def _mapped_units(mapping: ImportMapping) -> dict[str, StoredUnit]:
    """The organisation's units by key; every unit the mapping names must be one of them."""
    from survey.store import org as org_store

    units = {u.key: u for u in await org_store.list_units()}
    if not units:
        raise SurveyError("no organisation yet: run `survey org import FILE` first")
    unknown = sorted({key for key in mapping.unit_codes.values() if key not in units})
    if unknown:
        raise ImportFileError(
            [
                mapping.problem(
                    ["units", "codes", code],
                    f"there is no unit `{key}`: `survey org list` shows the keys",
                )
                for code, key in mapping.unit_codes.items()
                if key in unknown
            ]
        )
    return units


async def _past_wave_days(
    parsed: ParsedResponses, opens_on: dt.date | None, closes_on: dt.date | None, wave_key: str
) -> tuple[dt.date, dt.date]:
    """The wave's first and last day (given, or the responses' first and last), in the past, and
    a wave key not taken yet."""
    from survey.services.waves import WaveError
    from survey.store import waves as wave_store

    days = sorted(r.submitted for r in parsed.responses if r.submitted is not None)
    first = opens_on or (days[0] if days else None)
    last = closes_on or (days[-1] if days else None)
    if first is None or last is None:
        raise SurveyError(
            "the responses carry no dates (an anonymous survey without date stamps): "
            "give --opens and --closes"
        )
    if last < first:
        raise WaveError(f"--closes {last} is before --opens {first}: swap them")
    if last >= dt.date.today():
        raise WaveError(f"--closes {last} is not in the past: a LimeSurvey import is a past wave")
    if await wave_store.get_wave(wave_key) is not None:
        raise WaveError(f"a wave `{wave_key}` exists already: choose another --wave key")
    return first, last


async def _open_past_wave(
    chosen: QuestionnaireVersion,
    wave_key: str,
    *,
    title: str | None,
    opens_on: dt.date,
    closes_on: dt.date,
    unit_ids: list[int],
    k: int,
    k_text: int,
) -> int:
    """The wave as a draft of the published version `chosen`, until its responses are in."""
    from survey.store import waves as wave_store
    from survey.store.engine import write_transaction

    version_id = await wave_store.version_id(chosen.questionnaire, chosen.version)
    assert version_id is not None
    async with write_transaction():
        return await wave_store.insert_wave(
            key=wave_key,
            title=title
            or f"{chosen.title.get('de') or next(iter(chosen.title.values()))} {opens_on:%m/%Y} (LimeSurvey)",
            version_id=version_id,
            audience=chosen.audience,
            opens_on=opens_on,
            closes_on=closes_on,
            unit_ids=unit_ids,
            status="draft",
            k=k,
            k_text=k_text,
        )


async def _load_responses(
    wave_id: int, parsed: ParsedResponses, unit_ids: dict[str, int], last: dt.date, redactor: Redactor
) -> BulkCounts:
    """The responses into the wave, which closes with them; on failure the wave goes again. Free
    text is redacted on the way in, as a submission's is."""
    import uuid

    from survey.store import waves as wave_store
    from survey.store.bulk import ResponseBatch, bulk_insert_responses, refresh_statistics
    from survey.store.engine import write_transaction

    batch = ResponseBatch()
    for response in parsed.responses:
        response_id = uuid.uuid4()
        unit_id = unit_ids[response.unit]
        # Only the wave's last day is stored: no time of answering comes over from LimeSurvey.
        batch.responses.append((response_id, unit_id, None, response.language, last))
        batch.answers.extend((response_id, unit_id, item, value) for item, value in response.answers.items())
        batch.comments.extend(
            (response_id, unit_id, item, redactor.redact(text, response.language).text, last)
            for item, text in response.comments.items()
        )
    try:
        counts = await bulk_insert_responses(wave_id, [batch], then_status="closed")
    except BaseException:
        async with write_transaction():
            await wave_store.delete_wave(wave_id)
        raise
    await refresh_statistics()
    return counts


# --- the files the command line reads and writes, through the services like every use case ---


def read_structure(path: Path) -> LsSurvey:
    """The LimeSurvey survey structure (.lss) in `path`."""
    return read_lss(path)


def read_mapping_file(path: Path) -> ImportMapping:
    """The mapping file in `path`: Leitbild values per question, and where the unit comes from."""
    return read_mapping(path)


def mapping_template_text(survey: LsSurvey, leitbild: Leitbild) -> str:
    """A mapping file to fill in, with the questions' texts in the survey's first language."""
    base = survey.languages[0]
    return mapping_template(survey, leitbild, lambda texts: texts.get(base, ""))
