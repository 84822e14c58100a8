"""Comments grouped for reading: per Leitbild value its themes, each with its merged comments.

The comments of every group are shown in random order, from the `random.Random` the caller
passes (seeded per page, say, so that a reload shows the same order): never in the order they
came in, which follows the order they were given and could tie a comment to a time or a person,
and never alphabetically, which puts the same openings at the top every time.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from survey.text.themes._assign import matcher_for
from survey.text.themes._merge import MERGE_THRESHOLD, MergedComment, merge_near_duplicates, normalise
from survey.text.themes._model import Codebook, Theme
from survey.text.themes._words import is_german

__all__ = ["LanguageGroup", "ThemeGroup", "ThemeGroups", "ValueGroup", "group_comments"]


@dataclass(frozen=True)
class ThemeGroup:
    """One theme: how many comments are about it (duplicates counted) and the merged comments."""

    theme: Theme
    count: int
    comments: tuple[MergedComment, ...]


@dataclass(frozen=True)
class ValueGroup:
    """One Leitbild value: how many comments are about any of its themes (each counted once), and
    its themes with comments, the most frequent first (ties in the codebook's order)."""

    value: str
    count: int
    themes: tuple[ThemeGroup, ...]


@dataclass(frozen=True)
class LanguageGroup:
    """Comments in a language the themes do not match (`en`, `tr`, …), merged."""

    language: str
    count: int
    comments: tuple[MergedComment, ...]


@dataclass(frozen=True)
class ThemeGroups:
    """The comments of a page, grouped.

    `values` holds every value of the codebook (in its order), also one without comments
    (`count` 0, no themes). A comment may be about several themes and so several values: the
    counts of themes and values then overlap, and do not add up to `total`. `unassigned` are the
    German comments that fit no theme; `other_languages` the comments in other languages (sorted
    by language tag); `total` counts every comment with words, `skipped` the empty ones (only
    markers, spaces or punctuation), which are shown nowhere.
    """

    values: tuple[ValueGroup, ...]
    unassigned: tuple[MergedComment, ...]
    unassigned_count: int
    other_languages: tuple[LanguageGroup, ...]
    total: int
    skipped: int = 0

    def value(self, key: str) -> ValueGroup:
        """The group of value `key`; KeyError where the codebook has no themes for it."""
        for group in self.values:
            if group.value == key:
                return group
        raise KeyError(f"no themes for the value `{key}`")


def group_comments(
    texts: Sequence[str],
    codebook: Codebook,
    *,
    rng: random.Random,
    languages: Sequence[str | None] | None = None,
    threshold: float = MERGE_THRESHOLD,
) -> ThemeGroups:
    """Group `texts` (redacted comments) by value and theme, merging near-duplicates.

    `languages` gives each text's language (the language its questionnaire was answered in),
    None meaning German; without it every text counts as German. `rng` shuffles every group's
    merged comments; the same seed and the same comments, in whatever order, give the same page.
    """
    if languages is not None and len(languages) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(languages)} languages: give one language per text")
    matcher = matcher_for(codebook)
    by_theme: dict[str, list[str]] = defaultdict(list)
    by_value: dict[str, set[int]] = defaultdict(set)
    unassigned: list[str] = []
    other: dict[str, list[str]] = defaultdict(list)
    skipped = 0
    value_of = {theme.key: theme.value for theme in codebook.themes}
    for index, text in enumerate(texts):
        language = languages[index] if languages is not None else None
        if not normalise(text):
            skipped += 1
        elif not is_german(language):
            other[str(language)].append(text)
        elif keys := matcher.themes_of(text):
            for key in keys:
                by_theme[key].append(text)
                by_value[value_of[key]].add(index)
        else:
            unassigned.append(text)
    values = []
    for value, themes in codebook.by_value().items():
        groups = [
            ThemeGroup(theme, len(by_theme[theme.key]), _shuffled(by_theme[theme.key], rng, threshold))
            for theme in themes
            if by_theme[theme.key]
        ]
        groups.sort(key=lambda g: -g.count)  # stable: ties keep the codebook's order
        values.append(ValueGroup(value, len(by_value[value]), tuple(groups)))
    return ThemeGroups(
        values=tuple(values),
        unassigned=_shuffled(unassigned, rng, threshold),
        unassigned_count=len(unassigned),
        other_languages=tuple(
            LanguageGroup(language, len(other[language]), _shuffled(other[language], rng, threshold))
            for language in sorted(other)
        ),
        total=len(texts) - skipped,
        skipped=skipped,
    )


def _shuffled(texts: list[str], rng: random.Random, threshold: float) -> tuple[MergedComment, ...]:
    # merge_near_duplicates answers in an order that depends on the comments only, so that the
    # same seed gives the same order however the database returned the rows
    merged = merge_near_duplicates(texts, threshold)
    rng.shuffle(merged)
    return tuple(merged)
