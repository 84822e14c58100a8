"""Read a YAML file into plain data, remembering the line of every key.

PyYAML silently keeps the last of two equal keys and expands aliases; both would hide
mistakes in a file a person edits, so both are reported as problems instead. Aliases are never
expanded at all, so a "billion laughs" file costs no more than its own size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from survey.errors import Problem

__all__ = ["MAX_FILE_BYTES", "YamlDocument", "format_path", "read_yaml", "read_yaml_text"]

# Questionnaire and organisation files are a few hundred kilobytes at most.
MAX_FILE_BYTES = 5 * 1024 * 1024
# They nest a handful of levels deep; far deeper is a mistake (or hostile), answered at its place.
MAX_DEPTH = 64
# Each alias is reported with its line, up to this many; an alias bomb has thousands.
MAX_ALIAS_PROBLEMS = 10

PathKey = tuple[str | int, ...]


def format_path(path: Iterable[str | int]) -> str:
    """`("items", 3, "scale")` → `items[3].scale`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


#: the largest integer a file may hold, in bits (no field takes more than a few digits)
_INT_BITS = 256


@dataclass
class YamlDocument:
    """The decoded data of one file, with what is needed to point at places inside it."""

    file: str
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: how many aliases were found, and the line of the first one not reported on its own
    aliases: int = 0
    more_aliases_from: int | None = None

    def line(self, path: Sequence[str | int]) -> int | None:
        # The nearest enclosing node that has a line: a missing key points at its parent.
        key = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), None)

    def problem(self, path: Sequence[str | int], message: str) -> Problem:
        return Problem(self.file, format_path(path), message, self.line(path))


class _UnreadableValue(yaml.constructor.ConstructorError):
    """A scalar YAML reads as a date or number (or by an explicit tag) but cannot convert."""


_ALIAS = "tag:leitbild-puls,2026:alias"


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: `No`, `yes`, `on` stay texts (English scale labels!)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        # An alias would compose to the very node of its anchor, which carries the anchor's line:
        # stand in a marker that remembers where the alias itself is written.
        if self.check_event(yaml.AliasEvent):
            event = self.get_event()
            return yaml.ScalarNode(_ALIAS, event.anchor, event.start_mark, event.end_mark)
        return super().compose_node(parent, index)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML's constructors raise plain ValueError & co. for scalars that look like a date
        # or carry a tag but cannot be converted (`2024-13-45`, `!!int abc`): report the place.
        try:
            result = super().construct_object(node, deep=deep)
            if isinstance(result, int) and result.bit_length() > _INT_BITS:
                # `0x…`, `0b…` and `1:2:3…` are read without Python's digit limit: a number no
                # field takes, that would only fail later, in the first message quoting it
                raise ValueError("too large")
            return result
        except yaml.YAMLError:
            raise
        except (LookupError, ValueError, TypeError, AttributeError, OverflowError) as exc:
            # (`!!bool maybe` is a KeyError, a number of 5,000 digits a ValueError)
            value = str(node.value)
            if node.tag == "tag:yaml.org,2002:int" and (len(value) > 100 or str(exc) == "too large"):
                reason = f"a number of {len(value):,} characters"
            elif isinstance(exc, LookupError):
                reason = f"not a value of `{node.tag.replace('tag:yaml.org,2002:', '!!')}`"
            else:
                reason = str(exc)
            shown = value if len(value) <= 60 else f"{value[:40]}…{value[-10:]}"
            written = isinstance(node, yaml.ScalarNode) and node.tag != self.resolve(
                yaml.ScalarNode, value, (True, False)
            )
            fix = "remove the tag (`!…`) or quote the value" if written else "quote it"
            raise _UnreadableValue(
                None,
                None,
                f"cannot read the value `{shown}` ({reason}): {fix} to keep it as text",
                node.start_mark,
            ) from exc


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def read_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Decode `path`; problems (unreadable, not YAML, duplicate keys) are in `.problems`."""
    doc = YamlDocument(display or str(path), None)
    text = _read_text(path, doc)
    if text is None:
        return doc
    return _decode(text, doc)


def read_yaml_text(text: str, name: str) -> YamlDocument:
    """Decode `text` (an upload, a draft kept in the database) as `read_yaml` decodes a file:
    the same limit, the same problems, named `name`."""
    doc = YamlDocument(name, None)
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_FILE_BYTES:
        doc.problems.append(
            Problem(
                name,
                "",
                f"the file is {size:,} bytes; files over "
                f"{MAX_FILE_BYTES:,} bytes are refused: split it or check it is the right file",
            )
        )
        return doc
    return _decode(text, doc)


def _decode(text: str, doc: YamlDocument) -> YamlDocument:
    name = doc.file
    try:
        # PyYAML checks for control characters already when the loader is made.
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        doc.problems.append(_unprintable(name, text, exc))
        return doc
    try:
        node = loader.get_single_node()
        if node is None:
            doc.problems.append(
                Problem(name, "", "the file is empty: write the content described in the README")
            )
            return doc
        walked = _walk(node, (), doc)
        if doc.aliases > MAX_ALIAS_PROBLEMS:
            more = doc.aliases - MAX_ALIAS_PROBLEMS
            doc.problems.append(
                Problem(
                    name,
                    "",
                    f"{more:,} more YAML aliases (*) from here on are not listed: write the content out",
                    doc.more_aliases_from,
                )
            )
        if not walked:
            return doc
        doc.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "not valid YAML"
        if isinstance(exc, _UnreadableValue):
            hint = ""
        elif isinstance(exc, yaml.constructor.ConstructorError) and "tag" in what:
            hint = ": remove the tag (`!…`) or quote the value to keep it as text"
        else:
            hint = "; check indentation and quote texts that contain ':' or '#'"
        doc.problems.append(
            Problem(name, "", f"not valid YAML: {what}{hint}", mark.line + 1 if mark else None)
        )
    except yaml.reader.ReaderError as exc:
        doc.problems.append(_unprintable(name, text, exc))
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(name, "", f"not valid YAML: {exc}"))
    except RecursionError:
        # too deep for PyYAML's recursive composer: the reader stopped near the place
        doc.problems.append(
            Problem(
                name,
                "",
                "lists or mappings are nested too deeply: check the brackets and indentation",
                loader.line + 1,
            )
        )
    finally:
        loader.dispose()
    return doc


def _read_text(path: Path, doc: YamlDocument) -> str | None:
    """The file's text, or None with the reason in `doc.problems` (too large, not UTF-8, unreadable)."""
    name = doc.file
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            doc.problems.append(
                Problem(
                    name,
                    "",
                    f"the file is {size:,} bytes; files over "
                    f"{MAX_FILE_BYTES:,} bytes are refused: split it or check it is the right file",
                )
            )
            return None
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        doc.problems.append(
            Problem(name, "", f"not UTF-8 text (byte {exc.start}): save the file as UTF-8", line)
        )
        return None
    except OSError as exc:
        doc.problems.append(Problem(name, "", f"cannot be read ({exc.strerror}): check the path"))
        return None


