"""Texts in every language of the shipped questionnaires, for the versions and Leitbild values that
tests write themselves: a version must be complete in each language it declares."""

from __future__ import annotations

from pathlib import Path

from survey.domain import load_catalog

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "questionnaires"

#: the languages of the shipped files (the Leitbild and every version declare the same seven)
LANGUAGES: list[str] = list(load_catalog(QUESTIONNAIRES).leitbilder["lindenau"].languages)


def in_every_language(de: str, en: str, languages: list[str] = LANGUAGES) -> dict[str, str]:
    """German and English as given, each other language a stand-in that names it (`[tr] ...`):
    what such a test checks is never the wording of a translation."""
    given = {"de": de, "en": en}
    return {lang: given.get(lang, f"[{lang}] {en}") for lang in languages}
