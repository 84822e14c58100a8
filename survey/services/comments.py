"""A unit's released comments of the latest closed wave, grouped into themes per Leitbild value.

Only where the unit's subtree reaches k_text in that wave and the suppression at k_text (over the
questionnaire's whole history, as for the figures) shows it; only comments every reviewer the
wave names has released (survey.services.comment_review). The themes come from the Leitbild's
codebook (survey.services.codebooks, survey.text.themes); each group's comments are in an order
drawn from the wave and unit, never the order they were written. Keywords (YAKE) are a hint.
"""

from __future__ import annotations

import hashlib
import random

from survey.domain.comments import CommentSummary, LanguageComments, MergedText, ThemeComments, ValueComments
from survey.domain.figures import HiddenFigure, UnitFigures
from survey.services.codebooks import current_codebook
from survey.services.figures import kept_by_content, visibility, waves_with_figures
from survey.store import catalog as catalog_store
from survey.store import comments as store
from survey.store import org as org_store
from survey.store import waves as wave_store
from survey.store.comments import TextComment
from survey.text.themes import (
    Codebook,
    MergedComment,
    assign,
    group_comments,
    keywords,
    merge_near_duplicates,
)

__all__ = ["TextComment", "codes_of", "comment_summary", "released_comments", "wave_codebook"]

KEYWORDS = 8


async def released_comments(figures: UnitFigures) -> list[TextComment] | HiddenFigure:
    """The latest wave's released comments of the unit's subtree (alphabetical), or why hidden."""
    latest = await wave_store.get_wave(figures.waves[-1].wave)
    assert latest is not None
    units = await org_store.list_units()
    unit = next(u for u in units if u.key == figures.unit)
    # the closed waves, as for the figures: the same suppression, kept while open waves take answers
    history = [w for w in await waves_with_figures(latest.questionnaire) if w.status == "closed"]
    view = await visibility(history, units, {u.key: u.parent for u in units})
    h = view.texts(latest.id, figures.unit)
    if h or view.respondents(latest.id, figures.unit) < latest.k_text:
        reason = h.reason if h else "below_k"
        explanation = f"comments are shown from {latest.k_text} respondents on"
        if h and h.reason != "below_k":
            explanation = h.explain()
        return HiddenFigure(True, reason, explanation)
    return await store.released(latest.id, units=view.members(unit.key, latest.id))


async def _codebook_of(wave_key: str) -> tuple[Codebook | None, dict[str, dict[str, str]]]:
    """The codebook of the wave's Leitbild and the Leitbild's value names per language."""
    wave = await wave_store.get_wave(wave_key)
    version = await catalog_store.load_published_version(wave.questionnaire, wave.version) if wave else None
    leitbild = await catalog_store.load_leitbild(version.leitbild) if version else None
    if leitbild is None:
        return None, {}
    names = {v.key: dict(v.name) for v in leitbild.values}
    return await current_codebook(leitbild.key), names


def _merged(comments: tuple[MergedComment, ...]) -> list[MergedText]:
    return [MergedText(c.text, c.count) for c in comments]


def _pick(texts: dict[str, str], language: str) -> str:
    return (
        texts.get(language)
        or texts.get(language.split("-")[0])
        or texts.get("de")
        or next(iter(texts.values()))
    )


def _seed(wave: str, unit: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{wave}/{unit}".encode()).digest()[:8], "big")


async def comment_summary(
    figures: UnitFigures, language: str = "de", comments: list[TextComment] | HiddenFigure | None = None
) -> CommentSummary | HiddenFigure:
    """The unit's comments grouped by value and theme, labels and value names in `language`;
    `comments` where the caller has read them already (`released_comments`). Computed once per
    set of comments, codebook and language, for every worker (survey.services.figures)."""
    if comments is None:
        comments = await released_comments(figures)
    if isinstance(comments, HiddenFigure):
        return comments
    wave = figures.waves[-1].wave
    codebook, names = await _codebook_of(wave)
    released = [(c.text, c.language) for c in comments]
    content = repr((wave, figures.unit, language, released, _identity(codebook), sorted(names.items())))
    key = ("comment_summary", hashlib.sha256(content.encode()).hexdigest())
    return await kept_by_content(
        key, lambda: _summary(wave, figures.unit, language, comments, codebook, names)
    )


def _identity(codebook: Codebook | None) -> object:
    """The codebook as the same text in every process (its lemmas are sets)."""
    if codebook is None:
        return None
    themes = [(t.key, t.value, sorted(t.label.items()), sorted(t.lemmas), t.phrases) for t in codebook.themes]
    return (codebook.leitbild, codebook.languages, themes)


async def _summary(
    wave: str,
    unit: str,
    language: str,
    comments: list[TextComment],
    codebook: Codebook | None,
    names: dict[str, dict[str, str]],
) -> CommentSummary:
    texts = [c.text for c in comments]
    rng = random.Random(_seed(wave, unit))
    german = [c.text for c in comments if c.language.startswith("de")]
    hints = keywords(german, "de", KEYWORDS) if german else []
    if codebook is None:
        merged = merge_near_duplicates(texts)
        rng.shuffle(merged)
        return CommentSummary(wave, len(texts), False, [], _merged(tuple(merged)), len(texts), [], hints)
    groups = group_comments(texts, codebook, rng=rng, languages=[c.language for c in comments])
    values = [
        ValueComments(
            group.value,
            _pick(names.get(group.value, {group.value: group.value}), language),
            group.count,
            [
                ThemeComments(t.theme.key, _pick(t.theme.label, language), t.count, _merged(t.comments))
                for t in group.themes
            ],
        )
        for group in groups.values
    ]
    return CommentSummary(
        wave,
        groups.total,
        True,
        values,
        _merged(groups.unassigned),
        groups.unassigned_count,
        [LanguageComments(g.language, g.count, _merged(g.comments)) for g in groups.other_languages],
        hints,
    )


async def wave_codebook(wave_key: str) -> Codebook | None:
    """The codebook of the wave's Leitbild (for the theme codes of the exports)."""
    return (await _codebook_of(wave_key))[0]


def codes_of(text: str, language: str, codebook: Codebook | None) -> str:
    """The theme codes of one comment, separated by spaces; "" without codebook or in a language
    the codebook's German words do not match."""
    if codebook is None or not language.startswith("de"):
        return ""
    return " ".join(assign(text, codebook, language))
