"""The redactor: every finder over a comment, overlaps settled, markers put in.

Where two finds overlap, the kind looked for first wins: an e-mail address before the name in it,
an IBAN or a case number before the phone number its digits would make, a street before the names
in it ("Hans-Böckler-Str. 12"). Names are looked for last, outside everything found before.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from survey.text.redaction._address import find_addresses
from survey.text.redaction._dates import find_birth_dates
from survey.text.redaction._markers import ALL_MARKERS, KINDS, markers_for
from survey.text.redaction._namelist import NameList, name_list
from survey.text.redaction._names import NameFinder
from survey.text.redaction._patterns import (
    find_case_numbers,
    find_emails,
    find_ibans,
    find_phones,
    find_plates,
)
from survey.text.redaction._rules import Rules, read_rules
from survey.text.redaction._words import CONNECTORS, NEVER_NAMES, fold

__all__ = ["Redacted", "Redactor", "load_redactor"]

Span = tuple[int, int]

_MARKER = re.compile("|".join(re.escape(m) for m in sorted(ALL_MARKERS, key=len, reverse=True)))
_NAME_WORD = re.compile(r"[^\W\d_][\w'’ʼ-]*")


@dataclass(frozen=True)
class Redacted:
    """A comment with its personal data replaced by markers, and how many of each kind."""

    text: str
    found: dict[str, int] = field(default_factory=dict)


class Redactor:
    """Replaces names, e-mail addresses, phone numbers, IBANs, dates of birth, addresses, vehicle
    registrations and case numbers in free text by markers in the comment's language.

    Built once per process (`load_redactor`); `redact` does no I/O and keeps no state between
    calls, so one redactor serves every thread.
    """

    def __init__(self, names: NameList, extra_names: Iterable[str] = (), rules: Rules | None = None) -> None:
        self.rules = rules or Rules()
        extra = frozenset(_extra_words(extra_names)) - self.rules.keep
        self._names = NameFinder(names, extra, self.rules.keep)
        self._patterns = tuple(pattern for _, pattern in self.rules.case_numbers)

    def redact(self, text: str, language: str, today: dt.date | None = None) -> Redacted:
        """`text` with its personal data replaced; `today` fixes "fourteen years back" for tests."""
        if not text or not text.strip():
            return Redacted(text, {})
        found: list[tuple[int, int, str]] = [(s, e, "marker") for s, e in _spans(_MARKER, text)]
        for kind, spans in self._finds(text, language, today):
            for start, end in spans:
                if end > start and not any(s < end and start < e for s, e, _ in found):
                    found.append((start, end, kind))
        claimed = [(s, e) for s, e, _ in found]
        found.extend((s, e, "name") for s, e in self._names.find(text, language, claimed))
        return _replace(text, found, markers_for(language))

    def _finds(self, text: str, language: str, today: dt.date | None) -> Iterable[tuple[str, list[Span]]]:
        yield "email", find_emails(text)
        yield "iban", find_ibans(text)
        yield "case_number", find_case_numbers(text, self._patterns)
        yield "birth_date", find_birth_dates(text, today)
        yield "phone", find_phones(text, language)
        yield "vehicle", find_plates(text)
        yield "address", find_addresses(text, self._names.names)


def _spans(pattern: re.Pattern[str], text: str) -> list[Span]:
    return [m.span() for m in pattern.finditer(text)] if "[" in text else []


def _replace(text: str, found: list[tuple[int, int, str]], markers: dict[str, str]) -> Redacted:
    counts = dict.fromkeys(KINDS, 0)
    out: list[str] = []
    at = 0
    for start, end, kind in sorted(found):
        if kind == "marker" or start < at:
            continue
        out.append(text[at:start])
        out.append(markers[kind])
        counts[kind] += 1
        at = end
    out.append(text[at:])
    return Redacted("".join(out), {k: n for k, n in counts.items() if n})


def _extra_words(names: Iterable[str]) -> Iterable[str]:
    """The words of the Kommune's names ("Anna Schmidt", "Dr. Kai Weber", "Yılmaz"): each part of
    two letters or more, but no particle ("von", "de") or function word."""
    for name in names:
        for word in _NAME_WORD.findall(name):
            key = fold(word.strip("'’ʼ-"))
            if len(key) >= 2 and key not in CONNECTORS and key not in NEVER_NAMES and not key.endswith("."):
                yield key


_lock = threading.Lock()
_plain: list[Redactor] = []


def load_redactor(
    extra_names: Iterable[str] = (), rules_file: Path | None = None, rules_text: str | None = None
) -> Redactor:
    """A redactor with the shipped name list (read once per process), the Kommune's own names
    (users' display names, the office's list) and its rules (a file or a text; problems raise
    RedactionFileError). Without arguments the same redactor is returned each time."""
    extra = list(extra_names)
    if not extra and rules_file is None and rules_text is None:
        with _lock:
            if not _plain:
                _plain.append(Redactor(name_list()))
            return _plain[0]
    rules = read_rules(rules_file, rules_text)
    return Redactor(name_list(), extra, rules)
