"""Identical and near-identical comments merged into one, with how many there were.

Comments are compared normalised: markers left out, small letters, punctuation and extra spaces
gone (`Zu lange Wartezeit!!` and `zu lange wartezeit` are one). Near-identical ones are merged
where rapidfuzz's ratio reaches the threshold, compared as written (a typo) or with the words
sorted (the token sort ratio: the same words in another order), unless the two differ by a
negation (`nicht`, `kein`, …): `die Wartezeit ist zu lang` and `die Wartezeit ist nicht zu lang`
say opposite things.

Near-identity is followed along chains (A like B, B like C: one remark). Comments are taken in a
fixed order (the most frequent first, then alphabetically), so the result depends on the comments
only, not on the order they come in. Each remark shows its most frequent original wording (ties:
the first alphabetically, which puts a capital letter first).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from rapidfuzz import fuzz, process

from survey.text.themes._words import without_markers, word_set

__all__ = ["MERGE_THRESHOLD", "MergedComment", "merge_near_duplicates", "normalise"]

#: rapidfuzz ratio (0–100), as written or words sorted, from which two comments are one remark
MERGE_THRESHOLD = 90.0

_NOT_WORD = re.compile(r"[\W_]+")
_NEGATIONS = word_set(
    "nicht kein keine keinen keinem keiner keines nie niemals nichts nirgends ohne not no never "
    "nothing none nobody"
)


class MergedComment(NamedTuple):
    """One remark as shown: a representative wording and how many comments said it."""

    text: str
    count: int


def normalise(text: str) -> str:
    """The comparable form of a comment: no markers, small letters, words separated by one space."""
    return " ".join(_NOT_WORD.sub(" ", without_markers(text).casefold()).split())


def merge_near_duplicates(texts: Sequence[str], threshold: float = MERGE_THRESHOLD) -> list[MergedComment]:
    """The remarks among `texts`, most frequent first (ties alphabetically by normalised text).

    Texts that are empty once normalised (only markers or punctuation) are left out. Each result
    is a `MergedComment`, a `(text, count)` tuple."""
    originals: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        key = normalise(text)
        if key:
            originals[key][" ".join(text.split())] += 1
    counts = {key: sum(found.values()) for key, found in originals.items()}
    groups = _Groups(threshold)
    for key in sorted(counts, key=lambda k: (-counts[k], k)):
        groups.add(key)
    merged = [_merged(group, originals) for group in groups.groups()]
    return sorted(merged, key=lambda m: (-m.count, normalise(m.text)))


class _Groups:
    """Texts linked where similar enough; linked texts form one group (union–find).

    A text is compared with the group leaders first and joins the groups whose leader it is like;
    only where it is like no leader is it compared with the other members (a chain: A like B,
    B like C). Texts come in a fixed order (most frequent first, then alphabetically), so the
    groups depend on the texts only. A chain never joins a negated remark to its opposite: every
    link keeps the same negation words."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.keys: list[str] = []
        self.parent: list[int] = []
        #: leaders and other members by length (a ratio ≥ threshold needs similar lengths):
        #: index → text, and index → its words sorted
        self.leaders: dict[int, tuple[dict[int, str], dict[int, str]]] = {}
        self.others: dict[int, tuple[dict[int, str], dict[int, str]]] = {}

    def add(self, key: str) -> None:
        index = len(self.keys)
        sorted_words = " ".join(sorted(key.split()))
        window = self._window(len(key))
        linked = self._links(key, sorted_words, self.leaders, window)
        if not linked:
            linked = self._links(key, sorted_words, self.others, window)
        self.keys.append(key)
        self.parent.append(index)
        if not linked:
            _bucket(self.leaders, len(key), index, key, sorted_words)
            return
        _bucket(self.others, len(key), index, key, sorted_words)
        for other in linked:
            self._join(index, other)

    def groups(self) -> list[list[str]]:
        found: dict[int, list[str]] = defaultdict(list)
        for index, key in enumerate(self.keys):
            found[self._root(index)].append(key)
        return list(found.values())

    def _root(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def _join(self, index: int, other: int) -> None:
        mine, theirs = self._root(index), self._root(other)
        if mine == theirs:
            return
        if mine != index:
            # two groups meet: the later leader leads no more, and counts among the members
            mine, theirs = max(mine, theirs), min(mine, theirs)
            text = self.keys[mine]
            plain, ordered = self.leaders[len(text)]
            del plain[mine]
            _bucket(self.others, len(text), mine, text, ordered.pop(mine))
        self.parent[mine] = theirs

    def _window(self, length: int) -> range:
        # ratio = 1 - distance / (a + b) and distance ≥ |a - b|: lengths outside the window fail
        share = 1 - self.threshold / 100
        low = math.ceil(length * (1 - share) / (1 + share) - 1e-9)
        high = math.floor(length * (1 + share) / (1 - share) + 1e-9) if share < 1 else 2 * length + 1
        return range(low, high + 1)

    def _links(
        self,
        key: str,
        sorted_words: str,
        buckets: dict[int, tuple[dict[int, str], dict[int, str]]],
        window: range,
    ) -> set[int]:
        """The texts among `buckets` that `key` is near-identical to."""
        plain: dict[int, str] = {}
        ordered: dict[int, str] = {}
        for length in window:
            if length in buckets:
                plain.update(buckets[length][0])
                ordered.update(buckets[length][1])
        if not plain:
            return set()
        # the ratio as written (a typo stays in place) or with the words sorted (the token sort
        # ratio: the same words in another order), the words sorted once per text, not per pair
        found: set[int] = set()
        for query, choices in ((key, plain), (sorted_words, ordered)):
            matches = process.extract(
                query, choices, scorer=fuzz.ratio, score_cutoff=self.threshold, limit=None
            )
            found.update(index for _, _, index in matches)
        words = set(key.split())
        return {i for i in found if not (words ^ set(self.keys[i].split())) & _NEGATIONS}


def _bucket(
    buckets: dict[int, tuple[dict[int, str], dict[int, str]]], length: int, index: int, key: str, ordered: str
) -> None:
    plain, sorted_words = buckets.setdefault(length, ({}, {}))
    plain[index] = key
    sorted_words[index] = ordered


def _merged(keys: Iterable[str], originals: dict[str, Counter[str]]) -> MergedComment:
    wordings: Counter[str] = Counter()
    for key in keys:
        wordings.update(originals[key])
    text = min(wordings, key=lambda t: (-wordings[t], t))
    return MergedComment(text, sum(wordings.values()))
