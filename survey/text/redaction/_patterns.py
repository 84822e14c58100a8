"""Personal data with a shape: e-mail addresses, phone numbers, IBANs, vehicle registrations, case
numbers and street addresses. Each finder returns (start, end) spans of the text; which of two
overlapping finds wins is the engine's choice (survey.text.redaction._engine).
"""

from __future__ import annotations

import re

import phonenumbers
from schwifty import IBAN, registry
from schwifty.exceptions import SchwiftyException

__all__ = [
    "find_case_numbers",
    "find_emails",
    "find_ibans",
    "find_phones",
    "find_plates",
]

Span = tuple[int, int]

_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+(?:@|\s?[(\[](?:at|ät)[)\]]\s?)[\w-]+(?:\.[\w-]+)*"
    r"(?:\.|\s?[(\[](?:dot|punkt)[)\]]\s?)[A-Za-z]{2,}(?![\w-])",
    re.IGNORECASE,
)


def find_emails(text: str) -> list[Span]:
    if "@" not in text and "(at)" not in text.lower() and "[at]" not in text.lower():
        return []
    return [m.span() for m in _EMAIL.finditer(text)]


# --- phone numbers ---------------------------------------------------------------------------------

#: words after which a number is a phone number even without a leading 0 or +
_PHONE_WORDS = re.compile(
    r"(?:tel\b\.?|telefon\w*|handy\w*|mobil\w*|fax\w*|rufnummer|festnetz\w*|whatsapp|"
    r"\w*rufen|angerufen|anruf|erreichbar|rückruf\w*|durchwahl|phone|mobile|call|ring|"
    r"cep|numaram\w*|тел\b\.?|телефон\w*|звоните|дзвоніть|номер|هاتف\w*|الهاتف|جوال|موبايل|رقمي)",
    re.IGNORECASE,
)
_EXTENSION = re.compile(
    r"\s*(?:-\s?\d{1,5}(?![\d.,])|(?:,\s*)?(?:durchwahl|dw\.?|app\.|apparat|nebenstelle|ext\.?|x)\s*[-:]?\s*\d{1,5}\b)",
    re.IGNORECASE,
)
#: an extension without its number ("Durchwahl -123", "Apparat 45")
_EXTENSION_ONLY = re.compile(
    r"(?<!\w)(?:durchwahl|apparat|nebenstelle|app\.|dw\.)\s*[-:]?\s*(\d{2,5})\b", re.IGNORECASE
)
#: digits in the groups phone numbers are written in: six digits at least
_PHONE_RUN = re.compile(r"(?<![\w.,/-])(?=(?:[^\d\n]{0,3}\d){6})[+(]?\d[\d ()/.-]{4,}\d(?![\w])")
_DATE_LIKE = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{2,4}$|^\d{4}-\d{2}-\d{2}$")
_AMOUNT = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")


def find_phones(text: str, language: str) -> list[Span]:
    """Numbers phonenumbers can read as German or international ones, where they look like a phone
    number: a leading 0, + or 00, or a word like "Tel." or "erreichbar" before them."""
    spans: list[Span] = [m.span(1) for m in _EXTENSION_ONLY.finditer(text)]
    if sum(ch.isdigit() for ch in text) < 6:
        return spans
    trunk_8 = language.split("-")[0] in ("ru", "uk")
    for match in phonenumbers.PhoneNumberMatcher(text, "DE", leniency=phonenumbers.Leniency.POSSIBLE):
        raw = match.raw_string
        digits = sum(ch.isdigit() for ch in raw)
        if digits < 6 or _DATE_LIKE.match(raw) or _AMOUNT.match(raw):
            continue
        lead = raw.lstrip("(")
        prefixed = lead.startswith(("+", "0")) or (trunk_8 and lead.startswith("8") and digits == 11)
        if prefixed or _PHONE_WORDS.search(text, max(0, match.start - 40), match.start):
            end = match.end
            extension = _EXTENSION.match(text, end)
            if extension:
                end = extension.end()
            spans.append((match.start, end))
    # what phonenumbers cannot read as a number ("00560 238139") after a word like "Tel."
    for match in _PHONE_RUN.finditer(text):
        if _DATE_LIKE.match(match.group()) or _AMOUNT.match(match.group()):
            continue
        if _PHONE_WORDS.search(text, max(0, match.start() - 40), match.start()):
            spans.append(match.span())
    return _merged(spans)


