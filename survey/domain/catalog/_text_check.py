"""One version or Leitbild given as text, checked exactly as `survey questionnaires check` checks
its file: a draft kept in the database, an upload, a file given to `survey questionnaires import`.

The version before it is handed in (a published version or another draft), not looked for in a
folder; every problem keeps its path (`items[3].text`) and line, so that a page can put it next
to its field and an upload can name its line. What a file's name says in the folder (questionnaire
and version) is what the draft says here: a text that names another questionnaire or version
than the draft it is saved to is told so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec
import yaml

from survey.domain.catalog._document import check_version_document
from survey.domain.catalog._leitbild import check_leitbild
from survey.domain.catalog._texts import items_of
from survey.domain.questionnaire import Leitbild, QuestionnaireVersion
from survey.domain.yamlfile import YamlDocument, read_yaml_text
from survey.errors import Problem

__all__ = [
    "CheckedText",
    "check_leitbild_text",
    "check_version_text",
    "items_with_problems",
    "yaml_text",
]


@dataclass(frozen=True)
class CheckedText:
    """A checked text: its decoded document, every problem, and what it holds when there is none."""

    doc: YamlDocument
    problems: list[Problem] = field(default_factory=list)
    version: QuestionnaireVersion | None = None
    leitbild: Leitbild | None = None

    @property
    def data(self) -> dict[str, Any]:
        """The decoded mapping (empty where the text is no mapping or cannot be read)."""
        return self.doc.data if isinstance(self.doc.data, dict) else {}

    @property
    def ok(self) -> bool:
        return not self.problems


def check_version_text(
    text: str,
    name: str,
    *,
    leitbilder: Mapping[str, Leitbild],
    previous: QuestionnaireVersion | Mapping[str, Any] | None,
    previous_broken: set[str] | None = None,
    questionnaire: str | None = None,
    number: int | None = None,
) -> CheckedText:
    """Every problem of a version's text, as `survey questionnaires check` finds them in its file.

    `previous` is version N-1 (None where the text is v1, or where there is none: then that is a
    problem of a later version); `previous_broken` the ids of its items that have problems of their
    own (another draft), not compared again. `questionnaire` and `number`, where given, are what
    the text must say (the draft it is saved to)."""
    doc = read_yaml_text(text, name)
    if doc.problems:
        return CheckedText(doc, list(doc.problems))
    data = doc.data if isinstance(doc.data, dict) else {}
    said_key = data.get("questionnaire")
    said_number = data.get("version")
    key = said_key if isinstance(said_key, str) else questionnaire or ""
    version_number = said_number if _whole(said_number) else number or 1
    before = msgspec.to_builtins(previous) if isinstance(previous, QuestionnaireVersion) else previous
    found = check_version_document(
        doc, key, version_number, leitbilder, {}, dict(before) if before else None, previous_broken or set()
    )
    if questionnaire is not None and isinstance(said_key, str) and said_key != questionnaire:
        found.append(
            doc.problem(
                ["questionnaire"],
                f"is `{said_key}` but this draft is of `{questionnaire}`: they must be equal",
            )
        )
    if number is not None and _whole(said_number) and said_number != number:
        found.append(
            doc.problem(
                ["version"], f"is {said_number} but this draft is version {number}: they must be equal"
            )
        )
    if before is None and version_number > 1:
        found.insert(
            0,
            doc.problem(
                ["version"],
                f"there is no version {version_number - 1} of `{key}` to compare with: "
                "number versions without gaps",
            ),
        )
    if found:
        return CheckedText(doc, found)
    return CheckedText(doc, [], version=msgspec.convert(data, QuestionnaireVersion))


def check_leitbild_text(text: str, name: str, *, key: str | None = None) -> CheckedText:
    """Every problem of a Leitbild's text, as `survey questionnaires check` finds them in its file;
    `key`, where given, is the key the text must say (the draft it is saved to)."""
    doc = read_yaml_text(text, name)
    problems: list[Problem] = []
    leitbild = check_leitbild(doc, problems)
    said = doc.data.get("leitbild") if isinstance(doc.data, dict) else None
    if key is not None and isinstance(said, str) and said != key:
        problems.append(
            doc.problem(
                ["leitbild"], f"is `{said}` but this draft is the Leitbild `{key}`: they must be equal"
            )
        )
        leitbild = None
    return CheckedText(doc, problems, leitbild=leitbild)


def items_with_problems(checked: CheckedText) -> set[str]:
    """Ids of the items that have problems of their own: the next version is not compared with
    them, or each difference would be reported twice while the fix belongs here."""
    broken = set()
    for index, item in items_of(checked.data):
        prefix = f"items[{index}]"
        if isinstance(item.get("id"), str) and any(
            p.path == prefix or p.path.startswith((f"{prefix}.", f"{prefix}[")) for p in checked.problems
        ):
            broken.add(item["id"])
    return broken


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


# --- writing: the exchange format ------------------------------------------------------------

#: the order of keys in a written file: as the shipped files have them (unknown keys after these)
_ORDER = {
    "version": (
        "questionnaire",
        "version",
        "audience",
        "leitbild",
        "languages",
        "title",
        "intro",
        "sections",
        "scales",
        "items",
    ),
    "leitbild": ("leitbild", "languages", "name", "description", "values"),
    "item": ("id", "section", "text", "help", "scale", "values", "reverse", "required", "change", "replaces"),
    "scale": ("type", "labels", "anchors", "options", "no_answer", "max_length"),
}


def _ordered(data: dict[str, Any], kind: str) -> dict[str, Any]:
    order = _ORDER[kind]
    keys = sorted(data, key=lambda k: order.index(k) if k in order else len(order))
    return {k: data[k] for k in keys}


def _without_empty(value: Any) -> Any:
    """Mappings without their empty texts and lists (`description: {}` is a default, not a text)."""
    if isinstance(value, dict):
        kept = {k: _without_empty(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v != {} and v != []}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


def _arranged(data: dict[str, Any]) -> dict[str, Any]:
    out = _ordered(_without_empty(data), "version" if "questionnaire" in data else "leitbild")
    if isinstance(out.get("items"), list):
        out["items"] = [_ordered(i, "item") if isinstance(i, dict) else i for i in out["items"]]
    if isinstance(out.get("scales"), dict):
        out["scales"] = {
            n: _ordered(s, "scale") if isinstance(s, dict) else s for n, s in out["scales"].items()
        }
    return out


class _Dumper(yaml.SafeDumper):
    """Block style with indented lists; short lists of plain words in flow style (`[de, en]`)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    short = all(isinstance(v, str) and v.replace("-", "").isalnum() and len(v) <= 32 for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=bool(value) and short)


_Dumper.add_representer(list, _list)


def yaml_text(data: QuestionnaireVersion | Leitbild | Mapping[str, Any], header: str = "") -> str:
    """The exchange format of a version or Leitbild: YAML that `survey questionnaires check` reads
    back to the same content (and content hash); `header` becomes comment lines on top."""
    plain = msgspec.to_builtins(data) if isinstance(data, msgspec.Struct) else dict(data)
    body = yaml.dump(
        _arranged(plain), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2
    )
    comments = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comments + body
