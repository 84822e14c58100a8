"""Finding personal names in a comment: the name list, the words around a name, and the lists a
Kommune adds.

Each word gets a state from the list and its place (a listed name, a candidate that needs a
neighbour, an unknown capitalised word); titles ("Frau", "Dr.", "господин", "السيد") make the word
after them a name; then names spread to their neighbours: "Thomas Oderwald" (an unknown surname
after a first name), "Rose Koch" (two names that are also nouns, side by side). A run of names
becomes one span, so "Hans Peter Müller" becomes one marker.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from survey.text.redaction._namelist import (
    DICTIONARY,
    ENGLISH,
    FIRST,
    LAST,
    NOUN,
    POPULAR,
    RARE,
    WORD,
    NameList,
)
from survey.text.redaction._words import (
    CONNECTORS,
    DETERMINERS,
    HONORIFICS,
    NEVER_NAMES,
    POST_TITLES,
    ROLES,
    TITLE_WORDS,
    fold,
    word_set,
)

__all__ = ["NameFinder"]

_LETTER = r"(?:[^\W\d_]|[\u0640\u064B-\u065F\u0670])"
_WORD = re.compile(rf"{_LETTER}+(?:['’ʼ\-]{_LETTER}+)*")
#: between two words of one name: blanks on one line, nothing else
_BLANKS = re.compile(r"[ \t\u00a0]{1,3}")
#: what ends a sentence, so that the next word is written with a capital anyway
_SENTENCE_END = re.compile(r"[.!?:;\n\"„“”«»()\[\]•*–]")
#: abbreviations whose full stop ends no sentence
_ABBREVIATIONS = word_set(
    "dr prof hr fr hrn nr str ca bzw usw abs az geb tel mr mrs ms st dipl ing med vgl z b u a"
)
#: Cyrillic surnames and patronymics by their ending (Коваленко, Шевчук, Петрович, Іванівна)
_CYRILLIC_SURNAME = re.compile(
    r"(?:енко|чук|щук|юк|ук|як|ко|ів|ський|ська|цький|цька|ский|ская|цкий|цкая|ов|ова|ев|ева|ёв|ёва|"
    r"ин|ина|ых|их|ишин|ич)$"
)
#: Turkish surnames by their ending (İhsanoğlu, Çamurcuoğlu)
_TURKISH_SURNAME = re.compile(r"\w{2}oğlu(?:'\w+)?$")
#: patronymics and the surest surname endings: a name even at a sentence's start (Петрович, Даниленко)
_CYRILLIC_SURE = re.compile(r"(?:ович|евич|овна|евна|ична|івна|ївна|йович|йовна|енко|чук|ський|цький)$")

#: prepositions before a person without an article ("mit Pruschke"); not "in", "nach", "aus", which
#: come before towns
_PERSON_WORDS = word_set("an bei mit von durch für gegen ohne zwischen seit dank laut")
#: endings of German nouns and adjectives that are no surnames
_NOUN_ENDINGS = (
    "ung",
    "heit",
    "keit",
    "schaft",
    "tion",
    "sion",
    "tät",
    "ismus",
    "ik",
    "ie",
    "isch",
    "lich",
    "bar",
    "ig",
    "ing",
    "ment",
    "nis",
    "tum",
    "ur",
    "ei",
    "ant",
    "ent",
    "ist",
    "ieren",
    "iert",
    "chen",
)

NONE, NAME, CANDIDATE, UNKNOWN, CONNECTOR, INITIAL, BLOCKED = range(7)


@dataclass(slots=True)
class _Token:
    text: str
    start: int
    end: int
    key: str
    cased: bool
    capital: bool
    initial: bool
    flags: int | None = None
    state: int = NONE
    #: a name because of a title or a list, not only by its place: an unknown surname may follow
    firm: bool = False
    #: a name because a title stands before it
    titled: bool = False


def _tokens(text: str, claimed: Sequence[tuple[int, int]]) -> list[_Token]:
    tokens: list[_Token] = []
    previous_end = 0
    previous_key = ""
    for match in _WORD.finditer(text):
        word = match.group()
        gap = text[previous_end : match.start()]
        ended = bool(_SENTENCE_END.search(gap)) and not (
            gap.startswith(".") and previous_key in _ABBREVIATIONS
        )
        cased = word[:1].lower() != word[:1].upper()
        token = _Token(
            word,
            match.start(),
            match.end(),
            fold(word),
            cased,
            word[:1].isupper() or not cased,
            not tokens or ended,
        )
        if any(s < token.end and token.start < e for s, e in claimed):
            token.state = BLOCKED
        tokens.append(token)
        previous_end, previous_key = match.end(), token.key
    return tokens


class NameFinder:
    """Finds the spans of personal names in a text (thread-safe: no state between calls)."""

    def __init__(self, names: NameList, extra: frozenset[str], keep: frozenset[str]) -> None:
        self.names = names
        self.extra = extra
        self.keep = keep

    def find(
        self, text: str, language: str, claimed: Sequence[tuple[int, int]] = ()
    ) -> list[tuple[int, int]]:
        tokens = _tokens(text, claimed)
        english = language.split("-")[0] == "en"
        german = language.split("-")[0] == "de"
        for index, token in enumerate(tokens):
            if token.state != BLOCKED:
                self._classify(text, tokens, index, english, german)
        self._titles(text, tokens)
        self._spread(text, tokens)
        return _runs(text, tokens)

    def _classify(self, text: str, tokens: list[_Token], index: int, english: bool, german: bool) -> None:
        token = tokens[index]
        key = token.key
        if key in self.keep:
            token.state = BLOCKED
            return
        if key in self.extra and len(token.text) > 1:
            token.state, token.firm = NAME, True
            return
        if (
            (key in CONNECTORS and not token.capital)
            or key in NEVER_NAMES
            or key in TITLE_WORDS
            or key in POST_TITLES
        ):
            token.state = CONNECTOR if key in CONNECTORS else NONE
            return
        if len(token.text) == 1:
            token.state = INITIAL if token.capital and text[token.end : token.end + 1] == "." else NONE
            return
        if not token.capital or token.text.isupper():
            return  # written small, or in capitals ("IBAN", "SGB"): only a title makes it a name
        token.flags = flags = self.names.flags(token.text)
        if flags is None:
            token.state = self._unknown(token, tokens, index)
            if token.state == UNKNOWN and german and self._lone_surname(text, tokens, index):
                token.state = NAME
            return
        token.state = self._listed(token, flags, _after_determiner(text, tokens, index), english)
        if token.state == NAME and token.initial and not german and not flags & POPULAR:
            token.state = CANDIDATE  # "Zaman", "Açık" at a sentence's start: a word, most likely
        token.firm = token.state == NAME

    def _unknown(self, token: _Token, tokens: list[_Token], index: int) -> int:
        if _TURKISH_SURNAME.search(token.key):
            token.firm = True
            return NAME
        if "\u0400" <= token.text[:1] <= "\u04ff":
            if _CYRILLIC_SURE.search(token.key):
                token.firm = True
                return NAME
            if not token.initial and _CYRILLIC_SURNAME.search(token.key):
                return NAME
        return UNKNOWN

    def _lone_surname(self, text: str, tokens: list[_Token], index: int) -> bool:
        """An unknown word with a capital right after a preposition that takes persons ("mit
        Pruschke", "an Nesfe", "durch Schwital") in a German sentence, and no German noun ("mit
        Personal", "bei Fragen"): a surname."""
        token = tokens[index]
        if token.initial or len(token.key) < 4 or "-" in token.key or "'" in token.key:
            return False
        if _cyrillic(token) or not token.cased or token.key.endswith(_NOUN_ENDINGS):
            return False
        before = tokens[index - 1]
        if before.key not in _PERSON_WORDS or not _next_to(text, before, token):
            return False
        return not self.names.noun(token.text, compound=True)

    @staticmethod
    def _listed(token: _Token, flags: int, after_determiner: bool, english: bool) -> int:
        if flags & NOUN:
            return NONE if after_determiner else CANDIDATE
        if after_determiner and flags & (DICTIONARY | WORD):
            return NONE
        if (flags & WORD and (token.initial or not token.cased)) or flags & RARE:
            return CANDIDATE
        if english and flags & ENGLISH and token.initial:
            return CANDIDATE
        return NAME

    def _titles(self, text: str, tokens: list[_Token]) -> None:
        """The word after a title is a name ("Frau Holle", "Frau K.", "господин Иванов"); so is the
        word before a Turkish one ("Ahmet Bey")."""
        for index, token in enumerate(tokens[:-1]):
            if token.state == BLOCKED or (
                token.key not in TITLE_WORDS and token.key + "." not in TITLE_WORDS
            ):
                continue
            after = tokens[index + 1]
            if (
                after.state == BLOCKED
                or after.key in TITLE_WORDS
                or not _next_to(text, token, after, dot=True)
            ):
                continue
            if token.key in HONORIFICS or token.key + "." in HONORIFICS:
                initial = len(after.text) == 1 and after.capital and text[after.end : after.end + 1] == "."
                name = after.capital or initial or self._small_name(after)
                if name and (after.key not in NEVER_NAMES or initial):
                    after.state, after.firm, after.titled = NAME, True, True
            elif (
                token.key in ROLES
                and after.capital
                and (after.state in (NAME, CANDIDATE, INITIAL) or self._surname(after))
            ):
                after.state, after.firm, after.titled = NAME, True, True
        for index, token in enumerate(tokens[1:], start=1):
            before = tokens[index - 1]
            after_name = before.capital and before.state in (NAME, CANDIDATE, UNKNOWN)
            if token.key in POST_TITLES and after_name and _next_to(text, before, token):
                before.state, before.firm = NAME, True

    def _small_name(self, token: _Token) -> bool:
        """A name written small after a title ("frau schmidt"), not a word ("Herr über")."""
        flags = self.names.flags(token.text)
        return flags is not None and not flags & (NOUN | WORD | DICTIONARY)

    def _surname(self, token: _Token) -> bool:
        """An unknown capitalised word that may be a surname: not a German noun."""
        return token.state == UNKNOWN and not self.names.noun(token.text)

    def _spread(self, text: str, tokens: list[_Token]) -> None:
        changed = True
        rounds = 0
        while changed and rounds <= len(tokens):  # each round makes one more word a name, or ends
            changed = False
            rounds += 1
            for index in range(len(tokens) - 1):
                left, right = tokens[index], tokens[index + 1]
                if BLOCKED in (left.state, right.state) or not _next_to(text, left, right):
                    continue
                changed |= self._join(tokens, index, left, right)

    def _join(self, tokens: list[_Token], index: int, left: _Token, right: _Token) -> bool:
        """Make a neighbour of a name one too, or two words side by side; True if a word became one."""
        if left.state == NAME:
            return self._after_name(tokens, index, left, right)
        if right.state == NAME and self._before_name(left, right):
            return True
        if left.state in (UNKNOWN, CANDIDATE) and right.state in (UNKNOWN, CANDIDATE, NAME):
            return self._pair(left, right)
        if left.key in ("عبد", "ابو", "أبو") and not right.cased and not left.cased:
            # "عبد العزيز", "أبو بكر": always a name
            left.state = right.state = NAME
            return True
        return False

    def _after_name(self, tokens: list[_Token], index: int, left: _Token, right: _Token) -> bool:
        if right.state in (CANDIDATE, INITIAL):
            right.state = NAME  # "Thomas Koch", "Anna K."
            return True
        # "Thomas Oderwald"; without capitals (Arabic) after a title ("السيدة لوليا حجازي") or when
        # it is a family name by its ending ("سفيان الزماميري")
        surname = right.state == UNKNOWN and (right.cased or left.titled or _nisba(right))
        if surname and left.firm and (_first(left) or left.titled) and self._surname(right):
            right.state = NAME
            return True
        if right.state == CONNECTOR:
            # "Jan van Dussen", "Anna van der Dussen", "Ali bin Said": the particles and the word after
            last = index + 1
            while last + 1 < len(tokens) and tokens[last + 1].state == CONNECTOR and last - index < 3:
                last += 1
            if last + 1 == len(tokens):
                return False
            after = tokens[last + 1]
            surname = after.state == UNKNOWN and not self.names.noun(after.text, compound=True)
            if after.capital and (after.state in (NAME, CANDIDATE) or surname):
                for token in tokens[index + 1 : last + 2]:
                    token.state = NAME
                return True
        return False

    def _before_name(self, left: _Token, right: _Token) -> bool:
        if left.state == CANDIDATE:
            left.state = NAME  # "Rose Schmidt"
            return True
        if left.state == UNKNOWN and right.firm and _last(right) and self._surname(left):
            # "Torhan Yılmaz"; not "Jobcenter'da Yılmaz", nor a German compound noun at a
            # sentence's start ("Bürgerservice Yılmaz")
            compound = left.initial and self.names.noun(left.text, compound=True)
            if left.cased and "'" not in left.key and not compound:
                left.state = NAME
                return True
        return False

    def _pair(self, left: _Token, right: _Token) -> bool:
        """Two words side by side that are a name together, neither alone."""
        if _cyrillic(left) and _cyrillic(right):
            # Russian and Ukrainian write no noun with a capital: a capitalised word after another
            # is a name ("Мене приймав Олекса Вахній", "Остап Забарний з…")
            return _both(left, right)
        flags = (left.flags or 0) | (right.flags or 0)
        if left.state == CANDIDATE and right.state == CANDIDATE and _first(left) and _last(right):
            # "Rose Koch", "جوان الدواسر"; not two words that are also other words ("ولد ابني")
            return not flags & (WORD if left.cased else NOUN) and _both(left, right)
        if left.state == CANDIDATE and right.state == UNKNOWN and _first(left):
            if not left.cased:  # "سفيان الزماميري": a family name by its ending (nisba)
                return _nisba(right) and not flags & NOUN and _both(left, right)
            return not left.initial and self._surname(right) and _both(left, right)
        if left.state == UNKNOWN and right.state == CANDIDATE and left.cased and _last(right):
            # "Minna Wagner": an unknown first name before a surname that is also a noun
            noun = self.names.noun(left.text, compound=True)
            return not left.initial and not noun and _both(left, right)
        return False


def _both(left: _Token, right: _Token) -> bool:
    left.state = right.state = NAME
    return True


def _nisba(token: _Token) -> bool:
    """An Arabic family name by its ending: حجازي, الزماميري."""
    return not token.cased and len(token.key) > 3 and token.key.endswith("ي")


def _cyrillic(token: _Token) -> bool:
    return "\u0400" <= token.text[:1] <= "\u04ff"


def _first(token: _Token) -> bool:
    return token.flags is None or bool(token.flags & FIRST)


def _last(token: _Token) -> bool:
    return token.flags is None or bool(token.flags & LAST)


def _next_to(text: str, left: _Token, right: _Token, dot: bool = False) -> bool:
    """Whether two words stand side by side, with blanks between them (or a title's full stop)."""
    gap = text[left.end : right.start]
    if dot and gap.startswith("."):
        gap = gap[1:]
    return bool(_BLANKS.fullmatch(gap))


def _after_determiner(text: str, tokens: list[_Token], index: int) -> bool:
    """Whether an article or the like stands before the word, maybe with adjectives between ("der
    neue Koch", "im Mai")."""
    for back in range(index - 1, max(index - 4, -1), -1):
        before = tokens[back]
        if not _BLANKS.fullmatch(text[before.end : tokens[back + 1].start]) or before.key in TITLE_WORDS:
            return False  # "my caseworker Marie": the title decides
        if before.key in DETERMINERS:
            return True
        if before.capital or not before.cased:
            return False
    return False


def _runs(text: str, tokens: list[_Token]) -> list[tuple[int, int]]:
    """The spans of names: side-by-side name words (and particles between them) make one span."""
    spans: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        if token.state != NAME:
            continue
        joined = index > 0 and tokens[index - 1].state == NAME and _next_to(text, tokens[index - 1], token)
        if joined and spans:
            spans[-1] = (spans[-1][0], token.end)
        else:
            spans.append((token.start, token.end))
    return spans
