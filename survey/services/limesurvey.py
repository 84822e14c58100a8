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
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from survey.domain import check_catalog, load_catalog
from survey.domain.limesurvey.convert import Conversion, Note, convert_survey
from survey.domain.limesurvey.lss import LsSurvey, read_lss
from survey.domain.limesurvey.mapping import ImportMapping
from survey.domain.questionnaire import Leitbild
from survey.domain.schemas import ID_PATTERN
from survey.errors import ImportFileError, Problem, QuestionnaireFileError, SurveyError

__all__ = [
    "StructureImport",
    "choose_leitbild",
    "import_structure",
    "link_file",
    "read_survey",
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


def read_survey(source: Path) -> LsSurvey:
    return read_lss(source)


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
    import re

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
