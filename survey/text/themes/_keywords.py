"""Keywords of a set of comments (a unit's in one wave, say): a hint of what they talk about.

YAKE scores words and two-word phrases by their statistics within the texts alone: no corpus, no
model, no network (its stopword lists ship with it). Redaction markers are taken out before it
reads the texts, so a `[Name]` never becomes a keyword, and neither does the title before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from survey.text.themes._words import without_markers, word_set

__all__ = ["keywords"]

#: words YAKE's German list lacks that say nothing about a topic in a comment: the title before
#: a redacted name, and the politeness and fillers of written remarks
_MORE_STOPWORDS = word_set(
    "herr herrn frau hr fr dame kollege kollegin bitte danke vielen dank leider einfach mal "
    "eigentlich wirklich echt total halt eben ganz gar oft manchmal vielleicht finde fände gut "
    "schlecht"
)
#: a two-word phrase at most: longer ones rarely recur in short comments
_LONGEST = 2


@lru_cache(maxsize=16)
def _stopwords(language: str) -> frozenset[str]:
    import yake  # import here: YAKE brings networkx and numpy, needed by this function only

    listed = yake.KeywordExtractor(lan=language).stopword_set
    return frozenset(listed | _MORE_STOPWORDS) if language == "de" else frozenset(listed)


def keywords(texts: Sequence[str], language: str = "de", top: int = 8) -> list[str]:
    """Up to `top` keywords of `texts`, the most telling first, as written in the texts.

    `language` picks the stopword list (`de-x-ls` reads as `de`). Markers, stopwords, numbers and
    keywords whose words all appeared in better ones (also in another case) are left out."""
    import yake

    lan = language.replace("_", "-").split("-")[0].lower() or "de"
    sentences = []
    for text in texts:
        cleaned = " ".join(without_markers(text).split())
        if cleaned:
            # one sentence per comment at least: a phrase never runs from one comment into the next
            sentences.append(cleaned if cleaned[-1] in ".!?" else cleaned + ".")
    if not sentences or top < 1:
        return []
    stopwords = _stopwords(lan)
    extractor = yake.KeywordExtractor(lan=lan, n=_LONGEST, top=top * 5, stopwords=set(stopwords))
    found: list[str] = []
    covered: set[str] = set()
    for keyword, _score in extractor.extract_keywords("\n".join(sentences)):
        words = {w.casefold() for w in keyword.split()}
        # a word of a better keyword again (`Stunden` after `Stunden gewartet`) adds nothing
        if words <= covered or any(w in stopwords or not any(c.isalpha() for c in w) for w in words):
            continue
        covered |= words
        found.append(keyword)
        if len(found) == top:
            break
    return found