def _merged(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


# --- IBANs -----------------------------------------------------------------------------------------

_IBAN = re.compile(r"(?<![\w-])([A-Z]{2})\s?(\d{2})((?:[ ]?[A-Z0-9]){11,30})(?![a-z0-9])")


def _iban_length(country: str) -> int | None:
    try:
        return registry.get_iban_spec(country).iban_length
    except (KeyError, SchwiftyException, ValueError):
        return None


def find_ibans(text: str) -> list[Span]:
    """IBANs, valid or not (a mistyped one is still someone's account): a country code, two
    check digits and the account, written in groups of four or not."""
    spans: list[Span] = []
    for match in _IBAN.finditer(text):
        compact = re.sub(r"\s", "", match.group())
        try:
            IBAN(compact)
            spans.append(match.span())
            continue
        except (SchwiftyException, ValueError):
            pass
        length = _iban_length(match.group(1))
        if length is None:
            if sum(c.isdigit() for c in compact) >= 10 and 15 <= len(compact) <= 34:
                spans.append(match.span())
            continue
        if len(compact) < length:
            continue
        # as long as the country's IBANs, even with wrong check digits; a word in capitals after
        # it ("IBAN DE… BIC") is not part of it
        end, taken = match.start(), 0
        while taken < length:
            if not text[end].isspace():
                taken += 1
            end += 1
        spans.append((match.start(), end))
    return spans


# --- vehicle registrations ----------------------------------------------------------------------------

_PLATE = re.compile(r"(?<![\w-])([A-ZÄÖÜ]{1,3})[- ]([A-Z]{1,2})[ -]?([1-9]\d{0,3})[EH]?(?![\w-])")
#: capitals before letters and a number that are no district ("SGB II 2019")
_NO_DISTRICT = frozenset(
    ("SGB", "BGB", "STGB", "ZPO", "BG", "NR", "TOP", "EU", "USA", "GMBH", "IBAN", "PLZ", "TV", "PC")
)


def find_plates(text: str) -> list[Span]:
    """German registrations: district, one or two letters, up to four digits ("B-AB 1234",
    "M XY 123E", "LIN-K 77")."""
    spans = []
    for match in _PLATE.finditer(text):
        if match.group(1).upper() in _NO_DISTRICT:
            continue
        spans.append(match.span())
    return spans


# --- case numbers ------------------------------------------------------------------------------------

_CASE_LABELS = (
    r"aktenzeichen|az\.?|gz\.?|geschäftszeichen|kassenzeichen|buchungszeichen|"
    r"(?:unser|ihr)\s+zeichen|kunden-?nummer|kunden-?nr\.?|vorgangs-?nummer|vorgangs-?nr\.?|"
    r"fall-?nummer|fall-?nr\.?|bg-?nummer|bg-?nr\.?|bedarfsgemeinschafts-?nummer|"
    r"nummer\s+der\s+bedarfsgemeinschaft|antragsnummer|steuernummer|steuer-?id|"
    r"steuer-?identifikationsnummer|personalnummer|versicherungsnummer|"
    r"renten-?versicherungsnummer|sozialversicherungsnummer|mitgliedsnummer|ticket-?nummer|"
    r"ticket-?nr\.?|referenz-?nummer|kundenkonto|"
    r"case\s+number|file\s+number|reference\s+number|customer\s+number|ref\.|"
    r"dosya\s+numarası|dosya\s+no\.?|müşteri\s+numarası|başvuru\s+numarası|"
    r"номер\s+дела|номер\s+справи|номер\s+клиента|номер\s+клієнта|номер\s+заявки|"
    r"رقم\s+الملف|رقم\s+القضية|رقم\s+العميل|رقم\s+الطلب"
)
_CASE_NUMBER = re.compile(
    rf"(?<![\w-])(?:{_CASE_LABELS})(?:\s*(?:[:#]|nr\.?|no\.?|nummer|№))*\s*"
    r"((?=[\w./-]*\d)[\w][\w./-]*(?:\s\d{2,}(?![.,]\d))*)",
    re.IGNORECASE,
)
_BG_NUMBER = re.compile(r"(?<![\w-])\d{5}\s?BG\s?\d{7}(?![\w-])")


def find_case_numbers(text: str, patterns: tuple[re.Pattern[str], ...] = ()) -> list[Span]:
    """The number after a label ("Aktenzeichen 123/45", "Az. 51.2-0815/24", "Kundennummer …"),
    bare Jobcenter numbers of a Bedarfsgemeinschaft, and the Kommune's own patterns."""
    spans = []
    for match in _CASE_NUMBER.finditer(text):
        start, end = match.span(1)
        while end > start and text[end - 1] in "./-":
            end -= 1
        spans.append((start, end))
    spans.extend(m.span() for m in _BG_NUMBER.finditer(text))
    for pattern in patterns:
        spans.extend(m.span() for m in pattern.finditer(text) if m.end() > m.start())
    return spans
