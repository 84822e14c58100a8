"""A unit's comments as pages, reports and the API show them: per Leitbild value its themes with
counts, each with its comments (identical or near-identical ones merged with a count, in random
order), the comments that fit no theme, those in other languages, and keywords as a hint.
Built by survey.services.comments from survey.text.themes; labels are in the reader's language."""

from __future__ import annotations

import msgspec

__all__ = ["CommentSummary", "LanguageComments", "MergedText", "ThemeComments", "ValueComments"]


class MergedText(msgspec.Struct, frozen=True):
    """A remark as shown: its wording and how many comments said it."""

    text: str
    count: int


class ThemeComments(msgspec.Struct, frozen=True):
    #: the theme code (as in the analysts' exports)
    key: str
    label: str
    count: int
    comments: list[MergedText]


class ValueComments(msgspec.Struct, frozen=True):
    value: str
    name: str
    #: comments about any of its themes, each once
    count: int
    themes: list[ThemeComments]


class LanguageComments(msgspec.Struct, frozen=True):
    language: str
    count: int
    comments: list[MergedText]


class CommentSummary(msgspec.Struct, frozen=True):
    """A comment may be about several themes and values: their counts overlap and need not add up
    to `total`. `themed` is False where the Leitbild has no codebook: every comment is then in
    `unassigned`."""

    wave: str
    total: int
    themed: bool
    values: list[ValueComments]
    unassigned: list[MergedText]
    unassigned_count: int
    other_languages: list[LanguageComments]
    keywords: list[str]

    def top(self, count: int = 5) -> list[tuple[str, ThemeComments]]:
        """The `count` most frequent themes across the values, each with its value's name."""
        themes = [(v.name, t) for v in self.values for t in v.themes]
        return sorted(themes, key=lambda pair: -pair[1].count)[:count]
