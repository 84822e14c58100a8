"""What a checked codebook holds: themes per Leitbild value, each with its words and phrases."""

from __future__ import annotations

from dataclasses import dataclass, field

from survey.errors import FileProblems

__all__ = ["Codebook", "CodebookFileError", "Theme"]


class CodebookFileError(FileProblems):
    """A codebook file (or a codebook's text from the browser editor) has problems; `problems`
    lists every one, each with file, line, path (`values.gemeinsam[2].lemmas[0]`) and the fix."""


@dataclass(frozen=True)
class Theme:
    """One theme of a Leitbild value.

    `key` is the theme's code in analyst exports, unique across the codebook. `lemmas` are the
    words of the file in small letters, lemmatised and as written (`Termine` → `termin`,
    `termine`); `phrases` the multi-word entries, each a sequence of lemmas (`an einem Strang` →
    `an`, `ein`, `strang`)."""

    key: str
    value: str
    label: dict[str, str] = field(hash=False)
    lemmas: frozenset[str]
    phrases: tuple[tuple[str, ...], ...] = ()

    def label_in(self, language: str) -> str:
        """The label in `language`, else in its base language (`de-x-ls` → `de`), else German."""
        base = language.split("-")[0]
        return self.label.get(language) or self.label.get(base) or self.label.get("de") or self.key


@dataclass(frozen=True)
class Codebook:
    """The themes of one Leitbild, in the order of the file: values, then themes within each."""

    leitbild: str
    languages: tuple[str, ...]
    themes: tuple[Theme, ...]

    @property
    def values(self) -> tuple[str, ...]:
        """The value keys that have themes, in the order of the file."""
        return tuple(dict.fromkeys(theme.value for theme in self.themes))

    def by_value(self) -> dict[str, tuple[Theme, ...]]:
        """Value key → its themes, both in the order of the file."""
        return {value: tuple(t for t in self.themes if t.value == value) for value in self.values}

    def theme(self, key: str) -> Theme:
        """The theme with this key; KeyError names the keys there are."""
        for theme in self.themes:
            if theme.key == key:
                return theme
        known = ", ".join(t.key for t in self.themes)
        raise KeyError(f"the codebook `{self.leitbild}` has no theme `{key}` (themes: {known})")
