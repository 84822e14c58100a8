"""Read and check a codebook file (or its text from the browser editor).

Every problem names file, line and path (`values.gemeinsam[2].lemmas[0]`) and says what to do;
all problems of a text are collected before it is refused. The rules beyond the shape:

- value keys are the Leitbild's (handed in: the codebook is checked against the Leitbild it
  belongs to);
- theme keys are unique across the whole codebook (they are the theme codes in analyst exports)
  and written in small letters, digits and hyphens;
- every theme has a label in each declared language, and at least one word under `lemmas`;
- a word (after lemmatising: `Termine` and `Termin` are one) or phrase belongs to one theme of a
  value only; two themes of the same value sharing it would count one remark twice there, so the
  file is refused. Two themes of different values may share a word (the comment then counts
  for both values, as a comment about two values does).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from survey.domain.catalog import valid_language
from survey.domain.yamlfile import YamlDocument, format_path, read_yaml, read_yaml_text
from survey.errors import Problem
from survey.text.themes._model import Codebook, CodebookFileError, Theme
from survey.text.themes._words import lemma, words

__all__ = ["check_codebook_text", "load_codebook", "read_codebook_text"]

_TOP = ("codebook", "languages", "values")
_THEME = ("key", "label", "lemmas", "phrases")
_KEY = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*\Z")

Path_ = list[str | int]


def read_codebook_text(
    text: str, file: str, value_keys: Collection[str], *, leitbild: str | None = None
) -> Codebook:
    """The codebook in `text` (named `file` in problems); CodebookFileError lists every problem.

    `value_keys` are the keys of the Leitbild's values; `leitbild`, where given, is the key the
    text must name under `codebook`."""
    codebook, problems = _check(read_yaml_text(text, file), value_keys, leitbild)
    if codebook is None:
        raise CodebookFileError(problems)
    return codebook


def check_codebook_text(
    text: str, file: str, value_keys: Collection[str], *, leitbild: str | None = None
) -> list[Problem]:
    """Every problem of a codebook's text, as `read_codebook_text` finds them (the browser editor)."""
    return _check(read_yaml_text(text, file), value_keys, leitbild)[1]


def load_codebook(path: Path, value_keys: Collection[str], *, leitbild: str | None = None) -> Codebook:
    """The codebook in the file at `path`; CodebookFileError lists every problem (also a file that
    cannot be read, is too large or not UTF-8)."""
    codebook, problems = _check(read_yaml(path), value_keys, leitbild)
    if codebook is None:
        raise CodebookFileError(problems)
    return codebook


def _check(
    doc: YamlDocument, value_keys: Collection[str], leitbild: str | None
) -> tuple[Codebook | None, list[Problem]]:
    if doc.problems:
        return None, list(doc.problems)
    if not isinstance(doc.data, dict):
        return None, [
            doc.problem(
                [],
                f"expected a mapping with {', '.join(_TOP)}, found {_kind(doc.data)}: "
                "start from the codebook shipped in questionnaires/_codebooks",
            )
        ]
    reader = _Reader(doc, list(value_keys))
    data = doc.data
    reader.unknown_keys(data, [], _TOP)
    key = reader.codebook_key(data, leitbild)
    languages = reader.languages(data)
    themes = reader.values(data, languages)
    if reader.problems or key is None:
        return None, reader.problems
    return Codebook(key, tuple(languages), tuple(themes)), []


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing (an empty value)" if value is None else type(value).__name__