def _unprintable(name: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    return Problem(
        name,
        "",
        f"the control character #x{exc.character:04x} is not allowed in YAML: "
        "remove it (copying from a word processor can bring it in)",
        text.count("\n", 0, exc.position) + 1,
    )


def _alias(node: yaml.Node, path: PathKey, doc: YamlDocument) -> bool:
    if node.tag != _ALIAS:
        return False
    doc.aliases += 1
    if doc.aliases > MAX_ALIAS_PROBLEMS:
        if doc.more_aliases_from is None:
            doc.more_aliases_from = node.start_mark.line + 1
        return True
    doc.problems.append(
        Problem(
            doc.file,
            format_path(path),
            "YAML anchors and aliases (&, *) are not supported here: write the content out",
            node.start_mark.line + 1,
        )
    )
    return True


def _walk(node: yaml.Node, path: PathKey, doc: YamlDocument, line: int | None = None) -> bool:
    """Record lines; refuse aliases and duplicate keys. Returns False to stop decoding.

    `line` is the line of the key of a mapping entry: a problem with `items[0].text` points at
    `text:`, not at the line below it where a block value starts.
    """
    if _alias(node, path, doc):
        return False
    doc.lines[path] = line or node.start_mark.line + 1
    if len(path) > MAX_DEPTH:
        if not any("levels deep" in p.message for p in doc.problems):
            doc.problems.append(
                Problem(
                    doc.file,
                    format_path(path[:8]),
                    f"lists or mappings are nested more than {MAX_DEPTH} levels deep in here: "
                    "check the brackets and indentation",
                    doc.lines[path],
                )
            )
        return False
    ok = True
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if _alias(key_node, path, doc):
                return False
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key == "<<":
                doc.problems.append(
                    Problem(
                        doc.file,
                        format_path(path),
                        "YAML merge keys (<<) are not supported here: write the content out",
                        key_node.start_mark.line + 1,
                    )
                )
                return False
            if key in keys:
                doc.problems.append(
                    Problem(
                        doc.file,
                        format_path((*path, key)),
                        f"the key `{key}` appears twice here: keep one",
                        key_node.start_mark.line + 1,
                    )
                )
            keys.add(key)
            ok = _walk(value_node, (*path, key), doc, key_node.start_mark.line + 1) and ok
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            ok = _walk(child, (*path, index), doc) and ok
    return ok
