"""The shipped name list and German noun list, read once per process, and looking a word up in them.

The files are YAML (a mapping and a block text) but are read line by line here: PyYAML takes
seconds for 280,000 entries, a split takes a tenth of one. names_extract writes nothing else, and
a test reads both files with PyYAML too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from survey.text.redaction._words import fold

__all__ = [
    "DICTIONARY",
    "ENGLISH",
    "FIRST",
    "LAST",
    "NOUN",
    "POPULAR",
    "RARE",
    "WORD",
    "NameList",
    "name_list",
]

DATA = Path(__file__).resolve().parent / "data"
#: the longest noun in data/nouns.yaml (names_extract.NOUN_LENGTH, and a little for irregular forms)
LONGEST_NOUN = 12

#: flags of a name (see the head of data/names.yaml)
FIRST, LAST, NOUN, DICTIONARY, WORD, ENGLISH, RARE, POPULAR = 1, 2, 4, 8, 16, 32, 64, 128
_BITS = {"f": FIRST, "l": LAST, "n": NOUN, "d": DICTIONARY, "w": WORD, "e": ENGLISH, "r": RARE, "p": POPULAR}

#: Russian and Ukrainian case endings, each with what the nominative ends in instead
#: ("Ивановой" → "Иванова", "Сергею" → "Сергей", "Анне" → "Анна")
_CYRILLIC_ENDINGS = (
    ("ого", ""),
    ("ому", ""),
    ("ой", "а"),
    ("ой", ""),
    ("ым", ""),
    ("ом", ""),
    ("ем", ""),
    ("ей", "ь"),
    ("ей", "а"),
    ("ою", "а"),
    ("ою", ""),
    ("ої", "а"),
    ("у", ""),
    ("у", "а"),
    ("ю", "й"),
    ("ю", "я"),
    ("а", ""),
    ("е", "а"),
    ("е", ""),
    ("і", "а"),
    ("и", "а"),
    ("ы", "а"),
    ("я", "й"),
    ("ві", ""),
    ("ові", ""),
    ("ю", "ь"),
)
_ARABIC_PREFIXES = ("و", "ف", "ب", "ل", "ك")


def _script_of(word: str) -> str:
    first = word[:1]
    if "\u0400" <= first <= "\u04ff":
        return "cyrillic"
    if "\u0600" <= first <= "\u06ff":
        return "arabic"
    return "latin"


@dataclass(frozen=True)
class NameList:
    """fold(name) → flags, and the German common nouns (folded) that are no name."""

    names: dict[str, int]
    nouns: frozenset[str]

    def flags(self, word: str) -> int | None:
        """The flags of `word`, or of the name it is a form of: "Annas", "Ayşe'nin", "Ивановой"."""
        key = fold(word)
        found = self.names.get(key)
        if found is not None:
            return found
        if "'" in key:
            return self.names.get(key.split("'", 1)[0])
        if "-" in key:
            return self._parts(key.split("-"))
        script = _script_of(key)
        if script == "latin" and key.endswith("s") and len(key) > 4:
            base = self.names.get(key[:-1])
            if base is not None and not base & (NOUN | WORD):
                return base
        if script == "cyrillic":
            return self._cyrillic(key)
        if script == "arabic" and key.startswith(_ARABIC_PREFIXES) and len(key) > 3:
            # "ومحمد" (and Muhammad), "للسيد" (to the Sayyid: ل + ال with the alif dropped)
            found = self.names.get(key[1:])
            if found is None and key.startswith("لل"):
                found = self.names.get("ال" + key[2:])
            return found
        return None

    def _parts(self, parts: list[str]) -> int | None:
        """A double name ("Anna-Luise", "Müller-Lüdenscheidt") is a name if each part is one: a
        first or last name if a part is, a common word only if every part is."""
        found = [self.names.get(part) for part in parts]
        if any(f is None for f in found) or not found:
            return None
        either = FIRST | LAST | POPULAR
        every = NOUN | DICTIONARY | WORD | ENGLISH | RARE
        value = 0
        for flags in found:
            value |= flags & either  # type: ignore[operator]
        common = every
        for flags in found:
            common &= flags  # type: ignore[operator]
        return value | common

    def _cyrillic(self, key: str) -> int | None:
        for ending, nominative in _CYRILLIC_ENDINGS:
            if key.endswith(ending) and len(key) - len(ending) >= 3:
                found = self.names.get(key[: -len(ending)] + nominative)
                if found is not None and found & (FIRST | LAST):
                    return found
        return None

    def noun(self, word: str, compound: bool = False) -> bool:
        """Whether `word` is a German common noun or an inflected form of one (Anträge, Ämtern);
        with `compound`, also a word ending in one (Bürgerbüro, Sachbearbeitung; but also the
        surname Oderwald)."""
        key = fold(word)
        if "-" in key:  # "Kleinschmidt-Oberhausen", "Excel-Schulung": the last part decides
            key = key.rsplit("-", 1)[1]
        if self._noun_form(key):
            return True
        # a compound: its last part is the noun (at least four letters, after at least three); the
        # list holds no word as long as this, so a long one is judged so always ("Stadtverwaltung")
        compound = compound or len(key) > LONGEST_NOUN
        return compound and len(key) > 7 and any(self._noun_form(key[i:]) for i in range(3, len(key) - 3))

    def common_noun(self, word: str) -> bool:
        """Whether `word` is (a form of) a German noun that is no name at all ("Einwohner", not
        "Berlin", which names-dataset lists too)."""
        return self._noun_form(fold(word), names=False)

    def _noun_form(self, key: str, names: bool = True) -> bool:
        if key in self.nouns or (names and self.names.get(key, 0) & NOUN):
            return True
        plain = key.replace("ä", "a").replace("ö", "o").replace("ü", "u")
        for ending in ("e", "en", "n", "s", "es", "er", "ern", "nen"):
            if key.endswith(ending) and len(key) - len(ending) >= 3:
                for stem in (key[: -len(ending)], plain[: -len(ending)]):
                    if stem in self.nouns or (names and self.names.get(stem, 0) & NOUN):
                        return True
        return False


def _read_names(path: Path) -> dict[str, int]:
    names: dict[str, int] = {}
    with path.open(encoding="utf-8") as file:
        for line in file:
            if not line.startswith('"'):
                continue
            name, _, flags = line[1:].rpartition('": ')
            value = 0
            for letter in flags.strip():
                value |= _BITS[letter]
            names[fold(name)] = value
    return names


def _read_nouns(path: Path) -> frozenset[str]:
    with path.open(encoding="utf-8") as file:
        return frozenset(fold(line.strip()) for line in file if line.startswith("  "))


_lock = threading.Lock()
_loaded: list[NameList] = []


def name_list() -> NameList:
    """The shipped lists, read on first use and kept for the life of the process."""
    with _lock:
        if not _loaded:
            _loaded.append(NameList(_read_names(DATA / "names.yaml"), _read_nouns(DATA / "nouns.yaml")))
        return _loaded[0]