class _Reader:
    """Walks the decoded file once, collecting problems and the themes of a good file."""

    def __init__(self, doc: YamlDocument, value_keys: list[str]) -> None:
        self.doc = doc
        self.value_keys = value_keys
        self.problems: list[Problem] = []
        #: theme key → where it was first given
        self.theme_keys: dict[str, Path_] = {}

    def problem(self, path: Path_, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    def where(self, path: Path_) -> str:
        line = self.doc.line(path)
        return f"{format_path(path)} (line {line})" if line else format_path(path)

    def unknown_keys(self, data: dict[Any, Any], path: Path_, allowed: tuple[str, ...]) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    [*path, str(key)],
                    f"unknown key `{key}`: remove it or fix the spelling "
                    f"(allowed here: {', '.join(allowed)})",
                )

    def codebook_key(self, data: dict[str, Any], leitbild: str | None) -> str | None:
        key = data.get("codebook")
        if "codebook" not in data:
            self.problem(
                ["codebook"], "`codebook` is missing: add the key of its Leitbild (`codebook: lindenau`)"
            )
        elif not isinstance(key, str) or not key:
            self.problem(["codebook"], f"expected the key of a Leitbild, found {_kind(key)}")
        elif leitbild is not None and key != leitbild:
            self.problem(
                ["codebook"],
                f"is `{key}` but this codebook belongs to the Leitbild `{leitbild}`: they must be equal",
            )
        else:
            return key
        return None

    def languages(self, data: dict[str, Any]) -> list[str]:
        languages = data.get("languages")
        if "languages" not in data:
            self.problem(
                ["languages"], "`languages` is missing: list the languages of the labels (`[de, en]`)"
            )
            return []
        if not isinstance(languages, list) or not languages:
            self.problem(
                ["languages"], f"expected a list of languages (`[de, en]`), found {_kind(languages)}"
            )
            return []
        good: list[str] = []
        for index, tag in enumerate(languages):
            if not isinstance(tag, str) or not valid_language(tag):
                shown = f"`{tag}`" if isinstance(tag, str) else _kind(tag)
                self.problem(
                    ["languages", index], f"{shown} is not a known language: use tags such as de, en, tr"
                )
            elif tag in good:
                self.problem(["languages", index], f"`{tag}` is listed twice: remove one")
            else:
                good.append(tag)
        if good and "de" not in good:
            self.problem(["languages"], "German (`de`) is missing: the labels are needed in German")
        return good

    def values(self, data: dict[str, Any], languages: list[str]) -> list[Theme]:
        values = data.get("values")
        if "values" not in data:
            self.problem(["values"], "`values` is missing: add the Leitbild's values, each with its themes")
            return []
        if not isinstance(values, dict) or not values:
            self.problem(
                ["values"],
                "expected the Leitbild's values, each with a list of themes (`gemeinsam:`), "
                f"found {_kind(values)}",
            )
            return []
        themes: list[Theme] = []
        for value, entries in values.items():
            path: Path_ = ["values", str(value)]
            if value not in self.value_keys:
                known = ", ".join(self.value_keys) or "none"
                self.problem(path, f"`{value}` is not a value of the Leitbild: use one of {known}")
            if not isinstance(entries, list) or not entries:
                found = "an empty list" if entries == [] else _kind(entries)
                self.problem(
                    path,
                    f"expected a list of themes (`- key: ...`), found {found}: add one or remove the value",
                )
                continue
            themes.extend(_Value(self, str(value), languages).themes(entries))
        return themes


