"""Redaction of free-text comments: personal data becomes a marker before a comment is stored.

    rules = Path("questionnaires/_redaction/rules.yaml")
    redactor = load_redactor(extra_names=["Anna Schmidt"], rules_file=rules)
    redactor.redact("Frau Schmidt (Tel. 0351 4881234) war toll", "de").text
    # → "Frau [Name] (Tel. [Telefonnummer]) war toll"

Found: personal names (a list of first and last names from names-dataset, the Kommune's own
names, the words around a name), e-mail addresses, phone numbers, IBANs, dates of birth,
addresses, vehicle registrations and case numbers (and the Kommune's own patterns). German rules
apply to every language, as staff write German whatever the form's language; each language adds
its own titles, months and words. What cannot be checked per language is in `LIMITS`.

The name list is extracted from names-dataset by `python -m survey.text.redaction.names_extract`
and shipped in `data/`; it is read on first use (under a second, about 40 MB) and kept for the process.
"""

from survey.text.redaction._engine import Redacted, Redactor, load_redactor
from survey.text.redaction._markers import KINDS, LIMITS, LIMITS_DE, MARKERS, markers_for
from survey.text.redaction._namelist import name_list
from survey.text.redaction._rules import RULES_SCHEMA, RedactionFileError, check_rules_text

__all__ = [
    "KINDS",
    "LIMITS",
    "LIMITS_DE",
    "MARKERS",
    "RULES_SCHEMA",
    "Redacted",
    "RedactionFileError",
    "Redactor",
    "check_rules_text",
    "is_german_noun",
    "load_redactor",
    "markers_for",
]


def is_german_noun(word: str) -> bool:
    """Whether `word` is a German common noun, a form of one or a compound ending in one
    ("Jugendamt", "Leitung"): such words of a user's display name are no name to remove."""
    return name_list().noun(word, compound=True)
