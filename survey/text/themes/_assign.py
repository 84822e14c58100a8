"""Which themes a comment is about: its words' lemmas, compound heads and phrases.

A word matches a theme when one of its forms (see `_words.forms`) is a lemma of the theme. A word
that matches no theme itself is tried as a compound: German puts the head of a compound last
(`Bürgerbürotermin` is a kind of `Termin`, `Bearbeitungsdauer` a kind of `Dauer`), so every end
of the word of four letters or more is looked up among the theme lemmas of four letters or more,
the longest end first, as long as the front left over is three letters or more and no verb
particle (`Vorstand` is no `Stand`). The front of a compound is not matched on its own
(`Personalausweis` is no matter of `Personal`); a codebook lists such words as they are written
(`Terminvergabe`, `Fehlerkultur`). Hyphenated words (`Online-Termin`, Leichte Sprache's
`Warte-Zeit`) are matched as one word written together and part by part.

A phrase matches where its lemmas follow one another in the comment (punctuation between them
does not count). A separable verb split in the sentence (`kommt … bei uns an`) is two words here:
a codebook catches it by a phrase (`bei uns an`), not by the lemma `ankommen`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from survey.text.themes._model import Codebook
from survey.text.themes._words import PARTICLES, fold, forms, is_german, words

__all__ = ["Matcher", "assign", "matcher_for"]

#: the shortest lemma matched as the head of a compound, and the shortest front left before it
_MIN_HEAD = 4
_MIN_FRONT = 3
#: letters of a word's end compared with the theme lemmas' before the end is lemmatised
_START = 3
#: distinct words remembered per codebook (a wave's vocabulary is a few thousand)
_CACHE_WORDS = 200_000


class Matcher:
    """A codebook's lemmas indexed for matching; one per codebook (`matcher_for`)."""

    def __init__(self, codebook: Codebook) -> None:
        self.keys = tuple(theme.key for theme in codebook.themes)
        self._lemmas: dict[str, set[int]] = defaultdict(set)
        self._heads: dict[str, set[int]] = defaultdict(set)
        #: first lemma of a phrase → (theme, the phrase's lemmas)
        self._phrases: dict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
        for index, theme in enumerate(codebook.themes):
            for lemma in map(fold, theme.lemmas):
                self._lemmas[lemma].add(index)
                if len(lemma) >= _MIN_HEAD:
                    self._heads[lemma].add(index)
            for phrase in theme.phrases:
                folded = tuple(map(fold, phrase))
                self._phrases[folded[0]].append((index, folded))
        self._words: dict[str, frozenset[int]] = {}
        #: the first letters of every head lemma, folded (`Räume` starts as `Raum` does): an end of
        #: a word that starts otherwise cannot be a form of one, and is not lemmatised
        self._head_starts = frozenset(lemma[:_START] for lemma in self._heads)

    def themes_of(self, text: str) -> tuple[str, ...]:
        """The keys of the themes `text` is about, in the codebook's order."""
        found: set[int] = set()
        written = words(text)
        for word in written:
            found |= self._word(word)
        if self._phrases:
            found |= self._phrase_hits(written)
        return tuple(self.keys[i] for i in sorted(found))

    def _word(self, word: str) -> frozenset[int]:
        hit = self._words.get(word)
        if hit is None:
            if len(self._words) >= _CACHE_WORDS:
                self._words.clear()
            hit = self._words[word] = frozenset(self._match(word))
        return hit

    def _match(self, word: str) -> set[int]:
        hits = self._direct(word)
        if hits:
            return hits
        if "-" not in word:
            return self._compound(word)
        parts = [part for part in word.split("-") if part]
        joined = parts[0] + "".join(part.lower() for part in parts[1:])
        hits = self._direct(joined) or self._compound(joined)
        for part in parts:
            if len(part) >= 2:
                hits |= self._direct(part) or self._compound(part)
        return hits

    def _direct(self, word: str) -> set[int]:
        return _union(self._lemmas.get(form) for form in forms(word))

    def _compound(self, word: str) -> set[int]:
        lower = word.lower()
        for start in range(_MIN_FRONT, len(lower) - _MIN_HEAD + 1):
            if lower[:start] in PARTICLES:
                continue
            head = lower[start:]
            if fold(head[:_START])[:_START] not in self._head_starts:
                continue
            hits = _union(self._heads.get(form) for form in forms(head))
            if hits:
                return hits
        return set()

    def _phrase_hits(self, written: list[str]) -> set[int]:
        found: set[int] = set()
        all_forms = [forms(word) for word in written]
        for start, first in enumerate(all_forms):
            for form in first:
                for theme, phrase in self._phrases.get(form, ()):
                    end = start + len(phrase)
                    if end <= len(all_forms) and all(
                        lemma in all_forms[start + i] for i, lemma in enumerate(phrase[1:], 1)
                    ):
                        found.add(theme)
        return found


def _union(sets: Iterable[set[int] | None]) -> set[int]:
    out: set[int] = set()
    for found in sets:
        if found:
            out |= found
    return out


@lru_cache(maxsize=16)
def matcher_for(codebook: Codebook) -> Matcher:
    """The codebook's matcher, built once (and its words' matches remembered)."""
    return Matcher(codebook)


def assign(text: str, codebook: Codebook, language: str = "de") -> tuple[str, ...]:
    """The keys of the themes `text` is about, in the codebook's order; () where it fits no theme.

    Redaction markers (`[Name]`) are left out. Themes match German comments, Leichte Sprache
    included; for another `language` there is no answer to give (the codebook's words are German),
    and ValueError says so: `group_comments` lists such comments under their language."""
    if not is_german(language):
        raise ValueError(
            f"themes match German comments only, not `{language}`: list such comments apart "
            "(group_comments does)"
        )
    return matcher_for(codebook).themes_of(text)