class _Value:
    """The themes of one value: words and phrases may belong to one of its themes only."""

    def __init__(self, reader: _Reader, value: str, languages: list[str]) -> None:
        self.reader = reader
        self.value = value
        self.languages = languages
        #: lemma (or phrase of lemmas) → theme key and the place it was given
        self.owners: dict[str | tuple[str, ...], tuple[str, Path_]] = {}

    def themes(self, entries: list[Any]) -> list[Theme]:
        themes = []
        for index, entry in enumerate(entries):
            theme = self.theme(entry, ["values", self.value, index])
            if theme is not None:
                themes.append(theme)
        return themes

    def theme(self, entry: Any, path: Path_) -> Theme | None:
        reader = self.reader
        if not isinstance(entry, dict):
            reader.problem(path, f"expected a theme (`key`, `label`, `lemmas`), found {_kind(entry)}")
            return None
        reader.unknown_keys(entry, path, _THEME)
        key = self.key(entry, path)
        label = self.label(entry, path)
        lemmas = self.lemmas(entry, path, key or "?")
        phrases = self.phrases(entry, path, key or "?")
        if key is None or label is None or lemmas is None or phrases is None:
            return None
        return Theme(key, self.value, label, frozenset(lemmas), tuple(phrases))

    def key(self, entry: dict[str, Any], path: Path_) -> str | None:
        reader = self.reader
        key = entry.get("key")
        if "key" not in entry:
            reader.problem(
                [*path, "key"], "`key` is missing: add the theme's code (small letters, e.g. `wartezeit`)"
            )
        elif not isinstance(key, str) or not _KEY.match(key):
            shown = f"`{key}`" if isinstance(key, str) else _kind(key)
            reader.problem(
                [*path, "key"],
                f"{shown} is not a theme key: use small letters, digits and hyphens (`wartezeit`)",
            )
        elif key in reader.theme_keys:
            reader.problem(
                [*path, "key"],
                f"the theme key `{key}` is used at {reader.where(reader.theme_keys[key])} already: "
                "give each theme its own key (it is the theme's code in exports)",
            )
        else:
            reader.theme_keys[key] = [*path, "key"]
            return key
        return None

    def label(self, entry: dict[str, Any], path: Path_) -> dict[str, str] | None:
        reader = self.reader
        label = entry.get("label")
        where = [*path, "label"]
        declared = ", ".join(self.languages)
        if "label" not in entry:
            reader.problem(where, f"`label` is missing: add the theme's name in each language ({declared})")
            return None
        if not isinstance(label, dict):
            reader.problem(where, f"expected a name per language (`de: ...`), found {_kind(label)}")
            return None
        ok = True
        for language in self.languages:
            if language not in label:
                reader.problem(
                    where, f"no label in `{language}`: add `{language}: ...` (the file declares {declared})"
                )
                ok = False
        for language, text in label.items():
            # without good `languages` (reported there) every label would be told it is undeclared
            if self.languages and language not in self.languages:
                reader.problem(
                    [*where, str(language)],
                    f"label in `{language}`, which the file does not declare: "
                    "add it to `languages` or remove it",
                )
                ok = False
            elif not isinstance(text, str) or not text.strip():
                found = "an empty text" if isinstance(text, str) or text is None else _kind(text)
                reader.problem([*where, str(language)], f"expected the theme's name, found {found}: write it")
                ok = False
        return {str(k): str(v).strip() for k, v in label.items()} if ok else None

    def lemmas(self, entry: dict[str, Any], path: Path_, theme: str) -> list[str] | None:
        reader = self.reader
        where = [*path, "lemmas"]
        words = entry.get("lemmas")
        if "lemmas" not in entry:
            reader.problem(
                where, "`lemmas` is missing: list the words that show the theme (`[Termin, buchen]`)"
            )
            return None
        if not isinstance(words, list) or not words:
            found = "an empty list" if words == [] else _kind(words)
            fix = "put the words in square brackets" if isinstance(words, str) else "add at least one"
            reader.problem(where, f"expected a list of words (`[Termin, buchen]`), found {found}: {fix}")
            return None
        ok = True
        found: set[str] = set()
        for index, word in enumerate(words):
            place = [*where, index]
            if not self.word(word, place) or not self.owned(lemma(word), f"`{word}`", place, theme):
                ok = False
            else:
                # as written too: `vorgesetzt` is `vorsetzen` to simplemma, `Vorgesetzten` `vorgesetzt`
                found |= {lemma(word), word.lower()}
        return sorted(found) if ok else None

    def phrases(self, entry: dict[str, Any], path: Path_, theme: str) -> list[tuple[str, ...]] | None:
        reader = self.reader
        where = [*path, "phrases"]
        phrases = entry.get("phrases", [])
        if not isinstance(phrases, list):
            reader.problem(
                where,
                f'expected a list of phrases (`["an einem Strang"]`), found {_kind(phrases)}: '
                "put them in square brackets, each in quotes",
            )
            return None
        found: list[tuple[str, ...]] = []
        for index, phrase in enumerate(phrases):
            place = [*where, index]
            if not isinstance(phrase, str):
                reader.problem(place, f"expected a phrase, found {_kind(phrase)}: quote it or remove it")
                continue
            # read as a comment is read: its words, punctuation between them left out
            parts = words(phrase)
            if re.search(r"\d", phrase):
                reader.problem(place, f"`{phrase}` holds digits: write words only (numbers are no words)")
                continue
            if len(parts) < 2:
                reader.problem(
                    place, f"`{phrase}` is not two words or more: put a single word under `lemmas`"
                )
                continue
            lemmas = tuple(lemma(part) for part in parts)
            if self.owned(lemmas, f"`{phrase}`", place, theme):
                found.append(lemmas)
        return found if len(found) == len(phrases) else None

    def word(self, word: Any, place: Path_) -> bool:
        """A word of a lemma list: a text of letters, hyphens inside."""
        reader = self.reader
        if not isinstance(word, str):
            reader.problem(place, f"expected a word, found {_kind(word)}: quote it or remove it")
        elif not word.strip():
            reader.problem(place, "the word is empty: remove it")
        elif len(word.split()) > 1:
            reader.problem(place, f"`{word}` has several words: put it under `phrases`")
        elif not _WORD.match(word):
            reader.problem(place, f"`{word}` is not a word: use letters only, with hyphens inside (`E-Akte`)")
        elif len(word) < 2:
            reader.problem(place, f"`{word}` is a single letter: it would match too much, remove it")
        else:
            return True
        return False

    def owned(self, lemmas: str | tuple[str, ...], shown: str, place: Path_, theme: str) -> bool:
        """Record that `theme` owns `lemmas`; False (a problem) if a theme of this value has it."""
        if lemmas not in self.owners:
            self.owners[lemmas] = (theme, place)
            return True
        other, there = self.owners[lemmas]
        written = " ".join(lemmas) if isinstance(lemmas, tuple) else lemmas
        where = self.reader.where(there)
        if other == theme:
            message = f"{shown} is `{written}` once lemmatised, as {where} is: keep one"
        else:
            message = (
                f"{shown} (`{written}` once lemmatised) is in the theme `{other}` of the same value "
                f"already, at {where}: keep it in one theme, or a comment would count twice for this value"
            )
        self.reader.problem(place, message)
        return False
