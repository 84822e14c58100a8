"""Words of a comment: redaction markers left out, German lemmas, compounds split at their head.

simplemma looks every word up in its German dictionary; the answers are cached per word, so a
wave's comments cost one look-up per distinct word, not per occurrence.
"""

from __future__ import annotations

import re
from functools import lru_cache

import simplemma

__all__ = [
    "MARKER",
    "PARTICLES",
    "fold",
    "forms",
    "is_german",
    "lemma",
    "without_markers",
    "word_set",
    "words",
]

#: a redaction marker (`[Name]`, `[Telefonnummer]`, `[E-Mail]`): never a word of the comment
MARKER = re.compile(r"\[[^\[\]\n]{1,40}\]")

#: a word: letters, with hyphens inside (`E-Akte`, Leichte Sprache's `Warte-Zeit`); digits are no words
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def word_set(text: str) -> frozenset[str]:
    """The words of a text separated by spaces: a word list written as one line of text."""
    return frozenset(text.split())


#: the front of a word that is a verb particle or prefix, not the first noun of a compound:
#: `Verstand`, `Vorstand`, `Widerstand` are no kind of `Stand`, `Einführung` no kind of `Führung`
PARTICLES = word_set(
    "auf aus bei dar durch ein emp ent fort gegen her hin hinter los miss mit nach neben ober "
    "über um unter ur ver vor weg wider wieder zer zu zurück zusammen"
)


def without_markers(text: str) -> str:
    """The text with every redaction marker replaced by a space."""
    return MARKER.sub(" ", text)


def words(text: str) -> list[str]:
    """The words of a text as written, markers and numbers left out."""
    return _WORD.findall(without_markers(text))


@lru_cache(maxsize=262_144)
def lemma(word: str) -> str:
    """simplemma's German lemma of `word` as written, in small letters (`Termine` → `termin`).

    Case decides between noun and verb (`Räume` → `raum`, `räume` → `räumen`): a codebook writes
    nouns with a capital letter, as German does."""
    return simplemma.lemmatize(word, lang="de").lower()


#: endings simplemma leaves on words it does not know: adjectives and participles (`gereizte`,
#: `gestresste`), plurals and cases (`Massnahmen`, `Bürgerbüros`)
_ENDINGS = ("em", "en", "er", "es", "e", "n", "s")
#: the shortest word an ending is taken off (`Tone` stays `tone`)
_STRIP_FROM = 6


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def fold(word: str) -> str:
    """The form words are compared in: `ß` as `ss` (simplemma answers `Beschluß` for `Beschluss`),
    umlauts without dots (a plural simplemma does not know: `Krankheitsausfälle` is compared as
    `krankheitsausfalle`, which less its ending is `Krankheitsausfall`)."""
    return word.translate(_FOLD)


@lru_cache(maxsize=262_144)
def forms(word: str) -> frozenset[str]:
    """The forms a word of a comment may match, folded: itself in small letters, its lemma, the
    lemma of its small-letter form, the lemma of its capitalised form (a noun written in small
    letters, as many comments are: `die räume sind zu eng`), and itself without an adjective
    ending."""
    lower = word.lower()
    found = {lower, lemma(word), lemma(lower)}
    if word[:1].islower():
        found.add(lemma(lower[:1].upper() + lower[1:]))
    if len(lower) >= _STRIP_FROM:
        found.update(lower[: -len(e)] for e in _ENDINGS if lower.endswith(e))
    return frozenset(fold(form) for form in found)


def is_german(language: str | None) -> bool:
    """`de`, `de-AT`, `de_CH` and Leichte Sprache (`de-x-ls`); None counts as German (the default
    language of a Kommune's questionnaires)."""
    if language is None:
        return True
    return re.split(r"[-_]", language, maxsplit=1)[0].lower() == "de"
