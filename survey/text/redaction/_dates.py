"""Dates of birth: a full date more than fourteen years back, or any date after "geb.", "born",
"doğum", "родился" and the like. An appointment last month stays ("am 12.03.2026"), and so does a
year alone ("seit 2019") unless it follows such a word ("Jahrgang 1985").
"""

from __future__ import annotations

import datetime as dt
import re

__all__ = ["find_birth_dates"]

Span = tuple[int, int]

#: a person this young does not write about their own or a client's birthday in a staff survey,
#: and a date this old is no appointment: a full date at least this many years back is a birthday
MIN_AGE_YEARS = 14

_MONTHS = {
    # German, English, Turkish, Russian and Ukrainian (genitive), Arabic (Egyptian and Levantine)
    1: "januar jänner january jan ocak января січня يناير كانون الثاني",
    2: "februar feber february feb şubat февраля лютого فبراير شباط",
    3: "märz march mär mar mart марта березня مارس آذار",
    4: "april apr nisan апреля квітня أبريل ابريل نيسان",
    5: "mai may mayıs мая травня مايو أيار",
    6: "juni june jun haziran июня червня يونيو يونيه حزيران",
    7: "juli july jul temmuz июля липня يوليو يوليه تموز",
    8: "august aug ağustos августа серпня أغسطس آب",
    9: "september sept sep eylül сентября вересня سبتمبر أيلول",
    10: "oktober october okt oct ekim октября жовтня أكتوبر تشرين الأول",
    11: "november nov kasım ноября листопада نوفمبر تشرين الثاني",
    12: "dezember december dez dec aralık декабря грудня ديسمبر كانون الأول",
}
_MONTH_OF = {
    name: number
    for number, names in _MONTHS.items()
    for name in re.findall(r"كانون الثاني|كانون الأول|تشرين الأول|تشرين الثاني|\S+", names)
}
_MONTH = "|".join(sorted((re.escape(m) for m in _MONTH_OF), key=len, reverse=True))

_NUMERIC = re.compile(r"(?<![\d.,/])(\d{1,2})\s?([./])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d]|[.,/]\d)")
_ISO = re.compile(r"(?<![\d.,/-])(\d{4})-(\d{2})-(\d{2})(?![\d])")
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w.])(\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?({_MONTH})\.?,?"
    rf"(?:\s+(\d{{4}}))?(?:\s*(?:г\.|р\.|года|року|yılında))?(?![\w])",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?![\w])", re.IGNORECASE
)
_YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d{2}(?![\d])")
#: words before a date of birth (within a few words)
_BIRTH_WORDS = re.compile(
    r"(?:\bgeb\.|\bgeboren|geburtsdatum|geburtstag|\bjahrgang|\bborn\b|date\s+of\s+birth|\bdob\b|\bd\.o\.b\.|"
    r"doğum|doğumlu|doğdu|родил(?:ся|ась)|дата\s+рождения|г\.\s?р\.|народи(?:вся|лася)|"
    r"дата\s+народження|تاريخ\s+الميلاد|مواليد|ولد|ولدت|تولد)",
    re.IGNORECASE,
)
_BIRTH_REACH = 30
_BIRTH_YEAR = re.compile(
    rf"{_BIRTH_WORDS.pattern}\.?[\s:,]*(?:(?:im|in|am|jahr|year|of)\s+){{0,2}}$", re.IGNORECASE
)


def _after_birth_word(text: str, start: int, candidates: list[tuple[int, int, dt.date | None, bool]]) -> bool:
    """Whether a word like "geboren" stands shortly before the date, with no other date between
    ("geboren am 12.03.1985, Termin am 12.03.2026": only the first)."""
    words = list(_BIRTH_WORDS.finditer(text, max(0, start - _BIRTH_REACH), start))
    return bool(words) and not any(words[-1].end() <= s < start for s, _, _, _ in candidates)


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # "12.03.85" is 1985; "12.03.24" is 2024
        year += 2000 if year <= dt.date.today().year % 100 else 1900
    return year


def _date(year: int, month: int, day: int | None) -> dt.date | None:
    try:
        return dt.date(year, month, day or 1)
    except ValueError:
        return None


def _candidates(text: str) -> list[tuple[int, int, dt.date | None, bool]]:
    """(start, end, date, with a year) of every date in the text."""
    found = []
    for m in _NUMERIC.finditer(text):
        found.append((m.start(), m.end(), _date(_year(m.group(4)), int(m.group(3)), int(m.group(1))), True))
    for m in _ISO.finditer(text):
        found.append((m.start(), m.end(), _date(int(m.group(1)), int(m.group(2)), int(m.group(3))), True))
    for m in _DAY_MONTH_YEAR.finditer(text):
        month = _MONTH_OF.get(m.group(2).lower())
        if month is None:
            continue
        year = int(m.group(3)) if m.group(3) else dt.date.today().year
        found.append((m.start(), m.end(), _date(year, month, int(m.group(1))), bool(m.group(3))))
    for m in _MONTH_DAY_YEAR.finditer(text):
        month = _MONTH_OF.get(m.group(1).lower())
        if month is not None:
            found.append((m.start(), m.end(), _date(int(m.group(3)), month, int(m.group(2))), True))
    return found


def find_birth_dates(text: str, today: dt.date | None = None) -> list[Span]:
    if not any(ch.isdigit() for ch in text):
        return []
    today = today or dt.date.today()
    try:
        limit = today.replace(year=today.year - MIN_AGE_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - MIN_AGE_YEARS, day=28)
    spans: list[Span] = []
    candidates = sorted(_candidates(text))
    for start, end, date, with_year in candidates:
        if date is None:
            continue
        if _after_birth_word(text, start, candidates) or (with_year and date <= limit):
            spans.append((start, end))
    for m in _YEAR.finditer(text):
        # a year alone only right after the word: "Jahrgang 1985", "geboren 1985", "born in 1985"
        before = text[max(0, m.start() - _BIRTH_REACH) : m.start()]
        if _BIRTH_YEAR.search(before) and not any(s <= m.start() < e for s, e in spans):
            spans.append(m.span())
    return spans
